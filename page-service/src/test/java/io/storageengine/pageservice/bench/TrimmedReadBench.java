package io.storageengine.pageservice.bench;

import io.storageengine.pageservice.hotstore.RocksDbMemory;
import io.storageengine.pageservice.read.ColdPageSource;
import io.storageengine.pageservice.read.ColdVersion;
import io.storageengine.pageservice.read.PageReadException;
import io.storageengine.pageservice.read.PageRequest;
import io.storageengine.pageservice.read.PageVersion;
import io.storageengine.pageservice.read.StorePageReader;
import io.storageengine.pageservice.streams.StreamsSettings;
import io.storageengine.pageservice.topology.PageTopologyConfig;
import io.storageengine.pageservice.topology.SyntheticWal;
import io.storageengine.pageservice.topology.TopologyFixture;
import io.storageengine.schemas.page.PageKey;
import io.storageengine.schemas.page.VersionKey;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.Lsn;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * GetPage@LSN of pages whose versions were trimmed from the hot store (the state compaction
 * leaves: every version deleted from RocksDB once segments hold it), through
 * {@link StorePageReader} over the real topology's store: the hot-store scan finds nothing (only
 * tombstones) and the read continues into the cold tier, here an in-memory map holding exactly the
 * trimmed versions (so the figure is the hot side's cost plus reconstruction, not segment I/O).
 * {@code engine}: Kafka Streams' own RocksDB store (the baseline, same run) vs the
 * bounded-scan store; {@code flushed}: tombstones in the memtable vs flushed to SST files.
 * {@value #PAGES} pages, each an image and 3 deltas; 99% of pages trimmed. Sample-time mode.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 4, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx1g"})
public class TrimmedReadBench {
    private static final TimelineKey T = TimelineKey.of("be7cbe7cbe7cbe7cbe7cbe7cbe7cbe7c", "00000000000000000000000000000002");
    static final int PAGES = 20_000;

    @Param({"KAFKA_ROCKSDB", "BOUNDED"})
    public PageTopologyConfig.HotStoreEngine engine;

    @Param({"false", "true"})
    public boolean flushed;

    private RocksDbMemory memory;
    private TopologyFixture fx;
    private StorePageReader reader;
    private PageRequest[] requests;

    @Setup(Level.Trial)
    public void setUp() {
        memory = new RocksDbMemory(StreamsSettings.DEFAULT_ROCKSDB_MEMORY);
        fx = TopologyFixture.onSharedRocksDb(memory, engine);
        SyntheticWal wal = new SyntheticWal(7, 1_000);
        for (int p = 0; p < PAGES; p++) {
            wal.image(SyntheticWal.page(T, 1, p), wal.nextLsn(8));
        }
        fx.pipe(wal.drain());
        for (int d = 0; d < 3; d++) {
            for (int p = 0; p < PAGES; p++) {
                wal.delta(SyntheticWal.page(T, 1, p), wal.nextLsn(8));
            }
            fx.pipe(wal.drain());
        }
        wal.watermark(T, wal.lsn());
        fx.pipe(wal.drain());
        fx.versionsStore().flush();
        // trim: move every version of 99% of the pages to the cold map, deleting it from the store
        Map<ByteBuffer, List<ColdVersion>> cold = new HashMap<>();
        KeyValueStore<byte[], byte[]> store = fx.versionsStore();
        List<byte[]> trimmed = new ArrayList<>();
        try (KeyValueIterator<byte[], byte[]> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<byte[], byte[]> kv = it.next();
                if (kv.key.length != VersionKey.SIZE) {
                    continue;
                }
                byte[] page = java.util.Arrays.copyOf(kv.key, PageKey.SIZE);
                int block = ByteBuffer.wrap(page).getInt(PageKey.SIZE - 4);
                if (block % 100 == 0) {
                    continue;
                }
                cold.computeIfAbsent(ByteBuffer.wrap(page), k -> new ArrayList<>())
                        .add(0, new ColdVersion(VersionKey.lsnOf(kv.key), kv.value));
                trimmed.add(kv.key);
            }
        }
        for (byte[] k : trimmed) {
            store.delete(k);
        }
        if (flushed) {
            store.flush();
        }
        ColdPageSource source = new MapColdSource(cold);
        reader = new StorePageReader(fx, fx.registry(), source, Duration.ofSeconds(5));
        List<PageRequest> rs = new ArrayList<>();
        Lsn at = new Lsn(wal.lsn());
        for (int p = 0; p < PAGES; p++) {
            if (p % 100 != 0) {
                rs.add(new PageRequest(T, SyntheticWal.page(T, 1, p).page(), at, null, StorePageReader.NO_DEADLINE));
            }
        }
        requests = rs.toArray(PageRequest[]::new);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        fx.close();
        memory.close();
    }

    @Benchmark
    public PageVersion readTrimmedPage() throws PageReadException {
        return reader.read(requests[ThreadLocalRandom.current().nextInt(requests.length)]);
    }

    /** The cold tier as an in-memory map (newest first per page, stops at the image). */
    private record MapColdSource(Map<ByteBuffer, List<ColdVersion>> versions) implements ColdPageSource {
        @Override
        public List<ColdVersion> versions(byte[] pageKey, long maxLsn, boolean stopAtImage) {
            List<ColdVersion> all = versions.getOrDefault(ByteBuffer.wrap(pageKey), List.of());
            List<ColdVersion> out = new ArrayList<>(all.size());
            for (ColdVersion v : all) {
                if (!Lsn.isAfter(v.lsn(), maxLsn)) {
                    out.add(v);
                }
            }
            return out;
        }

        @Override
        public Lsn gcHorizon(TimelineKey timeline) {
            return Lsn.ZERO;
        }

        @Override
        public Lsn durableLsn(TimelineKey timeline) {
            return Lsn.ZERO;
        }
    }
}
