package io.storageengine.pageservice.hotstore.internal;

import java.util.NoSuchElementException;
import java.util.concurrent.locks.Lock;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;

/**
 * A range scan of {@link BoundedRocksStore}: a RocksDB iterator whose {@code ReadOptions} carry
 * the range as {@code iterate_lower_bound} (inclusive) and {@code iterate_upper_bound}
 * (exclusive), so RocksDB stops skipping deleted entries at the range's edge instead of walking
 * on to the next live key. A reverse scan starts with {@code SeekForPrev(last)} (the inclusive
 * upper key) or {@code SeekToLast}. One entry is read ahead ({@link #peekNextKey()}).
 *
 * <p>Used by one thread at a time (as every Kafka Streams iterator); {@link #close()} may race
 * with the store's close, so native handles are freed once, under the iterator's monitor, and
 * every step runs under the store's read lock, taken before the monitor (the store's close holds
 * its write lock while it takes each iterator's monitor: the opposite order would deadlock).
 */
final class BoundedRocksIterator implements KeyValueIterator<Bytes, byte[]> {
    private final BoundedRocksStore store;
    private final ReadOptions readOptions;
    private final Slice lower;
    private final Slice upper;
    private final RocksIterator it;
    private final boolean forward;
    private KeyValue<Bytes, byte[]> next;
    private boolean nativeClosed;

    BoundedRocksIterator(BoundedRocksStore store, RocksDB db, byte[] lowerInclusive, byte[] upperExclusive,
                         byte[] lastInclusive, boolean forward) {
        this.store = store;
        this.forward = forward;
        this.readOptions = new ReadOptions();
        this.lower = lowerInclusive == null ? null : new Slice(lowerInclusive);
        this.upper = upperExclusive == null ? null : new Slice(upperExclusive);
        if (lower != null) {
            readOptions.setIterateLowerBound(lower);
        }
        if (upper != null) {
            readOptions.setIterateUpperBound(upper);
        }
        this.it = db.newIterator(readOptions);
        if (forward) {
            if (lowerInclusive == null) {
                it.seekToFirst();
            } else {
                it.seek(lowerInclusive);
            }
        } else if (lastInclusive != null) {
            it.seekForPrev(lastInclusive);
        } else {
            it.seekToLast();
        }
    }

    @Override
    public boolean hasNext() {
        if (next != null) {
            return true;
        }
        // lock order: the store's read lock, then this iterator's monitor (the store's close holds
        // the write lock and then takes each open iterator's monitor)
        Lock r = store.readLock();
        try {
            synchronized (this) {
                if (nativeClosed) {
                    throw new InvalidStateStoreException("iterator of store " + store.name() + " is closed");
                }
                if (!it.isValid()) {
                    try {
                        it.status();
                    } catch (RocksDBException e) {
                        throw new ProcessorStateException("scan of store " + store.name() + " failed", e);
                    }
                    return false;
                }
                next = KeyValue.pair(Bytes.wrap(it.key()), it.value());
                if (forward) {
                    it.next();
                } else {
                    it.prev();
                }
                return true;
            }
        } finally {
            r.unlock();
        }
    }

    @Override
    public KeyValue<Bytes, byte[]> next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        KeyValue<Bytes, byte[]> kv = next;
        next = null;
        return kv;
    }

    @Override
    public Bytes peekNextKey() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return next.key;
    }

    @Override
    public void close() {
        closeNative();
        store.closed(this);
    }

    /** Frees the native handles once (also called by the store's close). */
    synchronized void closeNative() {
        if (nativeClosed) {
            return;
        }
        nativeClosed = true;
        it.close();
        readOptions.close();
        if (lower != null) {
            lower.close();
        }
        if (upper != null) {
            upper.close();
        }
    }
}
