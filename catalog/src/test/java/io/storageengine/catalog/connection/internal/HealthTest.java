package io.storageengine.catalog.connection.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Scores, trends and the early warning from {@link PoolStats} on a fake clock. */
class HealthTest {
    static final long BUCKET = 10_000_000_000L;
    final AtomicLong now = new AtomicLong(1_000 * BUCKET);
    final PoolStats stats = new PoolStats(BUCKET, now::get);

    HealthRules.Verdict judge(boolean replica) {
        return HealthRules.judge(stats.snapshot(), replica, false, Duration.ofMillis(50), Duration.ofSeconds(5));
    }

    @Test
    void fastAcquisitionsAndNoErrorsScoreOne() {
        for (int i = 0; i < 100; i++) {
            stats.acquired(200_000);
            stats.succeeded();
        }
        HealthRules.Verdict v = judge(false);
        assertThat(v.score()).isEqualTo(1.0);
        assertThat(v.warning()).isNull();
        assertThat(stats.snapshot().p99Millis()).isBetween(0.2, 0.35);
    }

    @Test
    void acquisitionP99RisingForAMinuteWarnsBeforeItCrossesTheThreshold() {
        long nanos = 1_000_000; // 1 ms, doubling every 10 s
        for (int bucket = 0; bucket < 7; bucket++) {
            for (int i = 0; i < 50; i++) {
                stats.acquired(nanos);
                stats.succeeded();
            }
            nanos = nanos * 3 / 2;
            now.addAndGet(BUCKET);
        }
        HealthRules.Verdict v = judge(false);
        assertThat(stats.snapshot().p99Millis()).isLessThan(50);
        assertThat(v.warning()).contains("rising for a minute");
        assertThat(v.latencyTrend()).isEqualTo("RISING");
    }

    @Test
    void steadyLatencyDoesNotWarn() {
        for (int bucket = 0; bucket < 13; bucket++) {
            for (int i = 0; i < 50; i++) {
                stats.acquired(2_000_000);
                stats.succeeded();
            }
            now.addAndGet(BUCKET);
        }
        stats.acquired(2_000_000);
        assertThat(judge(false).warning()).isNull();
        assertThat(judge(false).latencyTrend()).isEqualTo("STEADY");
    }

    @Test
    void errorsLowerTheScoreAndWarn() {
        for (int i = 0; i < 80; i++) {
            stats.succeeded();
        }
        for (int i = 0; i < 20; i++) {
            stats.failed();
        }
        HealthRules.Verdict v = judge(false);
        assertThat(v.score()).isCloseTo(0.2, org.assertj.core.data.Offset.offset(0.01));
        assertThat(v.warning()).contains("error rate");
    }

    @Test
    void replicaLagScoresAgainstTheBound() {
        stats.lag(1_000, 100);
        assertThat(judge(true).score()).isEqualTo(1.0);
        stats.lag(4_000, 100);
        assertThat(judge(true).score()).isCloseTo(0.4, org.assertj.core.data.Offset.offset(0.01));
        stats.lag(-1, -1);
        assertThat(judge(true).score()).isZero();
        assertThat(judge(false).score()).isEqualTo(1.0);
    }

    @Test
    void risingLagWarnsAboveHalfTheBound() {
        stats.lag(500, 10);
        now.addAndGet(6 * BUCKET);
        stats.lag(3_000, 10);
        HealthRules.Verdict v = judge(true);
        assertThat(v.lagTrend()).isEqualTo("RISING");
        assertThat(v.warning()).contains("replication lag");
    }

    @Test
    void oldBucketsAgeOut() {
        for (int i = 0; i < 10; i++) {
            stats.failed();
        }
        now.addAndGet(20 * BUCKET);
        stats.succeeded();
        assertThat(stats.snapshot().errorRate()).isZero();
        assertThat(stats.snapshot().errors()).isEqualTo(10);
    }

    @Test
    void lagIsTheTimeSinceThePrimaryHadWhatTheReplicaReplayed() {
        LagClock clock = new LagClock();
        long ms = 1_000_000;
        assertThat(clock.lagMillis(0, io.storageengine.schemas.wal.Lsn.of(5), null, true)).as("no sample, all replayed").isZero();
        assertThat(clock.lagMillis(0, io.storageengine.schemas.wal.Lsn.of(5), 700L, false)).as("no sample").isEqualTo(700);
        clock.primaryAt(1_000 * ms, io.storageengine.schemas.wal.Lsn.of(100));
        clock.primaryAt(2_000 * ms, io.storageengine.schemas.wal.Lsn.of(200));
        clock.primaryAt(3_000 * ms, io.storageengine.schemas.wal.Lsn.of(300));
        long now = 3_100 * ms;
        assertThat(clock.lagMillis(now, io.storageengine.schemas.wal.Lsn.of(300), 60_000L, false)).as("caught up, idle primary")
                .isZero();
        assertThat(clock.lagMillis(now, io.storageengine.schemas.wal.Lsn.of(250), null, false)).isEqualTo(1_100);
        assertThat(clock.lagMillis(now, io.storageengine.schemas.wal.Lsn.of(100), null, false)).isEqualTo(2_100);
        assertThat(clock.lagMillis(now, io.storageengine.schemas.wal.Lsn.of(50), 9_000L, false)).as("older than every sample")
                .isEqualTo(9_000);
        assertThat(clock.lagMillis(now, io.storageengine.schemas.wal.Lsn.of(50), null, false)).isEqualTo(2_100);
        assertThat(clock.lagMillis(now, null, null, false)).isEqualTo(-1);
        assertThat(clock.lagBytes(io.storageengine.schemas.wal.Lsn.of(250))).isEqualTo(50);
        for (int i = 0; i < 100; i++) {
            clock.primaryAt((4_000 + i) * ms, io.storageengine.schemas.wal.Lsn.of(400 + i));
        }
        assertThat(clock.lagMillis(4_100 * ms, io.storageengine.schemas.wal.Lsn.of(300), null, false))
                .as("samples are bounded: older than all kept").isEqualTo(64);
    }
}
