package io.storageengine.compactor.worker;

import io.storageengine.catalog.lease.Lease;
import io.storageengine.compactor.internal.Cancellation;
import io.storageengine.compactor.internal.RetryBackoff;
import java.time.Duration;

/**
 * This worker's ownership of one assigned partition: the catalog lease (null while not held or
 * after it was lost) and the compaction job running on it, if any. The consumer thread creates and
 * closes owners on rebalance; the job loop runs at most one job per owner; the lease keeper
 * renews. {@link #close} cancels the running job and waits for it (bounded) so that a revoked
 * partition has no job left. Failing L0 cuts and failing jobs back off exponentially
 * ({@link RetryBackoff}, up to {@link #MAX_RETRY}): the cut backoff belongs to the consumer thread,
 * the job backoff to the compaction thread. Thread-safe.
 */
public final class PartitionOwner {
    /** The longest wait between attempts of failing work: compaction resumes within it once the fault is gone. */
    public static final Duration MAX_RETRY = Duration.ofSeconds(15);

    private final int partition;
    /** Consumer thread only. */
    private final RetryBackoff cutBackoff = new RetryBackoff(Duration.ofSeconds(2), MAX_RETRY);
    /** Compaction thread only. */
    private final RetryBackoff jobBackoff = new RetryBackoff(Duration.ofSeconds(1), MAX_RETRY);
    private volatile long nextJobNanos;
    private final Object lock = new Object();
    private volatile Lease lease;
    private volatile boolean needsInit;
    private volatile long nextAcquireNanos;
    private Cancellation job;
    private boolean closed;

    PartitionOwner(int partition) {
        this.partition = partition;
    }

    public int partition() {
        return partition;
    }

    public Lease lease() {
        return lease;
    }

    void leaseAcquired(Lease l) {
        lease = l;
        needsInit = true;
    }

    void leaseRenewed(Lease l) {
        Lease cur = lease;
        if (cur != null && cur.epoch() == l.epoch()) {
            lease = l;
        }
    }

    /** The lease was taken over (or could not be renewed): cancel the job, stop writing. */
    void leaseLost(String why) {
        lease = null;
        synchronized (lock) {
            if (job != null) {
                job.cancel(why);
            }
        }
    }

    /** Cancels the running job, if any, keeping the lease (shutdown: the lease is released after). */
    void cancelJob(String why) {
        synchronized (lock) {
            if (job != null) {
                job.cancel(why);
            }
        }
    }

    boolean needsInit() {
        return needsInit;
    }

    void initialized() {
        needsInit = false;
    }

    void requestInit() {
        needsInit = true;
    }

    boolean acquireDue(long now) {
        return now - nextAcquireNanos >= 0;
    }

    void acquireLater(long now, Duration delay) {
        nextAcquireNanos = now + delay.toNanos();
    }

    /** An L0 cut failed (consumer thread): how long to wait before consuming again from the committed offset. */
    Duration cutFailed() {
        return cutBackoff.failed();
    }

    /** An L0 cut succeeded (consumer thread). */
    void cutSucceeded() {
        cutBackoff.succeeded();
    }

    /** Consecutive failed L0 cuts (consumer thread). */
    int cutFailures() {
        return cutBackoff.failures();
    }

    /** False while a failed job's backoff runs (compaction thread). */
    boolean jobDue(long now) {
        return now - nextJobNanos >= 0;
    }

    /** A job failed (compaction thread): no job on this partition for the returned time. */
    Duration jobFailed(long now) {
        Duration d = jobBackoff.failed();
        nextJobNanos = now + d.toNanos();
        return d;
    }

    /** A job succeeded (compaction thread). */
    void jobSucceeded() {
        jobBackoff.succeeded();
    }

    /** Consecutive failed jobs (compaction thread). */
    int jobFailures() {
        return jobBackoff.failures();
    }

    /** Registers a job about to start; false if the partition is closed, unleased or busy. */
    boolean beginJob(Cancellation c) {
        synchronized (lock) {
            if (closed || lease == null || job != null) {
                return false;
            }
            job = c;
            return true;
        }
    }

    void endJob() {
        synchronized (lock) {
            job = null;
            lock.notifyAll();
        }
    }

    /**
     * Closes the owner: no new job starts; the running one is cancelled and awaited up to {@code wait}.
     *
     * @return true if no job is running any more
     */
    boolean close(String why, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        synchronized (lock) {
            closed = true;
            if (job != null) {
                job.cancel(why);
            }
            while (job != null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    lock.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }

    boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }
}
