package io.storageengine.ingest.decode;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A pool of equally sized heap buffers with a hard cap on how many exist at once, so the decoders'
 * memory is {@code bufferSize × maxBuffers}, set by configuration and never by the input.
 *
 * <p>Heap buffers are used on purpose: sources read straight into their backing arrays, CRC-32C runs
 * on arrays, and Kafka record values are copied out of them with one {@code arraycopy}.
 *
 * <p>Thread-safe. {@link #acquire} blocks while all buffers are in use (backpressure), up to a timeout.
 */
public final class BufferPool {
    private final int bufferSize;
    private final int maxBuffers;
    private final Semaphore permits;
    private final ConcurrentLinkedQueue<ByteBuffer> free = new ConcurrentLinkedQueue<>();

    public BufferPool(int bufferSize, int maxBuffers) {
        if (bufferSize <= 0 || maxBuffers <= 0) {
            throw new IllegalArgumentException("buffer size and count must be positive: " + bufferSize + " x " + maxBuffers);
        }
        this.bufferSize = bufferSize;
        this.maxBuffers = maxBuffers;
        this.permits = new Semaphore(maxBuffers, true);
    }

    /** Takes a cleared buffer, waiting up to {@code timeoutMillis} for one to be released. */
    public ByteBuffer acquire(long timeoutMillis) throws InterruptedException, TimeoutException {
        if (!permits.tryAcquire(timeoutMillis, TimeUnit.MILLISECONDS)) {
            throw new TimeoutException("all " + maxBuffers + " decoder buffers of " + bufferSize
                    + " bytes are in use (pool cap reached)");
        }
        ByteBuffer b = free.poll();
        return b == null ? ByteBuffer.allocate(bufferSize) : b.clear();
    }

    /** Returns a buffer taken from this pool. */
    public void release(ByteBuffer buffer) {
        if (buffer.capacity() != bufferSize) {
            throw new IllegalArgumentException("buffer of " + buffer.capacity() + " bytes is not from this pool");
        }
        free.offer(buffer);
        permits.release();
    }

    public int bufferSize() {
        return bufferSize;
    }

    public int maxBuffers() {
        return maxBuffers;
    }

    /** Buffers currently handed out. */
    public int inUse() {
        return maxBuffers - permits.availablePermits();
    }

    /** Upper bound of the memory this pool can ever hold. */
    public long capacityBytes() {
        return (long) bufferSize * maxBuffers;
    }
}
