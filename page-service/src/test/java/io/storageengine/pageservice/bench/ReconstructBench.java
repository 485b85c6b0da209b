package io.storageengine.pageservice.bench;

import io.storageengine.pageservice.hotstore.RocksDbMemory;
import io.storageengine.postgres.redo.RedoBenchFixture;
import io.storageengine.schemas.wal.FrameCodec;
import io.storageengine.schemas.wal.RecordType;
import io.storageengine.testsupport.PagePayloads;
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
 * run. {@code records}: SYNTHETIC deltas (PAGE_DELTA, random patches) or PG real PostgreSQL 15
 * records (PG_RECORD frames of a captured Heap/INSERT, replayed by the JVM redo engine through
 * page-core's {@code PgRedo} provider, on the captured heap page as the image). Sample-time mode:
 * read p0.95 from the percentiles JMH prints.
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

    /** The records after each image: synthetic deltas or PostgreSQL records replayed by our redo. */
    @Param({"SYNTHETIC", "PG"})
    public String records;

    private RocksDbMemory memory;
    private TopologyFixture fx;
    private StorePageReader reader;
    private PageRequest[] requests;
    private long chainStart = Long.MAX_VALUE;
    private final byte[] baselinePage = new byte[8192];

    @Setup(Level.Trial)
    public void setUp() throws PageReadException {
        memory = new RocksDbMemory(StreamsSettings.DEFAULT_ROCKSDB_MEMORY);
        fx = TopologyFixture.onSharedRocksDb(memory, engine);
        SyntheticWal wal;
        if (records.equals("PG")) {
            wal = pgChain(fx);
        } else {
            wal = new SyntheticWal(chain, 1_000);
            for (int p = 0; p < PAGES; p++) {
                wal.image(SyntheticWal.page(T, 1, p), wal.nextLsn(8));
            }
            for (int d = 0; d < chain; d++) {
                for (int p = 0; p < PAGES; p++) {
                    wal.delta(SyntheticWal.page(T, 1, p), wal.nextLsn(8));
                }
                fx.pipe(wal.drain());
            }
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
        if (records.equals("PG") && chain > 0) { // the redo really ran: the page carries the last record's LSN
            byte[] page = reader.read(requests[0]).page();
            long pdLsn = (Integer.toUnsignedLong(java.nio.ByteBuffer.wrap(page, 0, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                    .getInt()) << 32) | Integer.toUnsignedLong(java.nio.ByteBuffer.wrap(page, 4, 4)
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt());
            if (pdLsn <= chainStart) {
                throw new IllegalStateException("PostgreSQL records were not replayed: pd_lsn " + Lsn.format(pdLsn));
            }
        }
    }

    /**
     * The captured heap page as each page's image, then {@code chain} Heap/INSERT records per page
     * (each into the next free slot), as PG_RECORD frames at increasing LSNs above the page's LSN.
     */
    private SyntheticWal pgChain(TopologyFixture fx) {
        RedoBenchFixture.Chain c;
        try (var in = RedoBenchFixture.class.getResourceAsStream("/redo/pg15-redo.fixtures.gz")) {
            c = RedoBenchFixture.heapInsertChain(in, Math.max(chain, 1));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        SyntheticWal wal = new SyntheticWal(chain, c.endLsns()[0]);
        for (int p = 0; p < PAGES; p++) {
            PageKey key = SyntheticWal.page(T, 1, p);
            long lsn = wal.nextLsn(8);
            wal.add(key.toBytes(), FrameCodec.encode(lsn, RecordType.PAGE_IMAGE,
                    PagePayloads.image(key.page(), c.image())), lsn);
        }
        chainStart = wal.lsn();
        for (int d = 0; d < chain; d++) {
            for (int p = 0; p < PAGES; p++) {
                PageKey key = SyntheticWal.page(T, 1, p);
                long lsn = wal.nextLsn(8);
                wal.add(key.toBytes(), FrameCodec.encode(lsn, RecordType.PG_RECORD, PagePayloads.pgRecord(
                        key.page(), c.blockId(), 0, java.nio.ByteBuffer.wrap(c.records()[d]))), lsn);
            }
            fx.pipe(wal.drain());
        }
        return wal;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        fx.close();
        memory.close();
    }

    /** The same-run baseline for regression checks: copying one 8 KiB page. */
    @Benchmark
    public byte[] copyPageBaseline() {
        return baselinePage.clone();
    }

    @Benchmark
    public PageVersion reconstruct() throws PageReadException {
        return reader.read(requests[ThreadLocalRandom.current().nextInt(PAGES)]);
    }
}
