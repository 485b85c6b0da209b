package io.storageengine.pageservice.relations;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.storageengine.schemas.relation.RelationKey;
import io.storageengine.schemas.relation.RelationRecord;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.Lsn;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the whole relations topic into a {@link RelationHistory}: one thread, one plain
 * {@link KafkaConsumer} (no group: every instance reads every partition from the beginning, so
 * each holds all relation metadata), {@code isolation.level=read_committed} (aborted ingest
 * transactions are never seen). Until the topic exists it retries every second.
 *
 * <p>Records that are not valid (key not 32/45 bytes, value not an 18-byte record with a good CRC,
 * a size under a watermark key or a watermark under a fork key) are skipped, counted and logged
 * (first ten, then every thousandth); the valid records around them are applied. After reaching
 * the end offsets it saw when it assigned the partitions, the history is {@link RelationHistory#loaded}.
 * Every {@code trimInterval} it trims the history below the GC horizons.
 *
 * <p>Fetches are bounded ({@code max.poll.records} 2000, 1 MiB per partition, 4 MiB per fetch).
 * {@link #close} stops the thread (wakeup) and waits for it. Thread-safe.
 */
public final class RelationFollower implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RelationFollower.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private final String topic;
    private final RelationHistory history;
    private final Function<TimelineKey, Lsn> horizons;
    private final Duration trimInterval;
    private final Consumer<byte[], byte[]> consumer;
    private final Thread thread;
    private final Counter applied;
    private final Counter skipped;
    private volatile boolean running = true;
    private long skippedHere;

    private RelationFollower(Consumer<byte[], byte[]> consumer, String topic, RelationHistory history,
                             Function<TimelineKey, Lsn> horizons, Duration trimInterval, MeterRegistry registry) {
        this.topic = topic;
        this.history = history;
        this.horizons = horizons;
        this.trimInterval = trimInterval;
        this.consumer = consumer;
        this.applied = Counter.builder("se_relation_records_total").description("relation records applied")
                .register(registry);
        this.skipped = Counter.builder("se_relation_skipped_total").description("invalid relation records skipped")
                .register(registry);
        Gauge.builder("se_relation_forks", history, RelationHistory::forks).register(registry);
        Gauge.builder("se_relation_history_entries", history, RelationHistory::entries).register(registry);
        Gauge.builder("se_relation_loaded", history, h -> h.isLoaded() ? 1 : 0).register(registry);
        this.thread = new Thread(this::run, "relation-follower");
        thread.setDaemon(true);
    }

    /**
     * Starts following {@code topic} on {@code bootstrap}.
     *
     * @param horizons each timeline's GC horizon (reads below it get 410), e.g. the cold tier's
     */
    public static RelationFollower start(String bootstrap, String topic, RelationHistory history,
                                         Function<TimelineKey, Lsn> horizons, MeterRegistry registry) {
        return start(consumerConfig(bootstrap), topic, history, horizons, Duration.ofSeconds(10), registry);
    }

    public static RelationFollower start(Map<String, Object> consumerConfig, String topic, RelationHistory history,
                                         Function<TimelineKey, Lsn> horizons, Duration trimInterval,
                                         MeterRegistry registry) {
        return start(new KafkaConsumer<>(consumerConfig, new ByteArrayDeserializer(), new ByteArrayDeserializer()),
                topic, history, horizons, trimInterval, registry);
    }

    /** With a given consumer (tests: {@code MockConsumer}); the follower owns and closes it. */
    static RelationFollower start(Consumer<byte[], byte[]> consumer, String topic, RelationHistory history,
                                  Function<TimelineKey, Lsn> horizons, Duration trimInterval, MeterRegistry registry) {
        RelationFollower f = new RelationFollower(consumer, topic, history, horizons, trimInterval, registry);
        f.thread.start();
        return f;
    }

    /** Consumer settings: read_committed, no group, no auto-commit, bounded fetches. */
    public static Map<String, Object> consumerConfig(String bootstrap) {
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, "se-relation-follower");
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 1 << 20);
        c.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 4 << 20);
        c.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        return c;
    }

    private void run() {
        try {
            List<TopicPartition> parts = awaitPartitions();
            if (parts == null) {
                return;
            }
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            Map<TopicPartition, Long> target = consumer.endOffsets(parts);
            history.partitions(parts.size());
            LOG.info("Following relations topic {} ({} partitions, {} records to load)", topic, parts.size(),
                    target.values().stream().mapToLong(Long::longValue).sum());
            long nextTrim = System.nanoTime() + trimInterval.toNanos();
            while (running) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    apply(r);
                }
                if (!records.isEmpty()) {
                    history.changed();
                }
                if (!history.isLoaded() && caughtUp(target)) {
                    history.loaded();
                    LOG.info("Relations topic {} loaded: {} forks, {} size entries", topic, history.forks(),
                            history.entries());
                }
                if (System.nanoTime() - nextTrim >= 0) {
                    long dropped = history.trim(horizons);
                    if (dropped > 0) {
                        LOG.debug("Relation history trimmed below GC horizons: {} entries", dropped);
                    }
                    nextTrim = System.nanoTime() + trimInterval.toNanos();
                }
            }
        } catch (WakeupException e) {
            if (running) {
                LOG.error("Relation follower woken unexpectedly", e);
            }
        } catch (RuntimeException e) {
            LOG.error("Relation follower stopped: relation reads beyond what it loaded will time out (504) "
                    + "until the service restarts", e);
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private List<TopicPartition> awaitPartitions() {
        boolean logged = false;
        while (running) {
            try {
                List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(5));
                if (infos != null && !infos.isEmpty()) {
                    return infos.stream().map(p -> new TopicPartition(topic, p.partition())).sorted(
                            (a, b) -> Integer.compare(a.partition(), b.partition())).toList();
                }
            } catch (WakeupException e) {
                return null;
            } catch (KafkaException e) {
                LOG.debug("relations topic {}: {}", topic, e.toString());
            }
            if (!logged) {
                LOG.warn("Relations topic {} does not exist yet; relation reads answer 503 until it does", topic);
                logged = true;
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }

    private boolean caughtUp(Map<TopicPartition, Long> target) {
        for (Map.Entry<TopicPartition, Long> e : target.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private void apply(ConsumerRecord<byte[], byte[]> r) {
        RelationKey key;
        RelationRecord value;
        try {
            key = RelationKey.fromBytes(r.key());
            value = RelationRecord.decode(r.value());
        } catch (IllegalArgumentException e) {
            skip(r, e.getMessage());
            return;
        }
        boolean fits = switch (value) {
            case RelationRecord.Size s -> !key.isWatermark();
            case RelationRecord.Watermark w -> key.isWatermark();
        };
        if (!fits) {
            skip(r, value.getClass().getSimpleName() + " record under a " + (key.isWatermark() ? "timeline" : "fork")
                    + " key at " + Lsn.format(value.lsn()));
            return;
        }
        history.apply(r.partition(), key.timeline(), key.fork(), value);
        applied.increment();
    }

    private void skip(ConsumerRecord<byte[], byte[]> r, String why) {
        skipped.increment();
        skippedHere++;
        if (skippedHere <= 10 || skippedHere % 1000 == 0) {
            LOG.warn("Skipped relation record {}-{}@{} ({} skipped): {}", r.topic(), r.partition(), r.offset(),
                    skippedHere, why);
        }
    }

    /** True while the follower thread runs. */
    public boolean isAlive() {
        return thread.isAlive();
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
