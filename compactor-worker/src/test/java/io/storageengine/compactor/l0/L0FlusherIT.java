package io.storageengine.compactor.l0;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storageengine.catalog.Catalog;
import io.storageengine.catalog.CatalogConfig;
import io.storageengine.catalog.CatalogException;
import io.storageengine.catalog.lease.Lease;
import io.storageengine.catalog.offset.OffsetKey;
import io.storageengine.schemas.kafka.WalRecordCodec;
import io.storageengine.schemas.page.PageKey;
import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.page.Patch;
import io.storageengine.schemas.timeline.TenantId;
import io.storageengine.schemas.timeline.TimelineId;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.FrameCodec;
import io.storageengine.schemas.wal.RecordType;
import io.storageengine.segments.store.DirectorySegmentStore;
import io.storageengine.testsupport.LocalPostgres;
import io.storageengine.testsupport.PagePayloads;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An L0 cut and its timelines' newest LSNs commit together: when the timeline write fails (a
 * trigger on {@code timelines} stands in for a crash between the two statements), neither the
 * segment nor the offset is committed, and the retried cut commits all three.
 */
class L0FlusherIT {
    private static final TimelineKey T1 = new TimelineKey(new TenantId(7, 1), new TimelineId(8, 1));
    private static final TimelineKey T2 = new TimelineKey(new TenantId(7, 2), new TimelineId(8, 2));

    @TempDir
    Path dir;

    private static void add(PartitionBuffer buf, long offset, TimelineKey t, long lsn) {
        PageRef ref = new PageRef(1663, 5, 16384, 0, (int) offset);
        byte[] key = new PageKey(t, ref).toBytes();
        byte[] value = FrameCodec.encode(lsn, RecordType.PAGE_DELTA,
                PagePayloads.delta(ref, List.of(new Patch(10, new byte[] {(byte) offset}))));
        buf.add(offset, WalRecordCodec.decode(key, value), 0);
    }

    private static void sql(LocalPostgres pg, String database, String statement) throws Exception {
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(database), pg.user(), pg.password());
             Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    @Test
    void aCutWhoseTimelineWriteFailsRegistersNothingAndTheRetryCommitsSegmentOffsetAndTimelinesTogether() throws Exception {
        LocalPostgres pg = LocalPostgres.shared();
        String database = pg.createDatabase("flusher");
        OffsetKey key = new OffsetKey("compactor", "wal", 3);
        try (Catalog catalog = Catalog.open(CatalogConfig.of(pg.jdbcUrl(database), pg.user(), pg.password()))) {
            DirectorySegmentStore store = new DirectorySegmentStore(dir);
            L0Flusher flusher = new L0Flusher(catalog, store, "compactor", "wal");
            Lease lease = catalog.leases().acquire(3, "flusher-it", Duration.ofMinutes(5)).orElseThrow();
            PartitionBuffer buf = new PartitionBuffer(3, new MemoryBudget(1 << 20), 0);
            add(buf, 0, T1, 1_000);
            add(buf, 1, T2, 2_000);
            add(buf, 2, T1, 3_000);
            String name = L0Flusher.segmentName(3, 0, 3, lease.epoch());

            sql(pg, database, """
                    CREATE FUNCTION refuse_timelines() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN RAISE EXCEPTION 'timelines write refused by the test'; END $$;
                    CREATE TRIGGER refuse_timelines BEFORE INSERT OR UPDATE ON timelines
                    FOR EACH ROW EXECUTE FUNCTION refuse_timelines()""");
            assertThatThrownBy(() -> flusher.flush(buf, lease)).isInstanceOf(CatalogException.class)
                    .hasMessageContaining("refused by the test");
            assertThat(catalog.segments().segment(name)).as("segment registered without its timelines").isEmpty();
            assertThat(catalog.offsets().committed(key)).as("offset committed without the timelines").isEmpty();
            assertThat(catalog.timelines().all()).isEmpty();
            assertThat(buf.size()).as("the buffer is kept for the retry").isEqualTo(3);

            sql(pg, database, "DROP TRIGGER refuse_timelines ON timelines");
            L0Flusher.Result r = flusher.flush(buf, lease);
            assertThat(r.name()).isEqualTo(name);
            assertThat(r.records()).isEqualTo(3);
            assertThat(catalog.segments().segment(name)).isPresent();
            assertThat(catalog.offsets().committed(key)).hasValue(3);
            assertThat(catalog.timelines().find(T1).orElseThrow().lastAppliedLsn()).isEqualTo(3_000);
            assertThat(catalog.timelines().find(T2).orElseThrow().lastAppliedLsn()).isEqualTo(2_000);
        }
    }
}
