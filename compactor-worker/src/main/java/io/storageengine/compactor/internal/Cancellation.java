package io.storageengine.compactor.internal;

import java.util.concurrent.CancellationException;

/**
 * A cancellation flag a job polls between records (cheaply: the flag is volatile). Set by a
 * rebalance, a lost lease or shutdown; the job then throws {@link CancellationException} and its
 * cleanup removes every file it wrote. Thread-safe.
 */
public final class Cancellation {
    private volatile String reason;

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

    /** @throws CancellationException naming the reason if cancelled */
    public void check() {
        String r = reason;
        if (r != null) {
            throw new CancellationException(r);
        }
    }
}
