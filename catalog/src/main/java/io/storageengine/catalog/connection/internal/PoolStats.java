package io.storageengine.catalog.connection.internal;

import java.util.function.LongSupplier;

/**
 * The measurements behind one pool's health: acquisition latencies (a log-scale histogram per time
 * bucket), calls and errors per bucket, and the replication lag seen by each probe. Buckets are
 * {@code bucketNanos} long (10 s in production); the last 13 are kept (the current one and two
 * minutes before it), so memory is fixed. {@link #snapshot} turns them into the numbers
 * {@code PoolStatus} reports (see there for the score, trend and warning rules).
 *
 * <p>Thread-safe (every method synchronizes on this; recording is a few array updates).
 */
public final class PoolStats {
    /** Histogram bins: bin i holds latencies up to 10 µs × 1.5^i (bin 40 ≈ 110 s). */
    static final int BINS = 41;
    private static final double BIN0_MICROS = 10;
    private static final double GROWTH = 1.5;
    static final int KEEP = 13;
    /** Buckets in one minute at the production bucket length. */
    static final int MINUTE = 6;

    private final long bucketNanos;
    private final LongSupplier clock;
    private final long[][] hist = new long[KEEP][BINS];
    private final long[] calls = new long[KEEP];
    private final long[] errors = new long[KEEP];
    private final long[] lagSum = new long[KEEP];
    private final long[] lagCount = new long[KEEP];
    private long currentIndex; // absolute bucket number of the newest bucket
    private long totalErrors;
    private long lastLagMillis = -1;
    private long lastLagBytes = -1;

    public PoolStats(long bucketNanos, LongSupplier clock) {
        this.bucketNanos = bucketNanos;
        this.clock = clock;
        this.currentIndex = clock.getAsLong() / bucketNanos;
    }

    /** Production buckets: 10 s on {@link System#nanoTime()}. */
    public static PoolStats standard() {
        return new PoolStats(10_000_000_000L, System::nanoTime);
    }

    private int slot() {
        long now = clock.getAsLong() / bucketNanos;
        if (now > currentIndex) {
            long clear = Math.min(now - currentIndex, KEEP);
            for (long i = 1; i <= clear; i++) {
                int s = (int) Math.floorMod(currentIndex + i, KEEP);
                java.util.Arrays.fill(hist[s], 0);
                calls[s] = 0;
                errors[s] = 0;
                lagSum[s] = 0;
                lagCount[s] = 0;
            }
            currentIndex = now;
        }
        return (int) Math.floorMod(currentIndex, KEEP);
    }

    static int bin(long nanos) {
        double micros = nanos / 1000.0;
        if (micros <= BIN0_MICROS) {
            return 0;
        }
        int b = (int) Math.ceil(Math.log(micros / BIN0_MICROS) / Math.log(GROWTH));
        return Math.min(BINS - 1, b);
    }

    static double binUpperMillis(int bin) {
        return BIN0_MICROS * Math.pow(GROWTH, bin) / 1000.0;
    }

    public synchronized void acquired(long nanos) {
        hist[slot()][bin(nanos)]++;
    }

    public synchronized void succeeded() {
        calls[slot()]++;
    }

    public synchronized void failed() {
        int s = slot();
        calls[s]++;
        errors[s]++;
        totalErrors++;
    }

    /** A probe's lag measurement (-1 unknown). */
    public synchronized void lag(long millis, long bytes) {
        lastLagMillis = millis;
        lastLagBytes = bytes;
        if (millis >= 0) {
            int s = slot();
            lagSum[s] += millis;
            lagCount[s]++;
        }
    }

    /** What {@link #snapshot} computes; latencies in milliseconds, -1 where there is no data. */
    public record Snapshot(double p50Millis, double p99Millis, double previousP99Millis, double errorRate,
                           double previousErrorRate, long errors, long lagMillis, long lagBytes, double lagMinuteAgo,
                           double lagNow, boolean p99RisingForAMinute, double p99MinuteStart) {
    }

    /** Numbers over the last minute (the current bucket and the 5 before) and the minute before that. */
    public synchronized Snapshot snapshot() {
        int cur = slot();
        long[] recent = new long[BINS];
        long[] previous = new long[BINS];
        long rc = 0, re = 0, pc = 0, pe = 0;
        double lagNow = -1, lagBefore = -1;
        long lagNowSum = 0, lagNowCount = 0, lagBeforeSum = 0, lagBeforeCount = 0;
        for (int age = 0; age < 2 * MINUTE && age < KEEP; age++) {
            int s = Math.floorMod(cur - age, KEEP);
            boolean isRecent = age < MINUTE;
            long[] target = isRecent ? recent : previous;
            for (int b = 0; b < BINS; b++) {
                target[b] += hist[s][b];
            }
            if (isRecent) {
                rc += calls[s];
                re += errors[s];
                lagNowSum += lagSum[s];
                lagNowCount += lagCount[s];
            } else {
                pc += calls[s];
                pe += errors[s];
                lagBeforeSum += lagSum[s];
                lagBeforeCount += lagCount[s];
            }
        }
        if (lagNowCount > 0) {
            lagNow = (double) lagNowSum / lagNowCount;
        }
        if (lagBeforeCount > 0) {
            lagBefore = (double) lagBeforeSum / lagBeforeCount;
        }
        // rising p99: each of the last MINUTE completed buckets above the one before it
        boolean rising = true;
        double prev = -1, first = -1;
        for (int age = MINUTE; age >= 1; age--) {
            double p = percentile(hist[Math.floorMod(cur - age, KEEP)], 0.99);
            if (p < 0 || (prev >= 0 && p <= prev)) {
                rising = false;
                break;
            }
            if (first < 0) {
                first = p;
            }
            prev = p;
        }
        return new Snapshot(percentile(recent, 0.50), percentile(recent, 0.99), percentile(previous, 0.99),
                rc == 0 ? 0 : (double) re / rc, pc == 0 ? 0 : (double) pe / pc, totalErrors, lastLagMillis, lastLagBytes,
                lagBefore, lagNow, rising, first);
    }

    /** Upper bound of the bin holding the q-quantile, in ms; -1 with no samples. */
    static double percentile(long[] h, double q) {
        long n = 0;
        for (long c : h) {
            n += c;
        }
        if (n == 0) {
            return -1;
        }
        long rank = (long) Math.ceil(q * n);
        long seen = 0;
        for (int b = 0; b < BINS; b++) {
            seen += h[b];
            if (seen >= rank) {
                return binUpperMillis(b);
            }
        }
        return binUpperMillis(BINS - 1);
    }
}
