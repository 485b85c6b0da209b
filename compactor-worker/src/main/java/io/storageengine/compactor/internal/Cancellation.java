package io.storageengine.compactor.internal;

import java.util.concurrent.CancellationException;

/**
 * A cancellation flag a job polls between records (cheaply: the flag is volatile). Set by a
 * rebalance, a lost lease or shutdown; the job then throws {@link CancellationException} and its
 * cleanup removes every file it wrote. The same checkpoints pace the job when a {@link CpuPacer}
 * is attached. Thread-safe (the pacer is used by the job's thread only).
 */
public final class Cancellation {
    private volatile String reason;
    private final CpuPacer pacer;

    public Cancellation() {
        this(null);
    }

    /** A job's cancellation whose checkpoints also pace it ({@code pacer} engaged by the caller; null: none). */
    public Cancellation(CpuPacer pacer) {
        this.pacer = pacer;
    }

    public static Cancellation none() {
        return new Cancellation();
    }

    public void cancel(String why) {
        if (reason == null) {
            reason = why;
        }
    }

    public boolean isCancelled() {
        return reason != null;
    }

    /**
     * A job's checkpoint: paces the job (see {@link CpuPacer}), then
     * @throws CancellationException naming the reason if cancelled
     */
    public void check() {
        if (pacer != null) {
            pacer.pace(this);
        }
        String r = reason;
        if (r != null) {
            throw new CancellationException(r);
        }
    }
}
