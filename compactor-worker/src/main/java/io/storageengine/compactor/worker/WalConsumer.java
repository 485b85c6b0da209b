package io.storageengine.compactor.worker;

import io.storageengine.compactor.l0.L0Flusher;
import io.storageengine.compactor.l0.MemoryBudget;
import io.storageengine.compactor.l0.PartitionBuffer;
import io.storageengine.compactor.l0.WalRecordDecoder;
import io.storageengine.segments.catalog.Catalog;
import io.storageengine.segments.catalog.CatalogConflictException;
import io.storageengine.segments.catalog.Lease;
import io.storageengine.segments.catalog.OffsetKey;
import io.storageengine.segments.catalog.StaleLeaseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.ConcurrentMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The L0 builder's Kafka side, one thread: consumes the {@code wal} topic in the worker's own
 * group ({@code read_committed}, no auto commit: offsets live in the catalog) and cuts each owned
 * partition into L0 segments through {@link L0Flusher}.
 *
 * <p>Per assigned partition: take the catalog lease (paused until it is free), seek to the
 * catalog's committed offset (the beginning if none), buffer decoded versions, cut when the
 * buffer reaches the segment size or age, or (the largest buffer first) while the shared
 * {@link MemoryBudget} is exceeded. Cutting happens on this thread, so polling stops while a
 * segment is written: that is the backpressure, and Kafka's fetch sizes are capped, so memory is
 * bounded by the budget plus one fetch. A refused registration (stale epoch) drops the buffer and
 * pauses the partition until the lease can be taken again; any other failure drops the buffer and
 * re-seeks from the catalog. On revocation the partition's job is cancelled (awaited up to 30 s),
 * its buffer dropped and its lease released. Not thread-safe: run by one thread; {@link #stop()}
 * may be called from any thread.
 */
final class WalConsumer implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(WalConsumer.class);
    static final Duration JOB_STOP_WAIT = Duration.ofSeconds(30);
    private static final Duration RETRY = Duration.ofSeconds(2);

    private final CompactorConfig config;
    private final Catalog catalog;
    private final L0Flusher flusher;
    private final MemoryBudget budget;
    private final ConcurrentMap<Integer, PartitionOwner> owners;
    private final WorkerMetrics metrics;
    private final Map<Integer, PartitionBuffer> buffers = new HashMap<>();
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private volatile boolean stopping;
    private volatile boolean alive = true;

    WalConsumer(CompactorConfig config, Catalog catalog, L0Flusher flusher, MemoryBudget budget,
                ConcurrentMap<Integer, PartitionOwner> owners, WorkerMetrics metrics) {
        this.config = config;
        this.catalog = catalog;
        this.flusher = flusher;
        this.budget = budget;
        this.owners = owners;
        this.metrics = metrics;
    }

    static Properties consumerProperties(CompactorConfig c) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, c.kafkaBootstrap());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, c.consumerGroup());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "compactor-" + c.workerId());
        // Bounded fetch memory: at most 16 MiB buffered by the client, 2 MiB per partition.
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 16 << 20);
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 2 << 20);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        p.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 300_000);
        return p;
    }

    boolean isAlive() {
        return alive;
    }

    void stop() {
        stopping = true;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }

    @Override
    public void run() {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerProperties(config))) {
            consumer = c;
            c.subscribe(List.of(config.topic()), new Listener());
            while (!stopping) {
                try {
                    iterate(c);
                } catch (WakeupException e) {
                    if (!stopping) {
                        throw e;
                    }
                }
            }
            revoke(new ArrayList<>(owners.keySet()), "shutdown", true);
        } catch (RuntimeException e) {
            LOG.error("WAL consumer stopped on an unexpected error", e);
            throw e;
        } finally {
            alive = false;
        }
    }

    private void iterate(KafkaConsumer<byte[], byte[]> c) {
        long now = System.nanoTime();
        for (PartitionOwner o : owners.values()) {
            if (o.lease() == null && o.acquireDue(now)) {
                tryAcquire(c, o, now);
            }
            if (o.lease() != null && o.needsInit() && o.acquireDue(now)) {
                init(c, o, now);
            }
            if (o.lease() == null) {
                PartitionBuffer b = buffers.get(o.partition());
                if (b != null && !b.isEmpty()) {
                    b.reset(b.startOffset());
                }
            }
        }
        ConsumerRecords<byte[], byte[]> records = c.poll(Duration.ofMillis(200));
        now = System.nanoTime();
        for (TopicPartition tp : records.partitions()) {
            PartitionOwner o = owners.get(tp.partition());
            PartitionBuffer b = buffers.get(tp.partition());
            if (o == null || o.lease() == null || o.needsInit() || b == null) {
                continue; // fetched before a pause or a lost lease: consumed again after the seek
            }
            for (ConsumerRecord<byte[], byte[]> r : records.records(tp)) {
                if (r.offset() < b.nextOffset()) {
                    continue; // fetched before a seek back; consumed again in order
                }
                WalRecordDecoder.Decoded d = WalRecordDecoder.decode(r.key(), r.value());
                metrics.walRecord(switch (d) {
                    case WalRecordDecoder.Version v -> "page";
                    case WalRecordDecoder.Watermark w -> "watermark";
                    case WalRecordDecoder.Skip s -> {
                        LOG.debug("partition {} offset {}: skipped: {}", tp.partition(), r.offset(), s.detail());
                        yield "skipped_" + s.reason();
                    }
                });
                b.add(r.offset(), d, now);
            }
            b.advanceTo(c.position(tp));
            if (b.bytes() >= config.l0SegmentBytes()) {
                flush(c, o, b);
            }
        }
        // Transaction markers move the position without returning records: cover them too.
        for (PartitionBuffer b : buffers.values()) {
            PartitionOwner o = owners.get(b.partition());
            if (o != null && o.lease() != null && !o.needsInit()) {
                b.advanceTo(c.position(new TopicPartition(config.topic(), b.partition())));
            }
        }
        while (budget.exceeded()) {
            Optional<PartitionBuffer> largest = buffers.values().stream().filter(PartitionBuffer::hasVersions)
                    .max(Comparator.comparingLong(PartitionBuffer::bytes));
            if (largest.isEmpty()) {
                break;
            }
            PartitionOwner o = owners.get(largest.get().partition());
            if (o == null || o.lease() == null) {
                largest.get().reset(largest.get().startOffset());
                continue;
            }
            flush(c, o, largest.get());
        }
        long maxAge = config.l0MaxAge().toNanos();
        for (PartitionBuffer b : new ArrayList<>(buffers.values())) {
            PartitionOwner o = owners.get(b.partition());
            if (o != null && o.lease() != null && !o.needsInit() && !b.isEmpty() && b.ageNanos(now) >= maxAge) {
                flush(c, o, b);
            }
        }
    }

    private void tryAcquire(KafkaConsumer<byte[], byte[]> c, PartitionOwner o, long now) {
        TopicPartition tp = new TopicPartition(config.topic(), o.partition());
        c.pause(List.of(tp));
        try {
            Optional<Lease> l = catalog.acquireLease(o.partition(), config.workerId(), config.leaseTtl());
            if (l.isPresent()) {
                o.leaseAcquired(l.get());
                LOG.info("partition {}: lease acquired, epoch {}", o.partition(), l.get().epoch());
            } else {
                o.acquireLater(now, RETRY);
            }
        } catch (RuntimeException e) {
            LOG.warn("partition {}: could not take the lease: {}", o.partition(), e.toString());
            o.acquireLater(now, RETRY);
        }
    }

    /** Seeks to the catalog's committed offset and starts a fresh buffer there. */
    private void init(KafkaConsumer<byte[], byte[]> c, PartitionOwner o, long now) {
        TopicPartition tp = new TopicPartition(config.topic(), o.partition());
        try {
            OptionalLong committed = catalog.committedOffset(new OffsetKey(config.consumerGroup(), config.topic(), o.partition()));
            if (committed.isPresent()) {
                c.seek(tp, committed.getAsLong());
            } else {
                c.seekToBeginning(List.of(tp));
            }
            long position = c.position(tp);
            PartitionBuffer b = buffers.computeIfAbsent(o.partition(), p -> new PartitionBuffer(p, budget, position));
            b.reset(position);
            o.initialized();
            c.resume(List.of(tp));
            LOG.info("partition {}: consuming from offset {}", o.partition(), position);
        } catch (RuntimeException e) {
            LOG.warn("partition {}: could not read the committed offset: {}", o.partition(), e.toString());
            o.acquireLater(now, RETRY);
        }
    }

    private void flush(KafkaConsumer<byte[], byte[]> c, PartitionOwner o, PartitionBuffer b) {
        Lease lease = o.lease();
        long t0 = System.nanoTime();
        long bytesIn = b.bytes();
        metrics.jobStarted();
        String outcome = "failed";
        long bytesOut = 0;
        try {
            L0Flusher.Result r = flusher.flush(b, lease);
            bytesOut = r.info() == null ? 0 : r.info().fileSize();
            outcome = "succeeded";
            if (r.name() != null) {
                LOG.debug("partition {}: L0 {} offsets [{}, {}) {} records", o.partition(), r.name(), r.startOffset(),
                        r.nextOffset(), r.records());
            }
        } catch (StaleLeaseException e) {
            outcome = "fenced";
            LOG.warn("partition {}: L0 refused, lease lost: {}", o.partition(), e.getMessage());
            o.leaseLost(e.getMessage());
            b.reset(b.startOffset());
            c.pause(List.of(new TopicPartition(config.topic(), o.partition())));
        } catch (CatalogConflictException e) {
            LOG.warn("partition {}: L0 refused: {}; re-reading from the committed offset", o.partition(), e.getMessage());
            dropAndReinit(c, o, b);
        } catch (Exception e) {
            LOG.error("partition {}: L0 cut failed; re-reading from the committed offset", o.partition(), e);
            dropAndReinit(c, o, b);
        } finally {
            metrics.jobEnded("l0", outcome, Duration.ofNanos(System.nanoTime() - t0), bytesIn, bytesOut);
        }
    }

    private void dropAndReinit(KafkaConsumer<byte[], byte[]> c, PartitionOwner o, PartitionBuffer b) {
        b.reset(b.startOffset());
        o.requestInit();
        o.acquireLater(System.nanoTime(), RETRY);
        c.pause(List.of(new TopicPartition(config.topic(), o.partition())));
    }

    private void revoke(Collection<Integer> partitions, String why, boolean release) {
        for (int p : partitions) {
            PartitionOwner o = owners.remove(p);
            PartitionBuffer b = buffers.remove(p);
            if (b != null) {
                b.reset(b.startOffset());
            }
            metrics.forgetPartition(p);
            if (o == null) {
                continue;
            }
            if (!o.close(why, JOB_STOP_WAIT)) {
                LOG.error("partition {}: job did not stop within {}", p, JOB_STOP_WAIT);
            }
            Lease l = o.lease();
            if (release && l != null) {
                try {
                    catalog.releaseLease(l);
                } catch (RuntimeException e) {
                    LOG.warn("partition {}: could not release the lease (it expires by itself): {}", p, e.toString());
                }
            }
            LOG.info("partition {}: {} ({})", p, release ? "revoked" : "lost", why);
        }
    }

    private final class Listener implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            List<TopicPartition> mine = new ArrayList<>();
            for (TopicPartition tp : partitions) {
                owners.computeIfAbsent(tp.partition(), PartitionOwner::new);
                mine.add(tp);
            }
            // Nothing is consumed before the lease is held and the catalog offset sought.
            consumer.pause(mine);
            LOG.info("assigned partitions {}", partitions.stream().map(TopicPartition::partition).sorted().toList());
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            revoke(partitions.stream().map(TopicPartition::partition).toList(), "revoked", true);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            revoke(partitions.stream().map(TopicPartition::partition).toList(), "lost", false);
        }
    }
}
