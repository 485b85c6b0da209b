package io.storageengine.catalog.connection.internal;

import java.time.Duration;

/**
 * Turns a {@link PoolStats.Snapshot} into a score, trends and an early warning (the rules are
 * described on {@code PoolStatus}). Pure functions; stateless.
 */
public final class HealthRules {
    private HealthRules() {
    }

    /** The judged health of one pool. */
    public record Verdict(double score, String latencyTrend, String errorTrend, String lagTrend, String warning) {
    }

    public static Verdict judge(PoolStats.Snapshot s, boolean replica, boolean breakerOpen, Duration acquireWarn,
                                Duration maxLag) {
        double warnMs = acquireWarn.toNanos() / 1e6;
        double latency = latencyScore(s.p99Millis(), warnMs / 5, warnMs * 10);
        double errors = Math.max(0, 1 - 4 * s.errorRate());
        double lag = replica ? lagScore(s.lagMillis(), maxLag.toMillis()) : 1;
        double score = breakerOpen ? 0 : Math.min(latency, Math.min(errors, lag));
        String latencyTrend = trend(s.previousP99Millis(), s.p99Millis());
        String errorTrend = trend(s.previousErrorRate(), s.errorRate());
        String lagTrend = replica ? trend(s.lagMinuteAgo(), s.lagNow()) : "STEADY";
        String warning = null;
        if (s.p99RisingForAMinute() && s.p99Millis() > 2 * s.p99MinuteStart()) {
            warning = String.format("acquisition p99 rising for a minute (%.2f ms -> %.2f ms)", s.p99MinuteStart(), s.p99Millis());
        } else if (s.p99Millis() > warnMs) {
            warning = String.format("acquisition p99 %.2f ms above %.2f ms", s.p99Millis(), warnMs);
        } else if (s.errorRate() >= 0.05 && s.errorRate() > s.previousErrorRate()) {
            warning = String.format("error rate %.1f%% and rising", 100 * s.errorRate());
        } else if (replica && s.lagMillis() > maxLag.toMillis() / 2 && lagTrend.equals("RISING")) {
            warning = "replication lag " + s.lagMillis() + " ms rising towards the " + maxLag.toMillis() + " ms bound";
        }
        return new Verdict(score, latencyTrend, errorTrend, lagTrend, warning);
    }

    /** 1 at or below {@code good}, 0 at or above {@code bad}, log-linear between; 1 with no data. */
    static double latencyScore(double p99, double good, double bad) {
        if (p99 < 0 || p99 <= good) {
            return 1;
        }
        if (p99 >= bad) {
            return 0;
        }
        return 1 - Math.log(p99 / good) / Math.log(bad / good);
    }

    /** 1 up to half the bound, 0 at the bound or unknown, linear between. */
    static double lagScore(long lagMillis, long maxMillis) {
        if (lagMillis < 0) {
            return 0;
        }
        double half = maxMillis / 2.0;
        if (lagMillis <= half) {
            return 1;
        }
        return Math.max(0, 1 - (lagMillis - half) / half);
    }

    static String trend(double before, double now) {
        if (before < 0 || now < 0) {
            return "STEADY";
        }
        if (before == 0) {
            return now > 0 ? "RISING" : "STEADY";
        }
        double r = now / before;
        return r > 1.5 ? "RISING" : r < 2.0 / 3 ? "FALLING" : "STEADY";
    }
}
