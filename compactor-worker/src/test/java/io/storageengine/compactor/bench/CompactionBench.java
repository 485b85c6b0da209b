package io.storageengine.compactor.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.storageengine.catalog.Catalog;
import io.storageengine.catalog.CatalogConfig;
import io.storageengine.catalog.job.CompactionJob;
import io.storageengine.catalog.offset.OffsetKey;
import io.storageengine.catalog.segmentmap.CatalogSegment;
import io.storageengine.compactor.worker.CompactorConfig;
import io.storageengine.compactor.worker.CompactorWorker;
import io.storageengine.ingest.walgen.WalGen;
import io.storageengine.schemas.segment.SegmentKind;
import io.storageengine.segments.segment.BulkIo;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.testsupport.KafkaTestBroker;
import io.storageengine.testsupport.LocalPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Compaction throughput benchmark ({@code ./se bench compaction}, scripts/bench-compaction.sh):
 * publishes a walgen stream of {@code --bytes} into a fresh topic (real broker: the in-JVM test
 * broker, or SE_TEST_KAFKA_BOOTSTRAP; real PostgreSQL: LocalPostgres or SE_TEST_PG_URL), then runs
 * one compactor worker with the production defaults (64 MiB L0, 128 MiB L1) and reports:
 * the L0 phase (WAL consumed, decoded, sorted, written and registered: WAL MB/s), the L0 → L1
 * merges (input MB/s from the catalog's job history) and the end-to-end rate until compaction
 * is quiet. Not a test: prints figures, asserts nothing.
 */
public final class CompactionBench {
    private CompactionBench() {
    }

    public static void main(String[] args) throws Exception {
        long bytes = 2L << 30;
        int partitions = 8;
        String compression = "none";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--bytes" -> bytes = parseSize(args[++i]);
                case "--partitions" -> partitions = Integer.parseInt(args[++i]);
                case "--compression" -> compression = args[++i];
                default -> throw new IllegalArgumentException(
                        "usage: CompactionBench [--bytes 2g] [--partitions 8] [--compression none|lz4|zstd|snappy|gzip]");
            }
        }
        KafkaTestBroker broker = KafkaTestBroker.shared();
        LocalPostgres pg = LocalPostgres.shared();
        String topic = broker.createUniqueTopic("bench-wal", partitions);
        String db = pg.createDatabase("bench");
        Path segDir = Files.createTempDirectory("se-bench-segments");

        TimelineKey timeline = TimelineKey.of(UUID.randomUUID().toString(), UUID.randomUUID().toString());
        long t0 = System.nanoTime();
        long walBytes = publish(broker, topic, timeline, bytes, compression);
        double pubSec = (System.nanoTime() - t0) / 1e9;
        System.out.printf("published %.1f MiB of WAL records to %d partitions in %.1f s (%.0f MB/s), producer compression %s%n",
                walBytes / 1048576.0, partitions, pubSec, walBytes / 1e6 / pubSec, compression);

        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("SE_KAFKA_BOOTSTRAP", broker.bootstrapServers());
        env.put("SE_WAL_TOPIC", topic);
        env.put("SE_CATALOG_URL", pg.jdbcUrl(db));
        env.put("SE_CATALOG_USER", pg.user());
        env.put("SE_CATALOG_PASSWORD", pg.password());
        env.put("SE_SEGMENT_DIR", segDir.toString());
        env.put("SE_COMPACTOR_ADMIN_PORT", "0");
        env.putIfAbsent("SE_COMPACTOR_L0_MAX_AGE", "2s");
        env.putIfAbsent("SE_COMPACTOR_IDLE_POLL", "200ms");
        // capacity, not politeness: unpaced unless asked (SE_COMPACTOR_PACING_CPU_SHARE)
        env.putIfAbsent("SE_COMPACTOR_PACING_CPU_SHARE", "1");
        CompactorConfig config = CompactorConfig.load(env);
        Map<Integer, Long> ends = endOffsets(broker, topic, partitions);
        Ceiling ceiling = rawRead(config, topic, ends);
        System.out.printf("ceiling: a plain KafkaConsumer (the worker's fetch settings) read %.1f MiB of values in %.1f s"
                + " (%.0f MB/s, %.1f CPU s)%n", ceiling.valueBytes() / 1048576.0, ceiling.seconds(),
                ceiling.valueBytes() / 1e6 / ceiling.seconds(), ceiling.cpuSeconds());

        try (Catalog catalog = Catalog.open(CatalogConfig.of(pg.jdbcUrl(db), pg.user(), pg.password()));
             CompactorWorker worker = CompactorWorker.start(config, new SimpleMeterRegistry())) {
            long start = System.nanoTime();
            while (!caughtUp(catalog, config, topic, ends)) {
                Thread.sleep(100);
            }
            double l0Sec = (System.nanoTime() - start) / 1e9;
            long lastChange = System.nanoTime();
            long version = catalog.segments().version();
            while (true) {
                Thread.sleep(250);
                long v = catalog.segments().version();
                long l0 = catalog.segments().active().stream().filter(s -> s.meta().level() == 0).count();
                if (v != version) {
                    version = v;
                    lastChange = System.nanoTime();
                } else if (System.nanoTime() - lastChange > 3e9 && l0 < (long) config.policy().l0Trigger() * partitions) {
                    break;
                }
            }
            double allSec = (lastChange - start) / 1e9;
            List<CompactionJob> jobs = IntStream.range(0, partitions).boxed()
                    .flatMap(p -> catalog.jobs().recent(p, 100_000).stream()).toList();
            long mergeIn = 0;
            long mergeOut = 0;
            double mergeSec = 0;
            int merges = 0;
            for (CompactionJob j : jobs) {
                if (j.kind().equals("merge_l0") && j.status() == CompactionJob.Status.SUCCEEDED) {
                    merges++;
                    mergeIn += j.bytesIn();
                    mergeOut += j.bytesOut();
                    mergeSec += Duration.between(j.startedAt(), j.endedAt()).toNanos() / 1e9;
                }
            }
            List<CatalogSegment> active = catalog.segments().active();
            long l0Bytes = 0;
            long l1Bytes = 0;
            for (CatalogSegment s : active) {
                if (s.meta().kind() == SegmentKind.DELTA && s.meta().level() == 0) {
                    l0Bytes += s.meta().sizeBytes();
                } else if (s.meta().kind() == SegmentKind.DELTA) {
                    l1Bytes += s.meta().sizeBytes();
                }
            }
            // CPU seconds of the worker's threads: throughput per core, independent of other load on the machine.
            double l0Cpu = cpuSeconds("compactor-wal-consumer") + cpuSeconds("compactor-l0-flusher");
            double l0User = userSeconds("compactor-wal-consumer") + userSeconds("compactor-l0-flusher");
            double jobsCpu = cpuSeconds("compactor-jobs");
            double jobsUser = userSeconds("compactor-jobs");
            // Everything the worker wrote: each WAL byte once into an L0 segment, then the merges' outputs.
            long written = walBytes + mergeOut;
            Floor floor = writeFloor(segDir, written, false);
            Floor directFloor = writeFloor(segDir, written, true);
            System.out.println();
            System.out.printf("load average now %.1f on %d cores%n",
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                    Runtime.getRuntime().availableProcessors());
            System.out.println("| phase | data | time | throughput | CPU time (worker threads) | of which kernel | MB per CPU second |");
            System.out.println("|---|---|---|---|---|---|---|");
            System.out.printf("| ceiling: plain KafkaConsumer reads the topic to the end | %.0f MiB WAL | %.1f s | %.0f MB/s | %.1f s | %.1f s | %.0f |%n",
                    ceiling.valueBytes() / 1048576.0, ceiling.seconds(), ceiling.valueBytes() / 1e6 / ceiling.seconds(),
                    ceiling.cpuSeconds(), ceiling.cpuSeconds() - ceiling.userSeconds(),
                    ceiling.valueBytes() / 1e6 / Math.max(ceiling.cpuSeconds(), 1e-9));
            for (Floor f : List.of(floor, directFloor)) {
                System.out.printf("| write floor: the bytes the worker wrote, 1 MiB writes to new 64 MiB files, fsync (%s) | %.0f MiB | %.1f s | %.0f MB/s | %.1f s | %.1f s | %.0f |%n",
                        f.mode(), written / 1048576.0, f.seconds(), written / 1e6 / f.seconds(), f.cpuSeconds(),
                        f.cpuSeconds() - f.userSeconds(), written / 1e6 / Math.max(f.cpuSeconds(), 1e-9));
            }
            System.out.printf("| L0 build (consume, decode, sort, write, register) | %.0f MiB WAL | %.1f s | %.0f MB/s | %.1f s | %.1f s | %.0f |%n",
                    walBytes / 1048576.0, l0Sec, walBytes / 1e6 / l0Sec, l0Cpu, l0Cpu - l0User, walBytes / 1e6 / l0Cpu);
            System.out.printf("| L0 build / ceiling | | | %.2f | | | |%n",
                    (walBytes / l0Sec) / (ceiling.valueBytes() / ceiling.seconds()));
            System.out.printf("| compaction jobs: %d L0 → L1 merges (job time) + images | %.0f MiB merged in, %.0f MiB out | %.1f s | %.0f MB/s | %.1f s | %.1f s | %.0f |%n",
                    merges, mergeIn / 1048576.0, mergeOut / 1048576.0, mergeSec, mergeIn / 1e6 / Math.max(mergeSec, 1e-9),
                    jobsCpu, jobsCpu - jobsUser, mergeIn / 1e6 / Math.max(jobsCpu, 1e-9));
            System.out.printf("| end to end (L0 + merges until quiet) | %.0f MiB WAL | %.1f s | %.0f MB/s | %.1f s | %.1f s | %.0f |%n",
                    walBytes / 1048576.0, allSec, walBytes / 1e6 / allSec, l0Cpu + jobsCpu, l0Cpu + jobsCpu - l0User - jobsUser,
                    walBytes / 1e6 / (l0Cpu + jobsCpu));
            Floor sameIo = config.bulkIo() == BulkIo.DIRECT ? directFloor : floor;
            double floorCpu = ceiling.cpuSeconds() * walBytes / Math.max(ceiling.valueBytes(), 1) + sameIo.cpuSeconds();
            System.out.printf("| end to end floor: ceiling's read + the write floor of the worker's I/O (%s) | %.0f MiB WAL | | | %.1f s | | %.0f |%n",
                    sameIo.mode(), walBytes / 1048576.0, floorCpu, walBytes / 1e6 / floorCpu);
            System.out.printf("%nactive now: %d segments, L0 %.0f MiB, L1 %.0f MiB; heap used %.0f MiB of max %.0f MiB%n",
                    active.size(), l0Bytes / 1048576.0, l1Bytes / 1048576.0,
                    (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) / 1048576.0,
                    Runtime.getRuntime().maxMemory() / 1048576.0);
        } finally {
            try (var files = Files.walk(segDir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            try (var admin = broker.admin()) {
                admin.deleteTopics(List.of(topic)).all().get();
            }
        }
        // A recording started with -XX:StartFlightRecording (BENCH_JFR) is written now: System.exit races
        // with the JVM's own dump-on-exit.
        for (jdk.jfr.Recording r : jdk.jfr.FlightRecorder.isAvailable()
                ? jdk.jfr.FlightRecorder.getFlightRecorder().getRecordings() : List.<jdk.jfr.Recording>of()) {
            if (r.getDestination() != null) {
                r.dump(r.getDestination());
            }
        }
        System.exit(0);
    }

    private static double cpuSeconds(String threadName) {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        return threadSeconds(threadName, mx::getThreadCpuTime);
    }

    /** User-mode CPU seconds of the named threads: the rest of {@link #cpuSeconds} is the kernel's. */
    private static double userSeconds(String threadName) {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        return threadSeconds(threadName, mx::getThreadUserTime);
    }

    private static double threadSeconds(String threadName, java.util.function.LongUnaryOperator nanosOfThread) {
        long ns = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals(threadName)) {
                ns += Math.max(0, nanosOfThread.applyAsLong(t.threadId()));
            }
        }
        return ns / 1e9;
    }

    /** What the write floor cost: I/O mode, wall seconds, CPU and user CPU seconds of the writing thread. */
    private record Floor(String mode, double seconds, double cpuSeconds, double userSeconds) {
    }

    /**
     * The least any compactor can spend putting {@code bytes} into segment files on this machine:
     * one thread writes them from one 1 MiB heap buffer into new 64 MiB files (as segments are,
     * kept until all are written, as segments are), fsyncs each, and nothing else; then deletes
     * them. {@code direct}: with {@code O_DIRECT}, as the worker's {@link BulkIo#DIRECT}. On a VM
     * whose guest returns freed pages to the host, filling the page cache costs kernel time per page.
     */
    private static Floor writeFloor(Path dir, long bytes, boolean direct) throws java.io.IOException {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        // As the worker's writers: a heap buffer through the page cache, an aligned native one for O_DIRECT.
        byte[] random = new byte[1 << 20];
        new java.util.Random(1).nextBytes(random);
        java.nio.ByteBuffer buf = direct
                ? java.nio.ByteBuffer.allocateDirect((1 << 20) + 65536).alignedSlice(65536)
                        .limit(1 << 20).slice().put(random)
                : java.nio.ByteBuffer.wrap(random);
        long cpu0 = mx.getCurrentThreadCpuTime();
        long user0 = mx.getCurrentThreadUserTime();
        long t0 = System.nanoTime();
        long left = (bytes + (1 << 20) - 1) & -(1L << 20); // whole 1 MiB writes: aligned for O_DIRECT
        List<Path> files = new java.util.ArrayList<>();
        String mode = "page cache";
        for (int n = 0; left > 0; n++) {
            Path f = dir.resolve("floor-" + n);
            files.add(f);
            java.nio.channels.FileChannel opened = null;
            if (direct) {
                try { // 1 MiB writes from a 64 KiB-aligned buffer suit any block size up to 64 KiB
                    opened = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.CREATE_NEW,
                            java.nio.file.StandardOpenOption.WRITE, com.sun.nio.file.ExtendedOpenOption.DIRECT);
                    mode = "O_DIRECT";
                } catch (java.io.IOException | UnsupportedOperationException e) {
                    Files.deleteIfExists(f);
                    mode = "O_DIRECT refused here (" + e.getMessage() + "): page cache";
                }
            }
            if (opened == null) {
                opened = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.CREATE,
                        java.nio.file.StandardOpenOption.WRITE);
            }
            try (java.nio.channels.FileChannel ch = opened) {
                for (long inFile = 0; inFile < (64L << 20) && left > 0; ) {
                    buf.clear().limit((int) Math.min(buf.capacity(), left));
                    while (buf.hasRemaining()) {
                        int w = ch.write(buf);
                        inFile += w;
                        left -= w;
                    }
                }
                ch.force(true);
            }
        }
        Floor floor = new Floor(mode, (System.nanoTime() - t0) / 1e9, (mx.getCurrentThreadCpuTime() - cpu0) / 1e9,
                (mx.getCurrentThreadUserTime() - user0) / 1e9);
        for (Path f : files) {
            Files.delete(f);
        }
        return floor;
    }

    private static long publish(KafkaTestBroker broker, String topic, TimelineKey timeline, long bytes, String compression)
            throws Exception {
        Map<String, Object> cfg = broker.producerConfig();
        cfg.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
        cfg.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "bench-" + UUID.randomUUID());
        cfg.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        cfg.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        cfg.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 128L << 20);
        AtomicLong sent = new AtomicLong();
        WalGen gen = WalGen.builder().seed(42).relations(64).pagesPerRelation(1024).imageRatio(0.3).bytes(bytes).build();
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(cfg)) {
            p.initTransactions();
            p.beginTransaction();
            long inTx = 0;
            for (WalGen.Item it : gen) {
                if (!it.isPublishedPageRecord()) {
                    continue;
                }
                p.send(new ProducerRecord<>(topic, it.pageKey(timeline), it.bytes()));
                sent.addAndGet(it.bytes().length);
                if ((inTx += it.bytes().length) > (64L << 20)) {
                    p.commitTransaction();
                    p.beginTransaction();
                    inTx = 0;
                }
            }
            p.commitTransaction();
        }
        return sent.get();
    }

    /** What the plain consumer read: value bytes, wall seconds, CPU seconds of the reading thread. */
    private record Ceiling(long valueBytes, double seconds, double cpuSeconds, double userSeconds) {
    }

    /**
     * The ceiling for the L0 build: a plain KafkaConsumer with the worker's own client settings
     * (read_committed, same fetch sizes, byte-array values) reads every partition from the
     * beginning to {@code ends}, doing nothing with the records but counting their bytes.
     */
    private static Ceiling rawRead(CompactorConfig config, String topic, Map<Integer, Long> ends) {
        java.util.Properties props = config.walConsumerProperties();
        props.remove(org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_ID_CONFIG);
        props.put(org.apache.kafka.clients.consumer.ConsumerConfig.CLIENT_ID_CONFIG, "bench-ceiling");
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        try (KafkaConsumer<byte[], java.nio.ByteBuffer> c = new KafkaConsumer<>(props)) {
            List<TopicPartition> tps = ends.keySet().stream().map(p -> new TopicPartition(topic, p)).toList();
            c.assign(tps);
            c.seekToBeginning(tps);
            long cpu0 = mx.getCurrentThreadCpuTime();
            long user0 = mx.getCurrentThreadUserTime();
            long t0 = System.nanoTime();
            long bytes = 0;
            while (true) {
                for (var r : c.poll(Duration.ofMillis(200))) {
                    bytes += r.value() == null ? 0 : r.value().remaining();
                }
                boolean done = true;
                for (TopicPartition tp : tps) {
                    if (c.position(tp) < ends.get(tp.partition())) {
                        done = false;
                        break;
                    }
                }
                if (done) {
                    break;
                }
            }
            return new Ceiling(bytes, (System.nanoTime() - t0) / 1e9, (mx.getCurrentThreadCpuTime() - cpu0) / 1e9,
                    (mx.getCurrentThreadUserTime() - user0) / 1e9);
        }
    }

    private static Map<Integer, Long> endOffsets(KafkaTestBroker broker, String topic, int partitions) {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(broker.consumerConfig("bench-end"))) {
            Map<Integer, Long> m = new HashMap<>();
            c.endOffsets(IntStream.range(0, partitions).mapToObj(p -> new TopicPartition(topic, p)).toList())
                    .forEach((tp, o) -> m.put(tp.partition(), o));
            return m;
        }
    }

    private static boolean caughtUp(Catalog catalog, CompactorConfig config, String topic, Map<Integer, Long> ends) {
        for (Map.Entry<Integer, Long> e : ends.entrySet()) {
            var o = catalog.offsets().committed(new OffsetKey(config.consumerGroup(), topic, e.getKey()));
            if (o.isEmpty() || o.getAsLong() < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private static long parseSize(String s) {
        String t = s.trim().toLowerCase();
        long mult = switch (t.charAt(t.length() - 1)) {
            case 'k' -> 1L << 10;
            case 'm' -> 1L << 20;
            case 'g' -> 1L << 30;
            default -> 1;
        };
        return Long.parseLong(mult == 1 ? t : t.substring(0, t.length() - 1)) * mult;
    }
}
