package io.storageengine.ingest.config;

import io.storageengine.runtime.config.ConfigLoader;
import io.storageengine.runtime.config.ConfigReader;
import io.storageengine.runtime.config.ConfigSpec;
import io.storageengine.schemas.wal.WalFormat;
import java.util.Map;

/**
 * The ingest module's configuration, one immutable record tree. {@link #load()} reads
 * {@code application.yaml} from the class path with environment overrides by the runtime library's
 * rule (key {@code ingest.linger-ms} → {@code SE_INGEST_LINGER_MS}; {@link #SPEC} adds
 * {@code SE_KAFKA_PORT}); CLI flags then override single values with the {@code with…} methods.
 */
public record IngestConfig(Kafka kafka, Publisher publisher, Decoder decoder, Metrics metrics) {

    /** Kafka producer settings (acks=all and idempotence are fixed, not configurable). */
    public record Kafka(String bootstrap, String topic, String compression, int lingerMs, int batchSize,
                        long bufferMemory, int deliveryTimeoutMs) {
    }

    /** Transaction and WATERMARK cadence. */
    public record Publisher(long commitIntervalMs, long commitMaxBytes, int transactionTimeoutMs) {
        public Publisher {
            if (commitIntervalMs < 1 || commitIntervalMs > 100) {
                throw new IllegalArgumentException("ingest.commit-interval-ms must be 1..100 (WATERMARKs at least every 100 ms), got "
                        + commitIntervalMs);
            }
        }
    }

    /** Decoder buffer pool: memory = buffer-size × max-buffers. */
    public record Decoder(int bufferSize, int maxBuffers) {
        public Decoder {
            if (bufferSize < 2 * WalFormat.MAX_FRAME || maxBuffers < 1) {
                throw new IllegalArgumentException("ingest.decoder.buffer-size must be >= " + 2 * WalFormat.MAX_FRAME
                        + " and ingest.decoder.max-buffers >= 1");
            }
        }
    }

    public record Metrics(int port) {
    }

    /**
     * {@code application.yaml}; every variable follows the rule, and {@code SE_KAFKA_PORT} alone
     * (no {@code SE_KAFKA_BOOTSTRAP}) means a broker on {@code 127.0.0.1} at that port.
     */
    public static final ConfigSpec SPEC = ConfigSpec.of("application.yaml")
            .alias("kafka.bootstrap", "SE_KAFKA_PORT", port -> "127.0.0.1:" + port);

    /** application.yaml from the class path with the process environment applied. */
    public static IngestConfig load() {
        return load(System.getenv());
    }

    public static IngestConfig load(Map<String, String> env) {
        return ConfigLoader.load(SPEC, env, IngestConfig::bind);
    }

    private static IngestConfig bind(ConfigReader c) {
        return new IngestConfig(
                new Kafka(c.string("kafka.bootstrap"), c.string("wal.topic"), c.string("ingest.compression"),
                        c.integer("ingest.linger-ms"), c.intSize("ingest.batch-size"), c.size("ingest.buffer-memory"),
                        c.integer("ingest.delivery-timeout-ms")),
                new Publisher(c.longValue("ingest.commit-interval-ms"), c.size("ingest.commit-max-bytes"),
                        c.integer("ingest.transaction-timeout-ms")),
                new Decoder(c.intSize("ingest.decoder.buffer-size"), c.integer("ingest.decoder.max-buffers")),
                new Metrics(c.integer("ingest.metrics.port")));
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
