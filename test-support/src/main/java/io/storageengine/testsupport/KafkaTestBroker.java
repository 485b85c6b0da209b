package io.storageengine.testsupport;

import io.storageengine.testsupport.internal.StalePostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker (KRaft, broker and controller combined) shared by every test in
 * the JVM. Started lazily by the first {@link #shared()} call through Kafka's
 * {@code KafkaClusterTestKit} (production metadata version, logs in a temporary directory deleted on
 * close), stopped by a JVM shutdown hook. The directory is created here and handed to the test kit
 * ({@code setBaseDirectory}): left to itself the kit creates it with {@code TestUtils.tempDirectory},
 * which registers a second shutdown hook deleting it; JVM shutdown hooks run concurrently, so that
 * one could delete the log directories under the still running broker, whose log-dir failure
 * handler then halts the JVM with status 1 (a test fork that passed every test exits non-zero:
 * "Error occurred in starting fork"). Our one hook stops the broker, then deletes the directory.
 * Tests isolate themselves with unique topic names
 * ({@link #uniqueTopic(String)}) and unique consumer group ids, never by restarting the broker.
 *
 * <p>If the environment variable {@code SE_TEST_KAFKA_BOOTSTRAP} is set, no broker is started and
 * the fixture points at that external broker instead (for example the one {@code ./se up} runs).
 *
 * <p>Thread-safe: all state is final; the internal {@link Admin} client is thread-safe.
 */
public final class KafkaTestBroker {

    /** Environment variable naming an external broker to use instead of the in-JVM one. */
    public static final String BOOTSTRAP_ENV = "SE_TEST_KAFKA_BOOTSTRAP";
    /** Environment variable overriding the log level of the in-JVM broker's own loggers (default WARN). */
    public static final String LOG_LEVEL_ENV = "SE_TEST_KAFKA_LOG_LEVEL";

    private static final Logger LOG = LoggerFactory.getLogger(KafkaTestBroker.class);
    private static final Duration TOPIC_READY_TIMEOUT = Duration.ofSeconds(30);

    private final KafkaClusterTestKit cluster; // null when an external broker is used
    private final Path baseDir; // the broker's data, deleted after it stopped; null when external
    private final String bootstrapServers;
    private final Admin sharedAdmin;
    private final AtomicLong topicCounter = new AtomicLong();
    private final String runId = UUID.randomUUID().toString().substring(0, 8);
    private final Duration startupTime;

    private static final class Holder {
        static final KafkaTestBroker INSTANCE = start();
    }

    private KafkaTestBroker(KafkaClusterTestKit cluster, Path baseDir, String bootstrapServers, Duration startupTime) {
        this.cluster = cluster;
        this.baseDir = baseDir;
        this.bootstrapServers = bootstrapServers;
        this.startupTime = startupTime;
        this.sharedAdmin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    }

    /** The JVM-wide broker, started on the first call (about 4 s), stopped when the JVM exits. */
    public static KafkaTestBroker shared() {
        return Holder.INSTANCE;
    }

    private static KafkaTestBroker start() {
        String external = System.getenv(BOOTSTRAP_ENV);
        if (external != null && !external.isBlank()) {
            LOG.info("Using external Kafka broker {} ({} is set)", external, BOOTSTRAP_ENV);
            return new KafkaTestBroker(null, null, external.trim(), Duration.ZERO);
        }
        TestLogLevels.quietKafkaBroker(System.getenv().getOrDefault(LOG_LEVEL_ENV, "WARN"));
        long t0 = System.nanoTime();
        KafkaClusterTestKit cluster = null;
        Path base = null;
        try {
            base = Files.createTempDirectory("se-kafka-test-");
            TestKitNodes nodes = new TestKitNodes.Builder()
                    .setBaseDirectory(base)
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .setBootstrapMetadataVersion(MetadataVersion.latestProduction())
                    .build();
            KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
            singleNodeConfig().forEach(builder::setConfigProp);
            cluster = builder.build();
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            KafkaTestBroker broker = new KafkaTestBroker(cluster, base, cluster.bootstrapServers(), took);
            broker.waitUntilAdminAnswers();
            LOG.info("In-JVM Kafka broker ready at {} in {} ms (first admin call after {} ms)",
                    broker.bootstrapServers, took.toMillis(), (System.nanoTime() - t0) / 1_000_000);
            Runtime.getRuntime().addShutdownHook(new Thread(broker::closeQuietly, "kafka-test-broker-stop"));
            return broker;
        } catch (Exception e) {
            if (cluster != null) {
                try {
                    cluster.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            deleteQuietly(base);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("Could not start the in-JVM Kafka broker: " + e, e);
        }
    }

    /** Broker settings a single node needs (internal topics cannot have replication factor 3 here). */
    static Map<String, Object> singleNodeConfig() {
        Map<String, Object> c = new HashMap<>();
        c.put("offsets.topic.replication.factor", "1");
        c.put("offsets.topic.num.partitions", "4");
        c.put("transaction.state.log.replication.factor", "1");
        c.put("transaction.state.log.min.isr", "1");
        c.put("transaction.state.log.num.partitions", "4");
        c.put("share.coordinator.state.topic.replication.factor", "1");
        c.put("share.coordinator.state.topic.min.isr", "1");
        c.put("group.initial.rebalance.delay.ms", "0");
        // Explicit (the broker's defaults): the page service's 10 s session timeout lies within them.
        c.put("group.min.session.timeout.ms", "6000");
        c.put("group.max.session.timeout.ms", "1800000");
        c.put("default.replication.factor", "1");
        c.put("min.insync.replicas", "1");
        return c;
    }

    /** {@code host:port} list for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Whether this fixture started the broker itself (false when {@code SE_TEST_KAFKA_BOOTSTRAP} is set). */
    public boolean isInJvm() {
        return cluster != null;
    }

    /** How long the in-JVM broker took until {@code waitForReadyBrokers()} returned (zero if external). */
    public Duration startupTime() {
        return startupTime;
    }

    /**
     * Creates a topic with replication factor 1 and waits until every partition has a leader that
     * serves requests (so the first produce does not meet NOT_LEADER_OR_FOLLOWER).
     * Creating a topic that already exists with the same partition count is not an error.
     */
    public void createTopic(String name, int partitions) {
        createTopic(name, partitions, Map.of());
    }

    /** Like {@link #createTopic(String, int)} with topic configs (e.g. {@code cleanup.policy}). */
    public void createTopic(String name, int partitions, Map<String, String> configs) {
        try {
            sharedAdmin.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs)))
                    .all().get(TOPIC_READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("Could not create topic " + name + ": " + e.getCause(), e);
            }
        } catch (Exception e) {
            throw rethrow("Could not create topic " + name, e);
        }
        waitForLeaders(name, partitions);
    }

    /**
     * A topic name no other call in this JVM (or earlier run against the same external broker)
     * returned: {@code <prefix>-<run id>-<counter>}. The topic is not created; see
     * {@link #createUniqueTopic(String, int)}.
     */
    public String uniqueTopic(String prefix) {
        String clean = prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "-");
        return clean + "-" + runId + "-" + topicCounter.incrementAndGet();
    }

    /** {@link #uniqueTopic(String)} then {@link #createTopic(String, int)}; returns the name. */
    public String createUniqueTopic(String prefix, int partitions) {
        String name = uniqueTopic(prefix);
        createTopic(name, partitions);
        return name;
    }

    /** A new Admin client for this broker; the caller closes it. */
    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
    }

    /** Producer config with byte-array serializers, acks=all, idempotence; add or override entries freely. */
    public Map<String, Object> producerConfig() {
        Map<String, Object> c = new HashMap<>();
        c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        c.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        c.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        c.put(ProducerConfig.ACKS_CONFIG, "all");
        c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        return c;
    }

    /** Consumer config with byte-array deserializers, the given group, earliest offset reset, read_committed. */
    public Map<String, Object> consumerConfig(String groupId) {
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return c;
    }

    private void waitForLeaders(String topic, int partitions) {
        long deadline = System.nanoTime() + TOPIC_READY_TIMEOUT.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                TopicDescription d = sharedAdmin.describeTopics(Set.of(topic)).allTopicNames()
                        .get(5, TimeUnit.SECONDS).get(topic);
                if (d.partitions().size() >= partitions
                        && d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
                    // The metadata cache names a leader slightly before the leader's replica manager
                    // hosts the partition; a produce in that gap fails with NOT_LEADER_OR_FOLLOWER and
                    // makes idempotent producers retry. ListOffsets is answered by the replica itself.
                    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                    d.partitions().forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
                    sharedAdmin.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
                    return;
                }
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    last = e;
                }
            } catch (Exception e) {
                last = e;
            }
            sleep(50);
        }
        throw new IllegalStateException("Topic " + topic + " has no leader for all " + partitions
                + " partitions after " + TOPIC_READY_TIMEOUT.toSeconds() + " s", last);
    }

    private void waitUntilAdminAnswers() throws Exception {
        sharedAdmin.describeCluster().nodes().get(30, TimeUnit.SECONDS);
    }

    private void closeQuietly() {
        try {
            sharedAdmin.close(Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            LOG.debug("closing admin", e);
        }
        if (cluster != null) {
            try {
                cluster.close();
            } catch (Exception e) {
                LOG.warn("Stopping the in-JVM Kafka broker failed: {}", e.toString());
            }
        }
        deleteQuietly(baseDir); // only once the broker is down
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try {
            StalePostgres.deleteTree(dir);
        } catch (RuntimeException e) {
            LOG.warn("Could not delete the in-JVM Kafka broker's directory {}: {}", dir, e.toString());
        }
    }

    private static RuntimeException rethrow(String what, Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        return new IllegalStateException(what + ": " + e, e);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
