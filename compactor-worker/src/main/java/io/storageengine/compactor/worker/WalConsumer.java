package io.storageengine.compactor.worker;

import io.storageengine.catalog.Catalog;
import io.storageengine.catalog.CatalogConflictException;
import io.storageengine.catalog.lease.Lease;
import io.storageengine.catalog.lease.StaleLeaseException;
import io.storageengine.catalog.offset.OffsetKey;
import io.storageengine.compactor.l0.L0Flusher;
import io.storageengine.compactor.l0.MemoryBudget;
import io.storageengine.compactor.l0.PartitionBuffer;
import io.storageengine.schemas.kafka.WalRecordCodec;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The L0 builder's Kafka side: consumes the {@code wal} topic in the worker's own group
 * ({@code read_committed}, no auto commit: offsets live in the catalog) and cuts each owned
 * partition into L0 segments through {@link L0Flusher}.
 *
 * <p>Per assigned partition: take the catalog lease (paused until it is free), seek to the
 * catalog's committed offset (the beginning if none), buffer decoded versions, cut when the
 * buffer reaches the segment size (in the middle of a fetched batch if need be: the rest of the
 * batch is fetched again after the cut) or age, or (the largest buffer first) while the shared
 * {@link MemoryBudget} is exceeded. A cut runs on a flusher thread (two, for different partitions) while this thread keeps
 * consuming the other partitions; the partition being cut is paused until its segment is
 * registered (backpressure by pausing partitions; when every buffered partition is being cut and
 * the budget is still exceeded, all partitions are paused). Kafka's fetch sizes are capped, so
 * memory is bounded by the budget plus one fetch. A refused registration (stale epoch) drops the
 * buffer and pauses the partition until the lease can be taken again; any other failure (a full
 * disk: nothing was written, registered or committed) drops the buffer and re-seeks from the
 * catalog after a backoff that doubles with each consecutive failure of the partition (2 s up to
 * {@link PartitionOwner#MAX_RETRY}). On revocation the partition's cut and job are awaited (the
 * job cancelled; up to 30 s), its buffer dropped and its lease released. The consumer is confined
 * to one thread; {@link #stop()} may be called from any thread.
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
    private final Map<Integer, Future<?>> cutting = new HashMap<>();
    private final Map<Integer, Throwable> cutFailures = new java.util.concurrent.ConcurrentHashMap<>();
    /** Cuts of different partitions run side by side (sort and copy on one, fsync or registration on the other). */
    static final int FLUSH_THREADS = 2;
    private final ExecutorService flusherThread = Executors.newFixedThreadPool(FLUSH_THREADS, r -> {
        Thread t = new Thread(r, "compactor-l0-flusher");
        t.setDaemon(true);
        return t;
    });
    private boolean allPaused;
    private volatile KafkaConsumer<byte[], ByteBuffer> consumer;
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

    boolean isAlive() {
        return alive;
    }

    void stop() {
        stopping = true;
        KafkaConsumer<byte[], ByteBuffer> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }

    @Override
    public void run() {
        try (KafkaConsumer<byte[], ByteBuffer> c = new KafkaConsumer<>(config.walConsumerProperties())) {
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
            flusherThread.shutdownNow();
            alive = false;
        }
    }

    private void iterate(KafkaConsumer<byte[], ByteBuffer> c) {
        completeCuts(c, false);
        long now = System.nanoTime();
        for (PartitionOwner o : owners.values()) {
            if (cutting.containsKey(o.partition())) {
                continue; // its buffer belongs to the flusher until the cut completes
            }
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
        ConsumerRecords<byte[], ByteBuffer> records = c.poll(Duration.ofMillis(200));
        now = System.nanoTime();
        long lag = 0;
        for (TopicPartition tp : c.assignment()) {
            lag += c.currentLag(tp).orElse(0); // as of the last fetch of that partition; no request
        }
        metrics.walLag(lag);
        for (TopicPartition tp : records.partitions()) {
            PartitionOwner o = owners.get(tp.partition());
            PartitionBuffer b = buffers.get(tp.partition());
            if (o == null || o.lease() == null || o.needsInit() || b == null || cutting.containsKey(tp.partition())) {
                continue; // fetched before a pause or a lost lease: consumed again after the seek
            }
            List<ConsumerRecord<byte[], ByteBuffer>> batch = records.records(tp);
            boolean cutMidBatch = false;
            for (int i = 0; i < batch.size(); i++) {
                ConsumerRecord<byte[], ByteBuffer> r = batch.get(i);
                if (r.offset() < b.nextOffset()) {
                    continue; // fetched before a seek back; consumed again in order
                }
                WalRecordCodec.Decoded d = WalRecordCodec.decode(r.key(), r.value());
                metrics.walRecord(switch (d) {
                    case WalRecordCodec.PageRecord v -> "page";
                    case WalRecordCodec.Watermark w -> "watermark";
                    case WalRecordCodec.LsnAdvance a -> "skipped_lsn_advance";
                    case WalRecordCodec.Skipped s -> {
                        LOG.debug("partition {} offset {}: skipped: {}", tp.partition(), r.offset(), s.detail());
                        yield "skipped_" + s.reason().tag();
                    }
                });
                b.add(r.offset(), d, now);
                if (b.bytes() >= config.l0SegmentBytes() && i + 1 < batch.size()) {
                    // Full in the middle of a fetch: cut here (segments keep their size however large
                    // the fetch) and fetch the rest of the batch again once the cut is registered.
                    c.seek(tp, b.nextOffset());
                    flush(c, o, b);
                    cutMidBatch = true;
                    break;
                }
            }
            if (cutMidBatch) {
                continue;
            }
            b.advanceTo(c.position(tp));
            if (b.bytes() >= config.l0SegmentBytes()) {
                flush(c, o, b);
            }
        }
        // Transaction markers move the position without returning records: cover them too.
        for (PartitionBuffer b : buffers.values()) {
            PartitionOwner o = owners.get(b.partition());
            if (o != null && o.lease() != null && !o.needsInit() && !cutting.containsKey(b.partition())) {
                b.advanceTo(c.position(new TopicPartition(config.topic(), b.partition())));
            }
        }
        while (budget.exceeded()) {
            Optional<PartitionBuffer> largest = buffers.values().stream()
                    .filter(b -> b.hasVersions() && !cutting.containsKey(b.partition()))
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
        // Still over budget with every buffer being cut: pause everything until a cut completes.
        if (budget.exceeded() && !allPaused) {
            c.pause(c.assignment());
            allPaused = true;
        } else if (!budget.exceeded() && allPaused) {
            allPaused = false;
            resumeReady(c);
        }
        long maxAge = config.l0MaxAge().toNanos();
        for (PartitionBuffer b : new ArrayList<>(buffers.values())) {
            PartitionOwner o = owners.get(b.partition());
            if (o != null && o.lease() != null && !o.needsInit() && !b.isEmpty() && b.ageNanos(now) >= maxAge
                    && !cutting.containsKey(b.partition())) {
                flush(c, o, b);
            }
        }
    }

    private void tryAcquire(KafkaConsumer<byte[], ByteBuffer> c, PartitionOwner o, long now) {
        TopicPartition tp = new TopicPartition(config.topic(), o.partition());
        c.pause(List.of(tp));
        try {
            Optional<Lease> l = catalog.leases().acquire(o.partition(), config.workerId(), config.leaseTtl());
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
    private void init(KafkaConsumer<byte[], ByteBuffer> c, PartitionOwner o, long now) {
        TopicPartition tp = new TopicPartition(config.topic(), o.partition());
        try {
            OptionalLong committed = catalog.offsets().committed(new OffsetKey(config.consumerGroup(), config.topic(), o.partition()));
            if (committed.isPresent()) {
                c.seek(tp, committed.getAsLong());
            } else {
                c.seekToBeginning(List.of(tp));
            }
            long position = c.position(tp);
            PartitionBuffer b = buffers.computeIfAbsent(o.partition(), p -> new PartitionBuffer(p, budget, position));
            b.reset(position);
            o.initialized();
            if (!allPaused) {
                c.resume(List.of(tp));
            }
            LOG.info("partition {}: consuming from offset {}", o.partition(), position);
        } catch (RuntimeException e) {
            LOG.warn("partition {}: could not read the committed offset: {}", o.partition(), e.toString());
            o.acquireLater(now, RETRY);
        }
    }

    /** Hands the buffer to the flusher thread and pauses its partition until the cut is registered. */
    private void flush(KafkaConsumer<byte[], ByteBuffer> c, PartitionOwner o, PartitionBuffer b) {
        Lease lease = o.lease();
        int p = o.partition();
        c.pause(List.of(new TopicPartition(config.topic(), p)));
        cutFailures.remove(p);
        cutting.put(p, flusherThread.submit(() -> {
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
                    LOG.debug("partition {}: L0 {} offsets [{}, {}) {} records", p, r.name(), r.startOffset(),
                            r.nextOffset(), r.records());
                }
            } catch (Throwable e) {
                outcome = e instanceof StaleLeaseException ? "fenced" : "failed";
                if (e instanceof io.storageengine.compactor.internal.SegmentWriteException) {
                    metrics.segmentWriteFailed();
                }
                cutFailures.put(p, e);
            } finally {
                metrics.jobEnded("l0", outcome, Duration.ofNanos(System.nanoTime() - t0), bytesIn, bytesOut);
            }
        }));
    }

    /** Handles finished cuts (all of them, waiting up to 30 s, when {@code wait}): resumes or recovers. */
    private void completeCuts(KafkaConsumer<byte[], ByteBuffer> c, boolean wait) {
        for (Integer p : new ArrayList<>(cutting.keySet())) {
            Future<?> f = cutting.get(p);
            if (!wait && !f.isDone()) {
                continue;
            }
            try {
                f.get(wait ? JOB_STOP_WAIT.toMillis() : 0, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                LOG.error("partition {}: L0 cut did not finish within {}", p, JOB_STOP_WAIT);
                f.cancel(true);
            } catch (ExecutionException e) {
                cutFailures.put(p, e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            cutting.remove(p);
            PartitionOwner o = owners.get(p);
            PartitionBuffer b = buffers.get(p);
            Throwable failure = cutFailures.remove(p);
            if (o == null || b == null) {
                continue; // revoked meanwhile
            }
            if (failure instanceof StaleLeaseException) {
                LOG.warn("partition {}: L0 refused, lease lost: {}", p, failure.getMessage());
                metrics.leaseLost("l0");
                o.leaseLost(failure.getMessage());
                b.reset(b.startOffset());
            } else if (failure instanceof CatalogConflictException) {
                LOG.warn("partition {}: L0 refused: {}; re-reading from the committed offset", p, failure.getMessage());
                dropAndReinit(c, o, b, RETRY);
            } else if (failure != null) {
                Duration backoff = o.cutFailed();
                if (o.cutFailures() == 1) {
                    LOG.error("partition {}: L0 cut failed; nothing registered, re-reading from the committed offset in {}",
                            p, backoff, failure);
                } else {
                    LOG.warn("partition {}: L0 cut failed again ({} in a row): {}; re-reading from the committed offset in {}",
                            p, o.cutFailures(), failure.getMessage(), backoff);
                }
                dropAndReinit(c, o, b, backoff);
            } else {
                if (o.cutFailures() > 0) {
                    LOG.info("partition {}: L0 cut succeeded after {} failed attempts", p, o.cutFailures());
                }
                o.cutSucceeded();
                if (o.lease() != null && !o.needsInit() && !allPaused && !o.isClosed()) {
                    c.resume(List.of(new TopicPartition(config.topic(), p)));
                }
            }
        }
    }

    /** Resumes every owned, initialized partition that is not being cut. */
    private void resumeReady(KafkaConsumer<byte[], ByteBuffer> c) {
        List<TopicPartition> ready = new ArrayList<>();
        for (PartitionOwner o : owners.values()) {
            if (o.lease() != null && !o.needsInit() && !cutting.containsKey(o.partition())) {
                ready.add(new TopicPartition(config.topic(), o.partition()));
            }
        }
        c.resume(ready);
    }

    private void dropAndReinit(KafkaConsumer<byte[], ByteBuffer> c, PartitionOwner o, PartitionBuffer b, Duration wait) {
        b.reset(b.startOffset());
        o.requestInit();
        o.acquireLater(System.nanoTime(), wait);
        TopicPartition tp = new TopicPartition(config.topic(), o.partition());
        if (c.assignment().contains(tp)) {
            c.pause(List.of(tp));
        }
    }

    private void revoke(Collection<Integer> partitions, String why, boolean release) {
        KafkaConsumer<byte[], ByteBuffer> c = consumer;
        if (c != null && partitions.stream().anyMatch(cutting::containsKey)) {
            completeCuts(c, true); // a cut in flight finishes (or is refused) before the lease goes
        }
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
                    catalog.leases().release(l);
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
