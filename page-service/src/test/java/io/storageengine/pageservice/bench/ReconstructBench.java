package io.storageengine.pageservice.bench;

import io.storageengine.pageservice.hotstore.RocksDbMemory;
import io.storageengine.pageservice.read.ColdPageSource;
import io.storageengine.pageservice.read.PageReadException;
import io.storageengine.pageservice.read.PageRequest;
import io.storageengine.pageservice.read.PageVersion;
import io.storageengine.pageservice.read.StorePageReader;
import io.storageengine.pageservice.streams.StreamsSettings;
import io.storageengine.pageservice.topology.PageTopologyConfig;
import io.storageengine.pageservice.topology.SyntheticWal;
import io.storageengine.pageservice.topology.TopologyFixture;
import io.storageengine.schemas.page.PageKey;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.Lsn;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
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
 * In-process GetPage@LSN through {@link StorePageReader} over the real topology's RocksDB store
 * (TopologyTestDriver, bounded-memory config, memtables flushed to SST files): partition lookup,
 * watermark check, reverse scan down to the image, delta application. {@code chain} deltas follow
 * each page's image; every read asks for the page at the newest LSN, so it applies the whole
 * chain. {@code engine}: the bounded-scan store vs Kafka Streams' own RocksDB store in the same
 * run. Sample-time mode: read p0.95 from the percentiles JMH prints.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx1g"})
public class ReconstructBench {
    private static final TimelineKey T = TimelineKey.of("be7cbe7cbe7cbe7cbe7cbe7cbe7cbe7c", "00000000000000000000000000000001");
    private static final int PAGES = 1_000;

    @Param({"0", "8", "32"})
    public int chain;

    /** The hot store's engine: ours (bounded scans) or Kafka Streams' RocksDB store, the baseline. */
    @Param({"BOUNDED", "KAFKA_ROCKSDB"})
    public PageTopologyConfig.HotStoreEngine engine;

    private RocksDbMemory memory;
    private TopologyFixture fx;
    private StorePageReader reader;
    private PageRequest[] requests;

    @Setup(Level.Trial)
    public void setUp() {
        memory = new RocksDbMemory(StreamsSettings.DEFAULT_ROCKSDB_MEMORY);
        fx = TopologyFixture.onSharedRocksDb(memory, engine);
        SyntheticWal wal = new SyntheticWal(chain, 1_000);
        for (int p = 0; p < PAGES; p++) {
            wal.image(SyntheticWal.page(T, 1, p), wal.nextLsn(8));
        }
        for (int d = 0; d < chain; d++) {
            for (int p = 0; p < PAGES; p++) {
                wal.delta(SyntheticWal.page(T, 1, p), wal.nextLsn(8));
            }
            fx.pipe(wal.drain());
        }
        wal.watermark(T, wal.lsn());
        fx.pipe(wal.drain());
        fx.versionsStore().flush();
        reader = new StorePageReader(fx, fx.registry(), ColdPageSource.none(), Duration.ofSeconds(5));
        requests = new PageRequest[PAGES];
        Lsn at = new Lsn(wal.lsn());
        for (int p = 0; p < PAGES; p++) {
            PageKey key = SyntheticWal.page(T, 1, p);
            requests[p] = new PageRequest(T, key.page(), at, null, StorePageReader.NO_DEADLINE);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        fx.close();
        memory.close();
    }

    @Benchmark
    public PageVersion reconstruct() throws PageReadException {
        return reader.read(requests[ThreadLocalRandom.current().nextInt(PAGES)]);
    }
}
