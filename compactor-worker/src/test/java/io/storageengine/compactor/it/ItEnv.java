package io.storageengine.compactor.it;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.storageengine.catalog.Catalog;
import io.storageengine.catalog.CatalogConfig;
import io.storageengine.catalog.offset.OffsetKey;
import io.storageengine.compactor.compaction.CompactionPolicy;
import io.storageengine.compactor.worker.CompactorConfig;
import io.storageengine.compactor.worker.CompactorWorker;
import io.storageengine.schemas.segment.SegmentKind;
import io.storageengine.segments.store.DirectorySegmentStore;
import io.storageengine.testsupport.KafkaTestBroker;
import io.storageengine.testsupport.LocalPostgres;
import io.storageengine.testsupport.PrometheusProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * One IT's world: the shared broker and PostgreSQL, a fresh topic, catalog database and segment
 * directory, and the environment a worker (in-process or a child process) runs with.
 */
final class ItEnv implements AutoCloseable {
    final KafkaTestBroker broker = KafkaTestBroker.shared();
    final LocalPostgres pg;
    final int partitions;
    final String topic;
    final String database;
    final Path segmentDir;
    final Map<String, String> env = new HashMap<>();
    final Catalog catalog;
    final DirectorySegmentStore store;

    ItEnv(Path dir, int partitions) throws IOException {
        this(dir, partitions, LocalPostgres.shared(), null);
    }

    /** On {@code pg} with {@code replica} (may be null) as the catalog's streaming replica (SE_CATALOG_REPLICAS). */
    ItEnv(Path dir, int partitions, LocalPostgres pg, LocalPostgres replica) throws IOException {
        this.pg = pg;
        this.partitions = partitions;
        this.topic = broker.createUniqueTopic("wal", partitions);
        this.database = pg.createDatabase("compactor");
        this.segmentDir = dir.resolve("segments");
        env.put("SE_KAFKA_BOOTSTRAP", broker.bootstrapServers());
        env.put("SE_WAL_TOPIC", topic);
        env.put("SE_CATALOG_URL", pg.jdbcUrl(database));
        env.put("SE_CATALOG_USER", pg.user());
        env.put("SE_CATALOG_PASSWORD", pg.password());
        env.put("SE_SEGMENT_DIR", segmentDir.toString());
        env.put("SE_COMPACTOR_ADMIN_PORT", "0");
        env.put("SE_COMPACTOR_L0_SEGMENT_BYTES", Integer.toString(256 * 1024));
        env.put("SE_COMPACTOR_L0_MAX_AGE", "1s");
        env.put("SE_COMPACTOR_MEMORY_BUDGET_BYTES", Integer.toString(2 << 20));
        env.put("SE_COMPACTOR_L0_TRIGGER", "3");
        env.put("SE_COMPACTOR_L1_TARGET_BYTES", Integer.toString(512 * 1024));
        env.put("SE_COMPACTOR_IMAGE_CHAIN_THRESHOLD", "2");
        env.put("SE_COMPACTOR_RETENTION_LSN_BYTES", Long.toString(1L << 40));
        env.put("SE_COMPACTOR_IDLE_POLL", "200ms");
        env.put("SE_COMPACTOR_LEASE_TTL", "4s");
        env.put("SE_COMPACTOR_GC_GRACE", "2s");
        env.put("SE_COMPACTOR_GC_INTERVAL", "1s");
        CatalogConfig catalogConfig = CatalogConfig.of(pg.jdbcUrl(database), pg.user(), pg.password());
        if (replica != null) {
            env.put("SE_CATALOG_REPLICAS", replica.jdbcUrl(database));
            env.put("SE_CATALOG_CONNECTION_TIMEOUT", "1s");
            env.put("SE_CATALOG_HEALTH_INTERVAL", "200ms");
            catalogConfig = catalogConfig.withOptions(catalogConfig.options().withReplicas(List.of(replica.jdbcUrl(database))));
        }
        this.catalog = Catalog.open(catalogConfig);
        this.store = new DirectorySegmentStore(segmentDir);
    }

    CompactorConfig config() {
        return CompactorConfig.load(env);
    }

    CompactionPolicy policy() {
        return config().policy();
    }

    CompactorWorker startWorker() throws IOException {
        return CompactorWorker.start(config(), new SimpleMeterRegistry());
    }

    /** The last stable offset of every partition (all transactions here are committed). */
    Map<Integer, Long> endOffsets() {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(broker.consumerConfig("end-offsets"))) {
            List<TopicPartition> tps = IntStream.range(0, partitions).mapToObj(p -> new TopicPartition(topic, p)).toList();
            Map<Integer, Long> m = new HashMap<>();
            c.endOffsets(tps).forEach((tp, o) -> m.put(tp.partition(), o));
            return m;
        }
    }

    boolean caughtUp(Map<Integer, Long> ends) {
        for (Map.Entry<Integer, Long> e : ends.entrySet()) {
            OptionalLong o = catalog.offsets().committed(new OffsetKey("compactor", topic, e.getKey()));
            if (o.isEmpty() || o.getAsLong() < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** Whether compaction is quiet: every partition below the L0 trigger and the map unchanged for a while. */
    boolean settled(Duration quiet) throws InterruptedException {
        long v = catalog.segments().version();
        Thread.sleep(quiet.toMillis());
        long l0Max = IntStream.range(0, partitions).mapToLong(p -> catalog.segments().active(p).stream()
                .filter(s -> s.meta().kind() == SegmentKind.DELTA && s.meta().level() == 0).count()).max().orElse(0);
        return v == catalog.segments().version() && l0Max < policy().l0Trigger();
    }

    void awaitCaughtUpAndSettled(Duration timeout) throws InterruptedException {
        Map<Integer, Long> ends = endOffsets();
        await(timeout, () -> caughtUp(ends), "worker caught up with " + ends);
        await(timeout, () -> {
            try {
                return settled(Duration.ofSeconds(2));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }, () -> "compaction settled; " + describe());
    }

    /**
     * What the catalog says of each partition (active segments by kind and level, its newest jobs
     * with their errors): printed when a wait times out, so a CI failure shows why.
     */
    String describe() {
        try {
            return describeOrThrow();
        } catch (RuntimeException e) {
            return "(catalog unreadable: " + e + ")";
        }
    }

    private String describeOrThrow() {
        StringBuilder b = new StringBuilder("segment map version ").append(catalog.segments().version());
        for (int p = 0; p < partitions; p++) {
            b.append("\n  partition ").append(p).append(": ");
            catalog.segments().active(p).forEach(s -> b.append(s.meta().kind()).append("/L").append(s.meta().level())
                    .append(' ').append(s.meta().name()).append("; "));
            for (var j : catalog.jobs().recent(p, 5)) {
                b.append("\n    job ").append(j.kind()).append(' ').append(j.status()).append(" epoch ").append(j.epoch())
                        .append(" started ").append(j.startedAt()).append(j.error() == null ? "" : " error: " + j.error());
            }
        }
        return b.toString();
    }

    /** A compactor worker process ({@code Main run}) with this environment; its output in target/it-NAME.log. */
    Process spawnWorker(String name) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                "io.storageengine.compactor.Main", "run");
        pb.environment().putAll(env);
        pb.redirectErrorStream(true);
        pb.redirectOutput(Path.of("target", "it-" + name + ".log").toFile());
        return pb.start();
    }

    /**
     * Picks a free port as the workers' admin port ({@code SE_COMPACTOR_ADMIN_PORT}: one for every
     * worker spawned from here, so a replaced worker is the same Prometheus target) and has
     * {@code prometheus} scrape it as job {@code compactor}. @return the port
     */
    int adminPortWatchedBy(PrometheusProcess prometheus) throws IOException, InterruptedException {
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            port = free.getLocalPort();
        }
        env.put("SE_COMPACTOR_ADMIN_PORT", Integer.toString(port));
        prometheus.addTarget("compactor", "127.0.0.1:" + port);
        return port;
    }

    static void await(Duration timeout, BooleanSupplier cond, String what) throws InterruptedException {
        await(timeout, cond, () -> what);
    }

    /** As {@link #await(Duration, BooleanSupplier, String)}, {@code what} computed only when the wait times out. */
    static void await(Duration timeout, BooleanSupplier cond, java.util.function.Supplier<String> what)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for: " + what.get());
            }
            Thread.sleep(200);
        }
    }

    @Override
    public void close() {
        catalog.close();
    }
}
