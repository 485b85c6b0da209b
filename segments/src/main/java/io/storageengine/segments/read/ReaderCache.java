package io.storageengine.segments.read;

import io.storageengine.segments.segment.SegmentReader;
import io.storageengine.segments.store.SegmentStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The open segment readers of one process, bounded by the memory their metadata holds: the
 * segments' equivalent of RocksDB's table cache. An open reader keeps its block index and key
 * filter on the heap (about 1.1 MB per GB of segments with 64 KiB blocks, plus the filter), so
 * without a bound the page service's memory would grow with the data it manages; with one, at
 * most {@code maxMetadataBytes} stay open (at least one reader), least recently used first out.
 * A lookup on an evicted segment reopens it (footer, index and filter read and checksummed).
 *
 * <p>{@link #acquire} returns a reader with a reference taken for the caller, who gives it back
 * with {@link SegmentReader#release()}. The cache holds one reference of its own per open reader;
 * evicting or {@link #drop dropping} a reader gives back only that one, so a lookup in flight
 * finishes on its reader and the file handle closes when the last user is done (invariant 4).
 *
 * <p>Thread-safe. The hit path is a concurrent map lookup, a reference count and a timestamp
 * write (no lock); opening and evicting take the cache's monitor.
 */
public final class ReaderCache implements AutoCloseable {
    /** Unbounded: every reader stays open until dropped. */
    public static final long UNBOUNDED = Long.MAX_VALUE;

    private final SegmentStore store;
    private final long maxMetadataBytes;
    private final Map<String, Slot> open = new ConcurrentHashMap<>();
    private final AtomicLong metadataBytes = new AtomicLong();
    private final LongAdder opens = new LongAdder();
    private final LongAdder evictions = new LongAdder();
    private volatile boolean closed;

    /** One open reader and when a lookup last used it. */
    private static final class Slot {
        final SegmentReader reader;
        volatile long lastUsed;

        Slot(SegmentReader reader) {
            this.reader = reader;
            this.lastUsed = System.nanoTime();
        }
    }

    public ReaderCache(SegmentStore store, long maxMetadataBytes) {
        if (maxMetadataBytes <= 0) {
            throw new IllegalArgumentException("reader cache budget must be positive, got " + maxMetadataBytes);
        }
        this.store = store;
        this.maxMetadataBytes = maxMetadataBytes;
    }

    public SegmentStore store() {
        return store;
    }

    /**
     * The reader of segment {@code location}, opened if needed, with a reference for the caller.
     *
     * @throws IOException if the store cannot open it (e.g. the file is gone)
     * @throws IllegalStateException if the cache is closed
     */
    public SegmentReader acquire(String location) throws IOException {
        Slot s = open.get(location);
        if (s != null && s.reader.tryRetain()) {
            s.lastUsed = System.nanoTime();
            return s.reader;
        }
        SegmentReader fresh = store.open(location);
        synchronized (this) {
            if (closed) {
                fresh.close();
                throw new IllegalStateException("reader cache is closed");
            }
            Slot current = open.get(location);
            if (current != null && current.reader.tryRetain()) {
                fresh.close(); // another thread opened it meanwhile
                current.lastUsed = System.nanoTime();
                return current.reader;
            }
            if (current != null) {
                remove(location, current);
            }
            fresh.retain(); // the caller's reference; the opener's one is the cache's
            open.put(location, new Slot(fresh));
            metadataBytes.addAndGet(fresh.metadataBytes());
            opens.increment();
            evictOverBudget(location);
            return fresh;
        }
    }

    private void evictOverBudget(String keep) {
        if (metadataBytes.get() <= maxMetadataBytes) {
            return;
        }
        List<Map.Entry<String, Slot>> byAge = new ArrayList<>(open.entrySet());
        byAge.sort(Comparator.comparingLong(e -> e.getValue().lastUsed));
        for (Map.Entry<String, Slot> e : byAge) {
            if (metadataBytes.get() <= maxMetadataBytes) {
                break;
            }
            if (!e.getKey().equals(keep)) {
                remove(e.getKey(), e.getValue());
                evictions.increment();
            }
        }
    }

    private void remove(String location, Slot slot) {
        if (open.remove(location, slot)) {
            metadataBytes.addAndGet(-slot.reader.metadataBytes());
            slot.reader.close();
        }
    }

    /** Closes the cache's reader of {@code location} (no snapshot lists the segment any more). */
    public synchronized void drop(String location) {
        Slot s = open.get(location);
        if (s != null) {
            remove(location, s);
        }
    }

    /** Heap held by the open readers' metadata now. */
    public long metadataBytes() {
        return metadataBytes.get();
    }

    public int openReaders() {
        return open.size();
    }

    /** Readers opened so far (misses). */
    public long opens() {
        return opens.sum();
    }

    /** Readers closed to stay within the budget so far. */
    public long evictions() {
        return evictions.sum();
    }

    public long maxMetadataBytes() {
        return maxMetadataBytes;
    }

    /** Closes the cache's references; readers in use close when their users release them. */
    @Override
    public synchronized void close() {
        closed = true;
        for (Map.Entry<String, Slot> e : List.copyOf(open.entrySet())) {
            remove(e.getKey(), e.getValue());
        }
    }
}
