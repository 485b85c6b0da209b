package io.storageengine.ingest.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.storageengine.schemas.wal.WalFormat;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ingest module's configuration, one immutable record tree. {@link #load()} reads
 * {@code application.yaml} from the classpath and applies environment overrides
 * ({@link #ENV_OVERRIDES}: variable → YAML path); CLI flags then override single values with the
 * {@code with…} methods.
 */
public record IngestConfig(Kafka kafka, Publisher publisher, Decoder decoder, Metrics metrics) {

    /** Kafka producer settings (acks=all and idempotence are fixed, not configurable). */
    public record Kafka(String bootstrap, String topic, String compression,
                        @JsonProperty("linger-ms") int lingerMs,
                        @JsonProperty("batch-size") int batchSize,
                        @JsonProperty("buffer-memory") long bufferMemory,
                        @JsonProperty("delivery-timeout-ms") int deliveryTimeoutMs) {
    }

    /** Transaction and WATERMARK cadence. */
    public record Publisher(@JsonProperty("commit-interval-ms") long commitIntervalMs,
                            @JsonProperty("commit-max-bytes") long commitMaxBytes,
                            @JsonProperty("transaction-timeout-ms") int transactionTimeoutMs) {
        public Publisher {
            if (commitIntervalMs < 1 || commitIntervalMs > 100) {
                throw new IllegalArgumentException("commit-interval-ms must be 1..100 (WATERMARKs at least every 100 ms), got "
                        + commitIntervalMs);
            }
        }
    }

    /** Decoder buffer pool: memory = buffer-size × max-buffers. */
    public record Decoder(@JsonProperty("buffer-size") int bufferSize, @JsonProperty("max-buffers") int maxBuffers) {
        public Decoder {
            if (bufferSize < 2 * WalFormat.MAX_FRAME || maxBuffers < 1) {
                throw new IllegalArgumentException("decoder buffer-size must be >= " + 2 * WalFormat.MAX_FRAME
                        + " and max-buffers >= 1");
            }
        }
    }

    public record Metrics(int port) {
    }

    /** Environment variable → YAML path. */
    public static final Map<String, String> ENV_OVERRIDES = envOverrides();

    private static Map<String, String> envOverrides() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("SE_KAFKA_BOOTSTRAP", "kafka.bootstrap");
        m.put("SE_WAL_TOPIC", "kafka.topic");
        m.put("SE_INGEST_COMPRESSION", "kafka.compression");
        m.put("SE_INGEST_LINGER_MS", "kafka.linger-ms");
        m.put("SE_INGEST_BATCH_SIZE", "kafka.batch-size");
        m.put("SE_INGEST_BUFFER_MEMORY", "kafka.buffer-memory");
        m.put("SE_INGEST_DELIVERY_TIMEOUT_MS", "kafka.delivery-timeout-ms");
        m.put("SE_INGEST_COMMIT_INTERVAL_MS", "publisher.commit-interval-ms");
        m.put("SE_INGEST_COMMIT_MAX_BYTES", "publisher.commit-max-bytes");
        m.put("SE_INGEST_TRANSACTION_TIMEOUT_MS", "publisher.transaction-timeout-ms");
        m.put("SE_INGEST_DECODER_BUFFER_SIZE", "decoder.buffer-size");
        m.put("SE_INGEST_DECODER_MAX_BUFFERS", "decoder.max-buffers");
        m.put("SE_INGEST_METRICS_PORT", "metrics.port");
        return Map.copyOf(m);
    }

    /** application.yaml from the classpath with the process environment applied. */
    public static IngestConfig load() {
        return load(System.getenv());
    }

    public static IngestConfig load(Map<String, String> env) {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory()).configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
        try (InputStream in = IngestConfig.class.getResourceAsStream("/application.yaml")) {
            if (in == null) {
                throw new IllegalStateException("application.yaml not found on the classpath");
            }
            ObjectNode root = (ObjectNode) yaml.readTree(in);
            if (!env.containsKey("SE_KAFKA_BOOTSTRAP") && env.containsKey("SE_KAFKA_PORT")) {
                set(root, "kafka.bootstrap", "127.0.0.1:" + env.get("SE_KAFKA_PORT"));
            }
            ENV_OVERRIDES.forEach((var, path) -> {
                String v = env.get(var);
                if (v != null && !v.isBlank()) {
                    set(root, path, v.trim());
                }
            });
            return yaml.treeToValue(root, IngestConfig.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read application.yaml: " + e.getMessage(), e);
        }
    }

    private static void set(ObjectNode root, String path, String value) {
        String[] parts = path.split("\\.");
        ObjectNode node = root;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode child = node.get(parts[i]);
            node = child instanceof ObjectNode o ? o : node.putObject(parts[i]);
        }
        node.put(parts[parts.length - 1], value);
    }

    public IngestConfig withKafka(Kafka k) {
        return new IngestConfig(k, publisher, decoder, metrics);
    }

    public IngestConfig withBootstrap(String bootstrap) {
        return withKafka(new Kafka(bootstrap, kafka.topic, kafka.compression, kafka.lingerMs, kafka.batchSize,
                kafka.bufferMemory, kafka.deliveryTimeoutMs));
    }

    public IngestConfig withTopic(String topic) {
        return withKafka(new Kafka(kafka.bootstrap, topic, kafka.compression, kafka.lingerMs, kafka.batchSize,
                kafka.bufferMemory, kafka.deliveryTimeoutMs));
    }

    public IngestConfig withCompression(String compression) {
        return withKafka(new Kafka(kafka.bootstrap, kafka.topic, compression, kafka.lingerMs, kafka.batchSize,
                kafka.bufferMemory, kafka.deliveryTimeoutMs));
    }

    public IngestConfig withMetricsPort(int port) {
        return new IngestConfig(kafka, publisher, decoder, new Metrics(port));
    }

    public IngestConfig withPublisher(Publisher p) {
        return new IngestConfig(kafka, p, decoder, metrics);
    }
}
