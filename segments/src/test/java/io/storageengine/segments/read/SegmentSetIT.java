package io.storageengine.segments.read;

import static io.storageengine.segments.read.SegmentSetTest.TL;
import static io.storageengine.segments.read.SegmentSetTest.delta;
import static io.storageengine.segments.read.SegmentSetTest.page;
import static org.assertj.core.api.Assertions.assertThat;

import io.storageengine.catalog.Catalog;
import io.storageengine.catalog.CatalogConfig;
import io.storageengine.catalog.lease.Lease;
import io.storageengine.catalog.offset.OffsetKey;
import io.storageengine.catalog.segmentmap.SegmentMeta;
import io.storageengine.schemas.segment.SegmentKind;
import io.storageengine.segments.segment.SegmentInfo;
import io.storageengine.segments.segment.SegmentNames;
import io.storageengine.segments.segment.SegmentVersion;
import io.storageengine.segments.segment.SegmentWriter;
import io.storageengine.segments.store.DirectorySegmentStore;
import io.storageengine.segments.store.SegmentMetas;
import io.storageengine.testsupport.LocalPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The compactor's write path and the page service's read path through a real catalog. */
class SegmentSetIT {
    @TempDir
    Path dir;

    private SegmentMeta write(DirectorySegmentStore store, int level, long fromLsn, long toLsn, long offStart, long offEnd)
            throws IOException {
        Path tmp = store.stagingDirectory().resolve("building-" + fromLsn + "-" + level);
        SegmentInfo info;
        try (SegmentWriter w = SegmentWriter.create(tmp, SegmentWriter.Options.of(SegmentKind.DELTA, level, 0))) {
            for (long l = fromLsn; l <= toLsn; l += 10) {
                w.add(page(1), l, delta(l));
            }
            info = w.finish();
        }
        String name = SegmentNames.newName(info);
        String location = store.put(name, tmp);
        return offStart < 0 ? SegmentMetas.of(name, info, store.name(), location)
                : SegmentMetas.of(name, info, store.name(), location, offStart, offEnd);
    }

    @Test
    void readersFollowRegistrationsAndSwapsThroughTheCatalog() throws IOException {
        LocalPostgres pg = LocalPostgres.shared();
        CatalogConfig config = CatalogConfig.of(pg.jdbcUrl(pg.createDatabase("segment_set")), pg.user(), pg.password());
        DirectorySegmentStore store = new DirectorySegmentStore(dir);
        try (Catalog catalog = Catalog.open(config); SegmentSet set = SegmentSet.of(catalog, store, 1)) {
            Lease lease = catalog.leases().acquire(0, "w", Duration.ofMinutes(1)).orElseThrow();
            OffsetKey offsets = new OffsetKey("compactor", "wal", 0);
            SegmentMeta a = write(store, 0, 10, 30, 0, 3);
            SegmentMeta b = write(store, 0, 40, 60, 3, 6);
            catalog.segments().registerL0(lease, a, offsets, 3);
            catalog.segments().registerL0(lease, b, offsets, 6);
            catalog.timelines().raiseGcHorizon(TL, 15);
            assertThat(set.refresh()).isTrue();
            assertThat(set.gcHorizon(TL)).isEqualTo(15);
            assertThat(set.versions(page(1), 45, false)).extracting(SegmentVersion::lsn).containsExactly(40L, 30L, 20L, 10L);

            SegmentSet.Snapshot inFlight = set.acquire();
            SegmentMeta l1 = write(store, 1, 10, 60, -1, -1);
            catalog.segments().replace(lease, List.of(a.name(), b.name()), List.of(l1));
            assertThat(set.refresh()).isTrue();
            try (SegmentSet.Snapshot now = set.acquire()) {
                assertThat(now.segments()).extracting(s -> s.name()).containsExactly(l1.name());
            }
            store.delete(a.name()); // GC deletes retired files; the in-flight read still finishes on them
            assertThat(inFlight.versions(page(1), 100, false)).hasSize(6);
            inFlight.close();
            assertThat(set.versions(page(1), 100, true)).hasSize(6);
        }
    }
}
