package io.storageengine.compactor.internal;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Holds a compaction job's thread to a share of one core while the worker is ahead, so that page
 * reads on the same machine keep their CPU: at each checkpoint of a job ({@link Cancellation#check})
 * the thread's CPU time since the window began is compared with the wall time that share entitles
 * it to, and the thread sleeps the difference (in slices, returning early when the job is
 * cancelled). Windows of one second; the sleep per checkpoint is bounded. Jobs that start while
 * their partition is behind ({@link #engage} false) run unpaced to catch up.
 *
 * <p>Measured with the thread's own CPU clock ({@link ThreadMXBean#getCurrentThreadCpuTime}); where
 * the JVM lacks it, nothing is paced. One job thread engages and paces; the counters are
 * thread-safe for metrics.
 */
public final class CpuPacer {
    private static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long MAX_SLEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final long SLICE_MILLIS = 20;

    private final double share;
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final LongAdder pausedNanos = new LongAdder();
    private final LongAdder pacedJobs = new LongAdder();
    private boolean active;
    private long windowStart;
    private long windowCpu;

    /** @param share of one core a paced job may use (1 or more: never paced) */
    public CpuPacer(double share) {
        if (!(share > 0)) {
            throw new IllegalArgumentException("CPU share must be > 0: " + share);
        }
        this.share = share;
    }

    /** A pacer that never sleeps. */
    public static CpuPacer off() {
        return new CpuPacer(1.0);
    }

    public boolean enabled() {
        return share < 1 && threads.isCurrentThreadCpuTimeSupported();
    }

    /** A job starts on the calling thread: paced from now on if {@code ahead}, else unpaced. */
    public void engage(boolean ahead) {
        active = ahead && enabled();
        if (active) {
            pacedJobs.increment();
            windowStart = System.nanoTime();
            windowCpu = threads.getCurrentThreadCpuTime();
        }
    }

    /** A checkpoint of the job running on the calling thread: sleeps if it used more than its share. */
    void pace(Cancellation cancel) {
        if (!active) {
            return;
        }
        long cpu = threads.getCurrentThreadCpuTime();
        long wall = System.nanoTime() - windowStart;
        long due = (long) ((cpu - windowCpu) / share) - wall;
        if (due > 0) {
            sleep(Math.min(due, MAX_SLEEP_NANOS), cancel);
        }
        if (System.nanoTime() - windowStart >= WINDOW_NANOS) {
            windowStart = System.nanoTime();
            windowCpu = threads.getCurrentThreadCpuTime();
        }
    }

    private void sleep(long nanos, Cancellation cancel) {
        long start = System.nanoTime();
        long end = start + nanos;
        try {
            while (!cancel.isCancelled()) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                Thread.sleep(Math.min(SLICE_MILLIS, TimeUnit.NANOSECONDS.toMillis(left) + 1));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            pausedNanos.add(System.nanoTime() - start);
        }
    }

    /** Seconds jobs spent paused by pacing (for metrics). */
    public double pausedSeconds() {
        return pausedNanos.sum() / 1e9;
    }

    /** Jobs that ran paced. */
    public long pacedJobs() {
        return pacedJobs.sum();
    }
}
