package io.storageengine.compactor.l0;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storageengine.catalog.Catalog;
import io.storageengine.catalog.CatalogConfig;
import io.storageengine.catalog.CatalogException;
import io.storageengine.catalog.lease.Lease;
import io.storageengine.catalog.offset.OffsetKey;
import io.storageengine.compactor.gc.PendingOutputs;
import io.storageengine.compactor.gc.RetiredFileReaper;
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
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An L0 cut and its timelines' newest LSNs commit together: when the timeline write fails (a
 * trigger on {@code timelines} stands in for a crash between the two statements), neither the
 * segment nor the offset is committed, and the retried cut commits all three. And the orphan
 * sweep never deletes the file of a cut whose registration is still under way, however old.
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
            L0Flusher flusher = new L0Flusher(catalog, store, "compactor", "wal", new PendingOutputs());
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

    @Test
    void theOrphanSweepLeavesTheFileOfARegistrationStillUnderWayAlone() throws Exception {
        LocalPostgres pg = LocalPostgres.shared();
        String database = pg.createDatabase("flusher");
        try (Catalog catalog = Catalog.open(CatalogConfig.of(pg.jdbcUrl(database), pg.user(), pg.password()))) {
            DirectorySegmentStore store = new DirectorySegmentStore(dir);
            PendingOutputs pending = new PendingOutputs();
            L0Flusher flusher = new L0Flusher(catalog, store, "compactor", "wal", pending);
            RetiredFileReaper reaper = new RetiredFileReaper(catalog, store, Duration.ofMillis(200), pending);
            Lease lease = catalog.leases().acquire(4, "flusher-it", Duration.ofMinutes(5)).orElseThrow();
            PartitionBuffer buf = new PartitionBuffer(4, new MemoryBudget(1 << 20), 0);
            add(buf, 0, T1, 1_000);
            add(buf, 1, T1, 2_000);
            String name = L0Flusher.segmentName(4, 0, 2, lease.epoch());
            // a registration slower than the grace period, as one retrying through a failover is
            sql(pg, database, """
                    CREATE FUNCTION slow_segments() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN PERFORM pg_sleep(3); RETURN NEW; END $$;
                    CREATE TRIGGER slow_segments BEFORE INSERT ON segments
                    FOR EACH ROW EXECUTE FUNCTION slow_segments()""");
            CompletableFuture<L0Flusher.Result> cut = CompletableFuture.supplyAsync(() -> {
                try {
                    return flusher.flush(buf, lease);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!store.exists(name) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(store.exists(name)).as("the cut's file is written before it is registered").isTrue();
            Thread.sleep(1_000); // the file is now older than the grace period and unknown to the catalog
            assertThat(catalog.segments().segment(name)).isEmpty();
            assertThat(reaper.sweepOrphans(p -> p == 4 ? lease : null, Instant.now())).isZero();
            assertThat(store.exists(name)).isTrue();

            assertThat(cut.get(30, TimeUnit.SECONDS).name()).isEqualTo(name);
            assertThat(catalog.segments().segment(name)).isPresent();
            assertThat(reaper.sweepOrphans(p -> p == 4 ? lease : null, Instant.now())).isZero();
            assertThat(store.exists(name)).isTrue();

            // an unregistered file nobody holds is still an orphan once older than the grace period
            java.nio.file.Files.writeString(dir.resolve("p4-L0-7-9-e" + lease.epoch()), "orphan");
            Thread.sleep(400);
            assertThat(reaper.sweepOrphans(p -> p == 4 ? lease : null, Instant.now())).isEqualTo(1);
            assertThat(store.exists(name)).isTrue();
        }
    }
}
