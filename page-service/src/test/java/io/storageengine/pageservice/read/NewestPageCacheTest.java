package io.storageengine.pageservice.read;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.storageengine.pageservice.topology.PartitionMarks;
import io.storageengine.pageservice.topology.ReferenceModel;
import io.storageengine.pageservice.topology.SyntheticWal;
import io.storageengine.pageservice.topology.TopologyFixture;
import io.storageengine.schemas.kafka.Partitioning;
import io.storageengine.schemas.page.PageKey;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.Lsn;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The newest-page cache through {@link StorePageReader} over the real topology: every answer equals
 * the reference model's page at the answer's LSN while records (some beyond the watermark) keep
 * arriving between reads, and the cache really answers; a page that changed during a read or a
 * partition that changed hands is never served from it.
 */
class NewestPageCacheTest {
    private static final TimelineKey T = TimelineKey.of("0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210");

    private final TopologyFixture fx = new TopologyFixture();
    private final NewestPageCache cache = new NewestPageCache(64, fx.registry().pageChanges());
    private final StorePageReader cached = new StorePageReader(fx, fx.registry(), ColdPageSource.none(),
            Duration.ofMillis(10), cache);

    @AfterEach
    void close() {
        fx.close();
    }

    private static PageRequest at(PageKey key, Long lsn) {
        return new PageRequest(key.timeline(), key.page(), lsn == null ? null : new Lsn(lsn), null,
                StorePageReader.NO_DEADLINE);
    }

    @Test
    void answersEqualTheModelWhileRecordsKeepArrivingAndTheCacheAnswersRepeatedReads() throws Exception {
        SyntheticWal wal = new SyntheticWal(7, 10_000);
        ReferenceModel model = wal.model();
        Random random = new Random(11);
        long watermark = 0;
        int checked = 0;
        for (int round = 0; round < 300; round++) {
            int n = 1 + random.nextInt(5);
            for (int i = 0; i < n; i++) { // a few records on 40 pages (more than the cache holds: evictions too)
                PageKey key = SyntheticWal.page(T, 100, random.nextInt(80));
                long lsn = wal.nextLsn(64);
                if (random.nextDouble() < 0.1) {
                    wal.image(key, lsn);
                } else if (model.records(key).isEmpty()) {
                    wal.image(key, lsn);
                } else {
                    wal.delta(key, lsn);
                }
            }
            if (random.nextBoolean()) { // sometimes records stay beyond the watermark for a while
                watermark = wal.lsn() - (random.nextBoolean() ? 0 : 1);
                wal.watermark(T, watermark);
            }
            fx.pipe(wal.drain());
            if (watermark == 0) {
                continue;
            }
            for (int r = 0; r < 20; r++) {
                PageKey key = SyntheticWal.page(T, 100, random.nextInt(80));
                Long lsn = switch (random.nextInt(3)) {
                    case 0 -> null;
                    case 1 -> watermark;
                    default -> Math.max(1, watermark - random.nextInt(2_000));
                };
                long readLsn = lsn == null ? watermark : lsn;
                ReferenceModel.Expected e = model.records(key).isEmpty() ? null : model.pageAt(key, readLsn);
                if (e == null || e.page() == null) {
                    continue;
                }
                PageVersion v = cached.read(at(key, lsn));
                assertThat(v.page()).as("page %s at %s (round %d)", key, readLsn, round).isEqualTo(e.page());
                assertThat(v.pageLsn().value()).isEqualTo(e.pageLsn());
                assertThat(v.requestLsn().value()).isEqualTo(readLsn);
                checked++;
            }
        }
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        cache.bindTo(meters);
        assertThat(checked).isGreaterThan(3_000);
        assertThat(cache.hits()).as("reads the cache answered").isGreaterThan(200);
        assertThat(meters.get("se.page.cache.invalidations").functionCounter().count()).isGreaterThan(0);
        assertThat(meters.get("se.page.cache.evictions").functionCounter().count()).isGreaterThan(0);
        assertThat(cache.size()).isLessThanOrEqualTo(64);
    }

    @Test
    void aPageChangedDuringTheReadIsNotKept() throws Exception {
        SyntheticWal wal = new SyntheticWal(3, 1_000);
        PageKey key = SyntheticWal.page(T, 1, 1);
        wal.image(key, wal.nextLsn(8));
        wal.watermark(T, wal.lsn());
        fx.pipe(wal.drain());
        byte[] pageKey = key.toBytes();
        PartitionMarks marks = fx.registry().partition(Partitioning.partitionOf(pageKey, fx.partitionCount()));
        NewestPageCache.Ticket ticket = cache.ticket(pageKey, marks);
        PageVersion before = new StorePageReader(fx, fx.registry(), ColdPageSource.none(), Duration.ZERO)
                .read(at(key, null));
        wal.delta(key, wal.nextLsn(8)); // stored while "the read" was running
        fx.pipe(wal.drain());
        cache.fill(pageKey, marks, ticket, before.page(), before.pageLsn().value());
        assertThat(cache.size()).isZero();
    }

    @Test
    void aPartitionThatChangedHandsIsNotServedFromTheCache() throws Exception {
        SyntheticWal wal = new SyntheticWal(5, 1_000);
        PageKey key = SyntheticWal.page(T, 1, 2);
        wal.image(key, wal.nextLsn(8));
        wal.watermark(T, wal.lsn());
        fx.pipe(wal.drain());
        cached.read(at(key, null));
        cached.read(at(key, null));
        assertThat(cache.hits()).isEqualTo(1);
        int partition = Partitioning.partitionOf(key.toBytes(), fx.partitionCount());
        fx.registry().activate(partition, Map.of(T, wal.lsn()), null); // a new tenure (as after a move back here)
        PageVersion again = cached.read(at(key, null));
        assertThat(cache.hits()).isEqualTo(1);
        assertThat(again.page()).isEqualTo(wal.model().pageAt(key, wal.lsn()).page());
        cached.read(at(key, null));
        assertThat(cache.hits()).isEqualTo(2);
        assertThat(List.of(cache.size())).containsExactly(1);
    }
}
