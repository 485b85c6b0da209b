package io.storageengine.pageservice.hotstore.internal;

import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.apache.kafka.streams.processor.BatchingStateRestoreCallback;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompactionStyle;
import org.rocksdb.DBOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * A persistent {@code KeyValueStore<Bytes, byte[]>} on RocksDB whose range scans are bounded
 * ({@link BoundedRocksIterator}): a scan never walks past the range it was asked for, however many
 * tombstones surround it. Kafka Streams wraps it with its own changelogging and metered layers.
 *
 * <p>On disk: {@code <task state dir>/rocksdb/<name>/}, a RocksDB database. Level compaction with
 * dynamic level sizes, so tombstones left by hot-store trimming are dropped as they reach the last
 * level. Durability: Kafka Streams calls {@link #flush()} (through {@code commit}) on every task
 * commit, up to ten times a second under exactly-once, and then may checkpoint the changelog
 * offset. Flushing memtables that often would write a tiny SST file per commit and stall writes
 * on compaction, so the store keeps RocksDB's WAL on with manual WAL flushing: writes append to an
 * in-memory WAL buffer, and {@code flush()} hands it to the operating system ({@code FlushWAL},
 * no fsync, which would cost a disk sync per commit). Everything a checkpoint covers survives a
 * process crash (RocksDB replays the WAL on open). A power loss can lose the WAL's tail: under
 * exactly-once, the page service's guarantee, Kafka Streams keeps no checkpoint while processing
 * and restores the store from the changelog after any unclean stop, so nothing is lost; a clean
 * close flushes the memtables to SST files.
 *
 * <p>Threads: the stream thread writes; interactive-query threads read concurrently (RocksDB is
 * thread-safe, and this class adds no monitor on the read path). A read-write lock only keeps
 * {@link #close()} from freeing native handles under a running read: reads and writes take the
 * read side, close takes the write side and closes every iterator still open, after which reads
 * fail with {@link InvalidStateStoreException} (the read path answers 503).
 */
public final class BoundedRocksStore implements KeyValueStore<Bytes, byte[]> {
    static {
        RocksDB.loadLibrary();
    }

    /** Directory under the task's state dir, as Kafka Streams names its own. */
    static final String DIR = "rocksdb";
    private static final long PRIVATE_CACHE_BYTES = 16L << 20;
    private static final long PRIVATE_MEMTABLE_BYTES = 4L << 20;

    private final String name;
    private final SharedMemory sharedMemory;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Set<BoundedRocksIterator> openIterators = ConcurrentHashMap.newKeySet();
    private volatile boolean open;
    private RocksDB db;
    private Options options;
    private WriteOptions writeOptions;
    private Cache privateCache;
    private List<ColumnFamilyHandle> extraFamilies = List.of();
    private ColumnFamilyOptions extraFamilyOptions;
    private StateStoreContext context;
    private final Position position = Position.emptyPosition();

    public BoundedRocksStore(String name, SharedMemory sharedMemory) {
        this.name = name;
        this.sharedMemory = sharedMemory;
    }

    /**
     * Puts a store's options on the instance's shared RocksDB memory budget when the Streams configs
     * carry one (the hot store package supplies it, so this package depends on nothing above it).
     */
    @FunctionalInterface
    public interface SharedMemory {
        /** No shared budget: every store uses a private cache. */
        SharedMemory NONE = (storeName, options, appConfigs) -> false;

        /** @return false if the configs carry no shared budget (the store then uses a private cache) */
        boolean apply(String storeName, Options options, Map<String, Object> appConfigs);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        File dir = new File(new File(context.stateDir(), DIR), name);
        if (!dir.isDirectory() && !dir.mkdirs()) {
            throw new ProcessorStateException("cannot create the directory " + dir + " of store " + name);
        }
        BlockBasedTableConfig table = new BlockBasedTableConfig();
        Options o = new Options()
                .setCreateIfMissing(true)
                .setErrorIfExists(false)
                .setInfoLogLevel(InfoLogLevel.ERROR_LEVEL)
                .setCompactionStyle(CompactionStyle.LEVEL)
                .setLevelCompactionDynamicLevelBytes(true)
                .setCompressionType(CompressionType.NO_COMPRESSION)
                .setMaxBackgroundJobs(2)
                .setManualWalFlush(true);
        o.setTableFormatConfig(table);
        Cache own = null;
        if (!sharedMemory.apply(name, o, context.appConfigs())) {
            own = new LRUCache(PRIVATE_CACHE_BYTES);
            table.setBlockCache(own);
            o.setTableFormatConfig(table);
            o.setWriteBufferSize(PRIVATE_MEMTABLE_BYTES);
        }
        try {
            db = openDb(o, dir);
        } catch (RocksDBException e) {
            o.close();
            if (own != null) {
                own.close();
            }
            throw new ProcessorStateException("cannot open RocksDB store " + name + " at " + dir, e);
        }
        options = o;
        privateCache = own;
        writeOptions = new WriteOptions();
        this.context = context;
        open = true;
        context.register(root, (BatchingStateRestoreCallback) this::restoreAll);
    }

    /**
     * Opens the database; a directory written by Kafka Streams' own RocksDB store (before this
     * store replaced it) also holds an {@code offsets} column family: it is opened too (RocksDB
     * refuses otherwise) and left alone. Data lives in the default column family either way.
     */
    private RocksDB openDb(Options o, File dir) throws RocksDBException {
        List<byte[]> families = new File(dir, "CURRENT").isFile()
                ? RocksDB.listColumnFamilies(o, dir.getAbsolutePath()) : List.of();
        if (families.size() <= 1) {
            return RocksDB.open(o, dir.getAbsolutePath());
        }
        ColumnFamilyOptions cfo = new ColumnFamilyOptions(o);
        List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        for (byte[] f : families) {
            descriptors.add(new ColumnFamilyDescriptor(f, cfo));
        }
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (DBOptions dbo = new DBOptions(o)) {
            RocksDB opened = RocksDB.open(dbo, dir.getAbsolutePath(), descriptors, handles);
            extraFamilies = handles;
            extraFamilyOptions = cfo;
            return opened;
        }
    }

    private void restoreAll(Collection<KeyValue<byte[], byte[]>> records) {
        Lock r = readLock();
        try (WriteBatch batch = new WriteBatch()) {
            for (KeyValue<byte[], byte[]> kv : records) {
                if (kv.value == null) {
                    batch.delete(kv.key);
                } else {
                    batch.put(kv.key, kv.value);
                }
            }
            db.write(writeOptions, batch);
        } catch (RocksDBException e) {
            throw new ProcessorStateException("restoring store " + name + " failed", e);
        } finally {
            r.unlock();
        }
    }

    /** Takes the read side of the lock and checks the store is open; the caller unlocks. */
    Lock readLock() {
        Lock r = lock.readLock();
        r.lock();
        if (!open) {
            r.unlock();
            throw new InvalidStateStoreException("store " + name + " is not open");
        }
        return r;
    }

    @Override
    public void put(Bytes key, byte[] value) {
        Lock r = readLock();
        try {
            if (value == null) {
                db.delete(writeOptions, key.get());
            } else {
                db.put(writeOptions, key.get(), value);
            }
            updatePosition();
        } catch (RocksDBException e) {
            throw new ProcessorStateException("write to store " + name + " failed", e);
        } finally {
            r.unlock();
        }
    }

    @Override
    public byte[] putIfAbsent(Bytes key, byte[] value) {
        byte[] old = get(key);
        if (old == null) {
            put(key, value);
        }
        return old;
    }

    @Override
    public void putAll(List<KeyValue<Bytes, byte[]>> entries) {
        Lock r = readLock();
        try (WriteBatch batch = new WriteBatch()) {
            for (KeyValue<Bytes, byte[]> kv : entries) {
                if (kv.value == null) {
                    batch.delete(kv.key.get());
                } else {
                    batch.put(kv.key.get(), kv.value);
                }
            }
            db.write(writeOptions, batch);
            updatePosition();
        } catch (RocksDBException e) {
            throw new ProcessorStateException("batch write to store " + name + " failed", e);
        } finally {
            r.unlock();
        }
    }

    @Override
    public byte[] delete(Bytes key) {
        Lock r = readLock();
        try {
            byte[] old = db.get(key.get());
            db.delete(writeOptions, key.get());
            updatePosition();
            return old;
        } catch (RocksDBException e) {
            throw new ProcessorStateException("delete from store " + name + " failed", e);
        } finally {
            r.unlock();
        }
    }

    private void updatePosition() {
        context.recordMetadata().ifPresent(m -> {
            if (m.topic() != null && m.offset() >= 0) {
                position.withComponent(m.topic(), m.partition(), m.offset());
            }
        });
    }

    @Override
    public byte[] get(Bytes key) {
        Lock r = readLock();
        try {
            return db.get(key.get());
        } catch (RocksDBException e) {
            throw new ProcessorStateException("read from store " + name + " failed", e);
        } finally {
            r.unlock();
        }
    }

    /** Keys in [from, to] (both inclusive; null = unbounded), ascending. */
    @Override
    public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
        return scan(from, to, true);
    }

    /** Keys in [from, to] (both inclusive; null = unbounded), descending. */
    @Override
    public KeyValueIterator<Bytes, byte[]> reverseRange(Bytes from, Bytes to) {
        return scan(from, to, false);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> all() {
        return scan(null, null, true);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> reverseAll() {
        return scan(null, null, false);
    }

    @Override
    public <PS extends Serializer<P>, P> KeyValueIterator<Bytes, byte[]> prefixScan(P prefix, PS prefixKeySerializer) {
        byte[] p = prefixKeySerializer.serialize(null, prefix);
        return open(p, successorOfPrefix(p), null, true);
    }

    private KeyValueIterator<Bytes, byte[]> scan(Bytes from, Bytes to, boolean forward) {
        byte[] lo = from == null ? null : from.get();
        byte[] hi = to == null ? null : to.get();
        if (lo != null && hi != null && Arrays.compareUnsigned(lo, hi) > 0) {
            return open(new byte[] {0}, new byte[] {0}, null, forward); // empty range, as Kafka Streams answers
        }
        // the smallest key above `to` is `to` followed by one zero byte: the exclusive upper bound
        byte[] upper = hi == null ? null : Arrays.copyOf(hi, hi.length + 1);
        return open(lo, upper, hi, forward);
    }

    private KeyValueIterator<Bytes, byte[]> open(byte[] lower, byte[] upperExclusive, byte[] last, boolean forward) {
        Lock r = readLock();
        try {
            BoundedRocksIterator it = new BoundedRocksIterator(this, db, lower, upperExclusive, last, forward);
            openIterators.add(it);
            return it;
        } finally {
            r.unlock();
        }
    }

    void closed(BoundedRocksIterator it) {
        openIterators.remove(it);
    }

    /** The smallest key greater than every key starting with {@code prefix}; null if none (all 0xFF). */
    static byte[] successorOfPrefix(byte[] prefix) {
        for (int i = prefix.length - 1; i >= 0; i--) {
            if (prefix[i] != (byte) 0xFF) {
                byte[] s = Arrays.copyOf(prefix, i + 1);
                s[i]++;
                return s;
            }
        }
        return null;
    }

    @Override
    public long approximateNumEntries() {
        Lock r = readLock();
        try {
            return db.getLongProperty("rocksdb.estimate-num-keys");
        } catch (RocksDBException e) {
            throw new ProcessorStateException("cannot count the entries of store " + name, e);
        } finally {
            r.unlock();
        }
    }

    /** Hands the WAL buffer to the OS: every write so far survives a process crash (see the class comment). */
    @Override
    public void flush() {
        Lock r = readLock();
        try {
            db.flushWal(false);
        } catch (RocksDBException e) {
            throw new ProcessorStateException("flushing store " + name + " failed", e);
        } finally {
            r.unlock();
        }
    }

    @Override
    public void close() {
        Lock w = lock.writeLock();
        w.lock();
        try {
            if (!open) {
                return;
            }
            open = false;
            for (BoundedRocksIterator it : openIterators) {
                it.closeNative();
            }
            openIterators.clear();
            for (ColumnFamilyHandle h : extraFamilies) {
                h.close();
            }
            db.close();
            if (extraFamilyOptions != null) {
                extraFamilyOptions.close();
            }
            writeOptions.close();
            options.close();
            if (privateCache != null) {
                privateCache.close();
            }
        } finally {
            w.unlock();
        }
    }

    @Override
    public boolean persistent() {
        return true;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public Position getPosition() {
        return position;
    }
}
