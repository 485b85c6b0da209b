package io.storageengine.pageservice.hotstore.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsMetrics;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.processor.BatchingStateRestoreCallback;
import org.apache.kafka.streams.processor.CommitCallback;
import org.apache.kafka.streams.processor.StateRestoreCallback;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link BoundedRocksStore} against a {@link TreeMap} reference: seeded random puts and deletes
 * (dense runs of deleted keys, as hot-store trimming leaves), then every scan kind over random
 * bounds must return exactly the reference's entries in order; plus restore, the empty range,
 * and reads after close. Real RocksDB in a temp dir; no Kafka.
 */
class BoundedRocksStoreTest {
    private static final long SEED = Long.getLong("seed", 20261126L);

    @TempDir
    Path dir;
    private BoundedRocksStore store;
    private Context context;
    private final NavigableMap<Bytes, byte[]> reference = new TreeMap<>();

    @BeforeEach
    void open() {
        store = new BoundedRocksStore("page-versions", BoundedRocksStore.SharedMemory.NONE);
        context = new Context(dir.toFile());
        store.init(context, store);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static Bytes key(Random r) {
        byte[] k = new byte[3];
        k[0] = (byte) r.nextInt(4);
        k[1] = (byte) (r.nextInt(3) == 0 ? 0xFF : r.nextInt(256)); // some 0xFF bytes for bound edge cases
        k[2] = (byte) r.nextInt(256);
        return Bytes.wrap(r.nextInt(10) == 0 ? Arrays.copyOf(k, 2) : k); // some shorter keys: prefixes of others
    }

    @Test
    void scansMatchTheReferenceOverRandomRangesWithDeletedRuns() {
        Random r = new Random(SEED);
        for (int i = 0; i < 20_000; i++) {
            Bytes k = key(r);
            byte[] v = new byte[1 + r.nextInt(8)];
            r.nextBytes(v);
            store.put(k, v);
            reference.put(k, v);
        }
        List<Bytes> keys = new ArrayList<>(reference.keySet());
        for (int run = 0; run < 40; run++) { // trimmed runs: contiguous deleted keys
            int start = r.nextInt(keys.size());
            for (int j = start; j < Math.min(keys.size(), start + r.nextInt(400)); j++) {
                Bytes k = keys.get(j);
                if (r.nextBoolean()) {
                    store.delete(k);
                } else {
                    store.put(k, null);
                }
                reference.remove(k);
            }
        }
        if (r.nextBoolean()) {
            store.flush();
        }
        for (int q = 0; q < 500; q++) {
            Bytes a = r.nextInt(20) == 0 ? null : key(r);
            Bytes b = r.nextInt(20) == 0 ? null : key(r);
            String what = "seed " + SEED + " query " + q + " [" + a + ", " + b + "]";
            assertThat(drain(store.range(a, b))).as(what).isEqualTo(expected(a, b, false));
            assertThat(drain(store.reverseRange(a, b))).as(what).isEqualTo(expected(a, b, true));
        }
        assertThat(drain(store.all())).isEqualTo(expected(null, null, false));
        assertThat(drain(store.reverseAll())).isEqualTo(expected(null, null, true));
        byte[] prefix = {2};
        List<String> pre = new ArrayList<>();
        reference.forEach((k, v) -> {
            if (k.get()[0] == 2) {
                pre.add(entry(k, v));
            }
        });
        assertThat(drain(store.prefixScan(prefix, new ByteArraySerializer()))).isEqualTo(pre);
        assertThat(drain(store.prefixScan(new byte[] {(byte) 0xFF}, new ByteArraySerializer()))).isEmpty();
    }

    private List<String> expected(Bytes a, Bytes b, boolean reverse) {
        if (a != null && b != null && a.compareTo(b) > 0) {
            return List.of();
        }
        NavigableMap<Bytes, byte[]> m = reference;
        if (a != null) {
            m = m.tailMap(a, true);
        }
        if (b != null) {
            m = m.headMap(b, true);
        }
        if (reverse) {
            m = m.descendingMap();
        }
        List<String> out = new ArrayList<>();
        m.forEach((k, v) -> out.add(entry(k, v)));
        return out;
    }

    private static String entry(Bytes k, byte[] v) {
        return k + "=" + Arrays.toString(v);
    }

    private static List<String> drain(KeyValueIterator<Bytes, byte[]> it) {
        List<String> out = new ArrayList<>();
        try (it) {
            while (it.hasNext()) {
                Bytes peek = it.peekNextKey();
                KeyValue<Bytes, byte[]> kv = it.next();
                assertThat(kv.key).isEqualTo(peek);
                out.add(entry(kv.key, kv.value));
            }
        }
        return out;
    }

    @Test
    void restoreAppliesPutsAndDeletesInOrder() {
        Bytes a = Bytes.wrap(new byte[] {1});
        Bytes b = Bytes.wrap(new byte[] {2});
        store.put(a, new byte[] {9});
        context.restore.restoreAll(List.of(new KeyValue<>(b.get(), new byte[] {7}), new KeyValue<>(a.get(), null),
                new KeyValue<>(b.get(), new byte[] {8})));
        assertThat(store.get(a)).isNull();
        assertThat(store.get(b)).containsExactly(8);
        assertThat(store.putIfAbsent(b, new byte[] {1})).containsExactly(8);
        assertThat(store.putIfAbsent(a, new byte[] {1})).isNull();
        assertThat(store.get(a)).containsExactly(1);
        store.putAll(List.of(new KeyValue<>(a, null), new KeyValue<>(b, new byte[] {3})));
        assertThat(drain(store.all())).containsExactly(entry(b, new byte[] {3}));
    }

    @Test
    void closingTheStoreEndsOpenIteratorsAndReads() {
        store.put(Bytes.wrap(new byte[] {1}), new byte[] {1});
        store.put(Bytes.wrap(new byte[] {2}), new byte[] {2});
        KeyValueIterator<Bytes, byte[]> it = store.all();
        assertThat(it.next().key).isEqualTo(Bytes.wrap(new byte[] {1}));
        assertThat(it.hasNext()).isTrue(); // read ahead before the close
        store.close();
        assertThat(store.isOpen()).isFalse();
        it.next(); // the entry read ahead is still handed out
        assertThatThrownBy(it::hasNext).isInstanceOf(InvalidStateStoreException.class);
        it.close();
        assertThatThrownBy(() -> store.get(Bytes.wrap(new byte[] {1}))).isInstanceOf(InvalidStateStoreException.class);
        assertThatThrownBy(store::all).isInstanceOf(InvalidStateStoreException.class);
    }

    @Test
    void readersRacingTheStoresCloseEndWithAnErrorNotADeadlockOrACrash() throws Exception {
        for (int i = 0; i < 2_000; i++) {
            store.put(Bytes.wrap(new byte[] {(byte) (i >> 8), (byte) i}), new byte[] {1});
        }
        List<Thread> readers = new ArrayList<>();
        java.util.concurrent.atomic.AtomicInteger ended = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.CountDownLatch running = new java.util.concurrent.CountDownLatch(4);
        for (int t = 0; t < 4; t++) {
            Thread th = new Thread(() -> {
                running.countDown();
                try {
                    while (true) {
                        try (KeyValueIterator<Bytes, byte[]> it = store.reverseRange(null, null)) {
                            while (it.hasNext()) {
                                it.next();
                            }
                        }
                    }
                } catch (InvalidStateStoreException e) {
                    ended.incrementAndGet();
                }
            });
            th.start();
            readers.add(th);
        }
        running.await();
        Thread.sleep(50);
        store.close();
        for (Thread th : readers) {
            th.join(60_000);
            assertThat(th.isAlive()).as("reader still running 60 s after close: deadlock").isFalse();
        }
        assertThat(ended).hasValue(4);
    }

    @Test
    void dataSurvivesCloseAndReopen() {
        store.put(Bytes.wrap(new byte[] {5}), new byte[] {6});
        store.flush();
        store.close();
        store = new BoundedRocksStore("page-versions", BoundedRocksStore.SharedMemory.NONE);
        store.init(new Context(dir.toFile()), store);
        assertThat(store.get(Bytes.wrap(new byte[] {5}))).containsExactly(6);
        assertThat(store.approximateNumEntries()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void opensADirectoryKafkaStreamsOwnStoreWroteWithItsOffsetsColumnFamily() throws Exception {
        store.close();
        File db = new File(new File(dir.toFile(), BoundedRocksStore.DIR), "page-versions");
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(db.toPath())) {
            for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.delete(f);
            }
        }
        db.mkdirs();
        try (org.rocksdb.DBOptions o = new org.rocksdb.DBOptions().setCreateIfMissing(true)
                .setCreateMissingColumnFamilies(true);
             org.rocksdb.ColumnFamilyOptions cf = new org.rocksdb.ColumnFamilyOptions()) {
            List<org.rocksdb.ColumnFamilyHandle> handles = new ArrayList<>();
            try (org.rocksdb.RocksDB raw = org.rocksdb.RocksDB.open(o, db.getAbsolutePath(), List.of(
                    new org.rocksdb.ColumnFamilyDescriptor(org.rocksdb.RocksDB.DEFAULT_COLUMN_FAMILY, cf),
                    new org.rocksdb.ColumnFamilyDescriptor("offsets".getBytes(), cf)), handles)) {
                raw.put(new byte[] {4}, new byte[] {2});
                raw.put(handles.get(1), new byte[] {1}, new byte[] {1});
                handles.forEach(org.rocksdb.ColumnFamilyHandle::close);
            }
        }
        store = new BoundedRocksStore("page-versions", BoundedRocksStore.SharedMemory.NONE);
        store.init(new Context(dir.toFile()), store);
        assertThat(drain(store.all())).containsExactly(entry(Bytes.wrap(new byte[] {4}), new byte[] {2}));
        store.put(Bytes.wrap(new byte[] {5}), new byte[] {5});
        assertThat(store.get(Bytes.wrap(new byte[] {5}))).containsExactly(5);
    }

    @Test
    void flushMakesEveryWriteDurableWithoutClosingTheStore() throws Exception {
        File db = new File(new File(dir.toFile(), BoundedRocksStore.DIR), "page-versions");
        store.put(Bytes.wrap(new byte[] {1}), new byte[] {1});
        store.flush();
        store.put(Bytes.wrap(new byte[] {2}), new byte[] {2}); // after the last flush: may be lost in a crash
        // a second, read-only open sees what is on disk now (SST files and the WAL), as a restart after a crash would
        try (org.rocksdb.Options o = new org.rocksdb.Options();
             org.rocksdb.RocksDB onDisk = org.rocksdb.RocksDB.openReadOnly(o, db.getAbsolutePath())) {
            assertThat(onDisk.get(new byte[] {1})).containsExactly(1);
        }
        store.flush();
        try (org.rocksdb.Options o = new org.rocksdb.Options();
             org.rocksdb.RocksDB onDisk = org.rocksdb.RocksDB.openReadOnly(o, db.getAbsolutePath())) {
            assertThat(onDisk.get(new byte[] {2})).containsExactly(2);
        }
    }

    @Test
    void successorOfPrefix() {
        assertThat(BoundedRocksStore.successorOfPrefix(new byte[] {1, 2})).containsExactly(1, 3);
        assertThat(BoundedRocksStore.successorOfPrefix(new byte[] {1, (byte) 0xFF})).containsExactly(2);
        assertThat(BoundedRocksStore.successorOfPrefix(new byte[] {(byte) 0xFF, (byte) 0xFF})).isNull();
    }

    /** A minimal StateStoreContext: a state dir, no app configs, and the registered restore callback. */
    private static final class Context implements StateStoreContext {
        private final File stateDir;
        BatchingStateRestoreCallback restore;

        Context(File stateDir) {
            this.stateDir = stateDir;
        }

        @Override
        public String applicationId() {
            return "test";
        }

        @Override
        public TaskId taskId() {
            return new TaskId(0, 0);
        }

        @Override
        public Optional<RecordMetadata> recordMetadata() {
            return Optional.empty();
        }

        @Override
        public Serde<?> keySerde() {
            return null;
        }

        @Override
        public Serde<?> valueSerde() {
            return null;
        }

        @Override
        public File stateDir() {
            return stateDir;
        }

        @Override
        public StreamsMetrics metrics() {
            return null;
        }

        @Override
        public void register(StateStore store, StateRestoreCallback callback) {
            restore = (BatchingStateRestoreCallback) callback;
        }

        @Override
        public void register(StateStore store, StateRestoreCallback callback, CommitCallback commit) {
            register(store, callback);
        }

        @Override
        public Map<String, Object> appConfigs() {
            return Map.of();
        }

        @Override
        public Map<String, Object> appConfigsWithPrefix(String prefix) {
            return Map.of();
        }
    }

}
