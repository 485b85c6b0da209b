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
    void lagRule() {
        assertThat(ReplicationProbe.lagOf(false, null, false, false, null)).containsExactly(0, 0);
        assertThat(ReplicationProbe.lagOf(true, 0L, true, false, 90_000L)).containsExactly(0, 0);
        assertThat(ReplicationProbe.lagOf(true, 4096L, true, false, 1_500L)).containsExactly(1_500, 4096);
        assertThat(ReplicationProbe.lagOf(true, null, false, true, 90_000L)).containsExactly(0, -1);
        assertThat(ReplicationProbe.lagOf(true, 10L, true, true, null)).containsExactly(-1, 10);
    }
}
