package io.storageengine.segments.segment;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A bounded LRU cache of verified data blocks, shared by the readers of one process (page-service
 * gives one to its segment store). A hit serves a block with no I/O, no CRC pass and no
 * allocation; blocks are immutable, so cached arrays are only ever read. Memory is bounded by
 * {@code maxBytes} (block bytes; map overhead aside): the least recently used blocks are dropped.
 * A block larger than an eighth of the bound is never cached.
 *
 * <p>Thread-safe (one lock; the critical sections are a map lookup or insertion).
 */
public final class BlockCache {
    private record Key(long owner, int block) {
    }

    private final long maxBytes;
    private final AtomicLong owners = new AtomicLong();
    private final LinkedHashMap<Key, byte[]> blocks = new LinkedHashMap<>(256, 0.75f, true);
    private long bytes;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();

    public BlockCache(long maxBytes) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("cache bound must be >= 0");
        }
        this.maxBytes = maxBytes;
    }

    /** An id for one reader's blocks. */
    long newOwner() {
        return owners.incrementAndGet();
    }

    byte[] get(long owner, int block) {
        byte[] b;
        synchronized (this) {
            b = blocks.get(new Key(owner, block));
        }
        (b == null ? misses : hits).increment();
        return b;
    }

    void put(long owner, int block, byte[] data) {
        if (data.length > maxBytes / 8) {
            return;
        }
        synchronized (this) {
            byte[] old = blocks.put(new Key(owner, block), data);
            bytes += data.length - (old == null ? 0 : old.length);
            Iterator<Map.Entry<Key, byte[]>> it = blocks.entrySet().iterator();
            while (bytes > maxBytes && it.hasNext()) {
                bytes -= it.next().getValue().length;
                it.remove();
            }
        }
    }

    /** Drops every block of a reader that closed. */
    synchronized void invalidate(long owner) {
        blocks.entrySet().removeIf(e -> {
            if (e.getKey().owner() == owner) {
                bytes -= e.getValue().length;
                return true;
            }
            return false;
        });
    }

    public synchronized long bytes() {
        return bytes;
    }

    public long hits() {
        return hits.sum();
    }

    public long misses() {
        return misses.sum();
    }
}
