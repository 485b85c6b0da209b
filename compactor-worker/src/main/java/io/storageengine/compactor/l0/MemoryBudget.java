package io.storageengine.compactor.l0;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes every partition buffer of a worker may hold together. Buffers charge what they hold
 * and release it on a cut or a drop; the consumer cuts the largest buffer early while the budget
 * is exceeded (and stops polling while it writes), so memory stays bounded whatever the input.
 * Thread-safe.
 */
public final class MemoryBudget {
    private final long limit;
    private final AtomicLong used = new AtomicLong();

    public MemoryBudget(long limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("memory budget must be positive");
        }
        this.limit = limit;
    }

    public void charge(long bytes) {
        used.addAndGet(bytes);
    }

    public void release(long bytes) {
        used.addAndGet(-bytes);
    }

    public long used() {
        return used.get();
    }

    public long limit() {
        return limit;
    }

    public boolean exceeded() {
        return used.get() > limit;
    }
}
