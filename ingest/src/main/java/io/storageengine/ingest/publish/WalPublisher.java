package io.storageengine.ingest.publish;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.storageengine.ingest.config.IngestConfig;
import io.storageengine.ingest.decode.BufferPool;
import io.storageengine.ingest.decode.DecodeSummary;
import io.storageengine.ingest.decode.FrameSink;
import io.storageengine.ingest.decode.WalDecoder;
import io.storageengine.ingest.metrics.IngestMetrics;
import io.storageengine.schemas.kafka.RelationTopic;
import io.storageengine.schemas.kafka.WalRecordCodec;
import io.storageengine.schemas.relation.RelationKey;
import io.storageengine.schemas.relation.RelationRecord;
import io.storageengine.schemas.relation.RelationSize;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.Frame;
import io.storageengine.schemas.wal.Lsn;
import io.storageengine.schemas.wal.RecordType;
import io.storageengine.schemas.wal.WalFormat;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the WAL of one timeline to the {@code wal} topic: the library entry point
 * ({@link #publish(InputStream)} per stream) and the {@link FrameSink} a {@link WalDecoder} feeds.
 *
 * <p>Kafka format ({@code spec/wal-format.md}): page records keyed by the 49-byte page key
 * (tenant | timeline | PageRef) and placed by the default partitioner; value = the exact frame bytes,
 * CRC included. LSN_ADVANCE frames are not published; their LSNs reach readers through WATERMARKs:
 * key = the 32-byte timeline key, value = a WATERMARK frame with an empty payload, sent explicitly to
 * every partition.
 *
 * <p>Transactions: one idempotent, transactional producer, {@code transactional.id =
 * se-ingest-<tenant>-<timeline>}, so a second publisher of the timeline fences this one. Records are
 * committed in transactions of at most {@code commit-interval-ms} (≤ 100 ms) or
 * {@code commit-max-bytes}; each commit is preceded, inside the same transaction, by a WATERMARK round
 * at the highest LSN L such that every frame with LSN ≤ L has been sent. A frame's LSN counts as
 * complete once a frame with a higher LSN arrives (several frames may share an LSN) or its stream
 * ends. When idle, one more round is sent; and one when a stream ends or the publisher closes.
 *
 * <p>Relation metadata (opt-in, {@link #enableRelations}, for PostgreSQL WAL): the producer's
 * relation size changes go to the paired {@code <wal>-relations} topic
 * in the same transactions, keyed by {@link RelationKey}; once enabled, every WATERMARK round also
 * sends a relation WATERMARK at the same LSN to every partition of that topic. A record's size
 * changes come with its frames ({@link #acceptComplete(long, int, List, List)}), in the same
 * transaction, so a round at L covers every change ≤ L and a restart from the newest WATERMARK
 * neither skips nor repeats one.
 *
 * <p>Backpressure: {@code send} blocks when the producer's {@code buffer.memory} is full, so the
 * decoder never reads faster than Kafka accepts; in-flight bytes are bounded by that setting.
 *
 * <p>Thread-safety: all public methods are safe to call from any thread (one lock); a background
 * ticker commits on time while a source is idle. Streams of one publisher are processed one at a time.
 */
public final class WalPublisher implements FrameSink, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WalPublisher.class);

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final TimelineKey timeline;
    private final byte[] timelineKey;
    private final long commitIntervalNanos;
    private final long commitMaxBytes;
    private final BufferPool pool;
    private final IngestMetrics metrics;
    private final ScheduledExecutorService ticker;
    private final AtomicReference<Throwable> asyncError = new AtomicReference<>();
    private final Object lock = new Object();

    // Guarded by lock.
    private boolean txOpen;
    private long txStartNanos;
    private long txBytes;
    private boolean txHasRecords;
    private boolean seenLsn;
    private long lastLsn;
    private long completeLsn;
    private long committedWatermarkLsn;
    private long lastActivityNanos;
    private boolean idleRoundSent = true;
    private PublishException fatal;
    private boolean closed;
    private String relationsTopic; // null: relation metadata is not published
    private long relationChangeCount;

    // Written under lock, read by progress reporters.
    private volatile long recordsPublished;
    private volatile long bytesPublished;
    private volatile long currentLsn;
    private volatile long watermarkLsn;

    // Decoder totals for metrics: finished streams plus the live one.
    private final Object totalsLock = new Object();
    private DecodeSummary finishedTotals = new DecodeSummary(0, 0, 0, 0, 0, 0, 0, 0, 0, null);
    private volatile WalDecoder currentDecoder;

    /** A publisher with a real KafkaProducer configured from {@code config}. Calls initTransactions (fences older publishers). */
    public static WalPublisher create(IngestConfig config, TimelineKey timeline, MeterRegistry registry) {
        return new WalPublisher(new KafkaProducer<>(producerProperties(config, timeline)), config, timeline, registry);
    }

    /** For tests: any producer (e.g. MockProducer) with the given settings. */
    public WalPublisher(Producer<byte[], byte[]> producer, IngestConfig config, TimelineKey timeline, MeterRegistry registry) {
        this.producer = producer;
        this.topic = config.kafka().topic();
        this.timeline = timeline;
        this.timelineKey = WalRecordCodec.watermarkKey(timeline);
        this.commitIntervalNanos = TimeUnit.MILLISECONDS.toNanos(config.publisher().commitIntervalMs());
        this.commitMaxBytes = config.publisher().commitMaxBytes();
        this.pool = new BufferPool(config.decoder().bufferSize(), config.decoder().maxBuffers());
        this.metrics = new IngestMetrics(registry == null ? new SimpleMeterRegistry() : registry,
                timeline.tenant().toString(), timeline.timeline().toString(), this::decodeTotals);
        try {
            producer.initTransactions();
        } catch (KafkaException e) {
            producer.close(Duration.ZERO);
            throw new PublishException("cannot initialize the transactional producer " + transactionalId(timeline)
                    + ": " + e.getMessage(), e, false);
        }
        this.lastActivityNanos = System.nanoTime();
        long tick = Math.max(1, config.publisher().commitIntervalMs() / 4);
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "se-ingest-ticker-" + timeline.timeline());
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleWithFixedDelay(this::tickQuietly, tick, tick, TimeUnit.MILLISECONDS);
    }

    public static String transactionalId(TimelineKey timeline) {
        return "se-ingest-" + timeline.tenant() + "-" + timeline.timeline();
    }

    /** Producer settings: acks=all, idempotent, transactional; linger, batch, compression and buffer from config. */
    public static Map<String, Object> producerProperties(IngestConfig config, TimelineKey timeline) {
        IngestConfig.Kafka k = config.kafka();
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, k.bootstrap());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "se-ingest-" + timeline.timeline());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId(timeline));
        p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, config.publisher().transactionTimeoutMs());
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        p.put(ProducerConfig.LINGER_MS_CONFIG, k.lingerMs());
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, k.batchSize());
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, k.bufferMemory());
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, k.compression());
        // A frame may be 21 + 1,048,576 bytes: above the 1 MiB default (the topic's max.message.bytes must allow it too).
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 * 1024 * 1024);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, k.deliveryTimeoutMs());
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(30_000, k.deliveryTimeoutMs() - k.lingerMs()));
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return p;
    }

    /**
     * Decodes {@code in} to its end and publishes it; then commits with a final WATERMARK round.
     * Does not close {@code in}. A decoder stop (LSN regression) commits what came before it.
     *
     * @throws PublishException if publishing failed (the publisher is then unusable)
     */
    public PublishResult publish(InputStream in) {
        checkUsable();
        long records0 = recordsPublished;
        long bytes0 = bytesPublished;
        WalDecoder decoder;
        try {
            decoder = WalDecoder.open(pool, this, 60_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for a decoder buffer", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        DecodeSummary summary;
        String readError = null;
        currentDecoder = decoder;
        try (decoder) {
            try {
                summary = decoder.decodeAll(in);
            } catch (IOException e) {
                readError = "read failed after " + decoder.summary().bytes() + " bytes: " + e.getMessage();
                LOG.error(readError);
                summary = decoder.finish();
            } catch (PublishException e) {
                summary = decoder.summary();
                addTotals(summary);
                return new PublishResult(summary, recordsPublished - records0, bytesPublished - bytes0, watermarkLsn,
                        e.getMessage());
            }
        } finally {
            currentDecoder = null;
        }
        if (readError != null && summary.error() == null) {
            summary = new DecodeSummary(summary.frames(), summary.bytes(), summary.delivered(), summary.corruptFrames(),
                    summary.skippedBytes(), summary.reservedSkipped(), summary.rejected(), summary.lastLsn(),
                    summary.truncatedTailBytes(), readError);
        }
        addTotals(summary);
        String publishError = null;
        try {
            if (readError == null) {
                endOfStream(); // the stream ended (EOF or a decoder stop): its last LSN is complete
            } else {
                flush(); // cut off: frames sharing the last LSN may still come on a new connection
            }
        } catch (PublishException e) {
            publishError = e.getMessage();
        }
        return new PublishResult(summary, recordsPublished - records0, bytesPublished - bytes0, watermarkLsn, publishError);
    }

    @Override
    public void accept(Frame frame, ByteBuffer frameBytes) {
        synchronized (lock) {
            checkUsableLocked();
            advanceLsn(frame.lsn());
            int type = frame.typeCode();
            if (type == RecordType.LSN_ADVANCE.code()) {
                metrics.advance();
                return;
            }
            int len = frameBytes.remaining();
            byte[] key = WalRecordCodec.pageKey(timelineKey, frame.payload());
            byte[] value = new byte[len];
            frameBytes.get(frameBytes.position(), value, 0, len);
            long now = System.nanoTime();
            beginIfNeeded(now);
            send(new ProducerRecord<>(topic, null, key, value), now);
            txBytes += len;
            txHasRecords = true;
            idleRoundSent = false;
            lastActivityNanos = now;
            recordsPublished++;
            bytesPublished += len;
            metrics.published(type, len);
            if (now - txStartNanos >= commitIntervalNanos || txBytes >= commitMaxBytes) {
                commitWithWatermarks();
            }
        }
    }

    /**
     * Publishes the page frames of one source record, all at {@code lsn} (each a whole frame whose
     * payload starts with its PageRef), and marks {@code lsn} complete: the caller promises that no
     * later frame carries it (a PostgreSQL record's frames all share its unique end LSN). No commit
     * falls between these frames, so every committed transaction ends on a record boundary and its
     * WATERMARK is exactly the last record published: a restart from the newest WATERMARK neither
     * skips nor repeats a frame. An empty list is an LSN advance.
     */
    public void acceptComplete(long lsn, int typeCode, List<byte[]> frames) {
        acceptComplete(lsn, typeCode, frames, List.of());
    }

    /**
     * {@link #acceptComplete(long, int, List)} with the record's relation size changes, sent first to
     * the relations topic in the same transaction (no commit falls between them and the frames).
     *
     * @throws IllegalStateException if there are changes and {@link #enableRelations} was not called
     */
    public void acceptComplete(long lsn, int typeCode, List<byte[]> frames, List<RelationSize> relationChanges) {
        synchronized (lock) {
            checkUsableLocked();
            if (!relationChanges.isEmpty() && relationsTopic == null) {
                throw new IllegalStateException("relation metadata is not enabled on this publisher");
            }
            advanceLsn(lsn);
            long now = System.nanoTime();
            for (RelationSize c : relationChanges) {
                byte[] key = new RelationKey(timeline, c.fork()).toBytes();
                byte[] value = RelationRecord.size(lsn, c).encode();
                beginIfNeeded(now);
                send(new ProducerRecord<>(relationsTopic, null, key, value), now);
                txBytes += key.length + value.length;
                txHasRecords = true;
                idleRoundSent = false;
                lastActivityNanos = now;
            }
            relationChangeCount += relationChanges.size();
            if (frames.isEmpty()) {
                metrics.advance();
            }
            for (byte[] value : frames) {
                byte[] key = WalRecordCodec.pageKey(timelineKey,
                        ByteBuffer.wrap(value, WalFormat.HEADER_SIZE, value.length - WalFormat.HEADER_SIZE));
                beginIfNeeded(now);
                send(new ProducerRecord<>(topic, null, key, value), now);
                txBytes += value.length;
                txHasRecords = true;
                idleRoundSent = false;
                lastActivityNanos = now;
                recordsPublished++;
                bytesPublished += value.length;
                metrics.published(typeCode, value.length);
            }
            completeLsn = lsn;
            if (txOpen && (now - txStartNanos >= commitIntervalNanos || txBytes >= commitMaxBytes)) {
                commitWithWatermarks();
            }
        }
    }

    @Override
    public void skipped(long lsn) {
        synchronized (lock) {
            checkUsableLocked();
            advanceLsn(lsn);
        }
    }

    /**
     * From now on, relation size changes may be published and every WATERMARK round also covers the
     * relations topic paired with the WAL topic ({@link RelationTopic#nameFor}), which must exist.
     *
     * @throws PublishException if the relations topic cannot be described
     */
    public void enableRelations() {
        synchronized (lock) {
            checkUsableLocked();
            String name = RelationTopic.nameFor(topic);
            try {
                if (producer.partitionsFor(name).isEmpty()) {
                    throw new PublishException("relations topic " + name + " has no partitions", null, false);
                }
            } catch (KafkaException e) {
                throw new PublishException("cannot describe the relations topic " + name + " (create it with "
                        + "retention.ms=-1): " + e.getMessage(), e, false);
            }
            relationsTopic = name;
        }
    }

    /** Relation size changes published so far. */
    public long relationChangesPublished() {
        synchronized (lock) {
            return relationChangeCount;
        }
    }

    private void advanceLsn(long lsn) {
        if (seenLsn && Lsn.isAfter(lsn, lastLsn)) {
            completeLsn = lastLsn;
        }
        seenLsn = true;
        lastLsn = lsn;
        currentLsn = lsn;
    }

    /**
     * The current stream ended: its last LSN is complete. Commits with a WATERMARK round at it.
     */
    public void endOfStream() {
        synchronized (lock) {
            checkUsableLocked();
            if (seenLsn) {
                completeLsn = lastLsn;
            }
            commitWithWatermarks();
            idleRoundSent = true;
        }
    }

    /** Commits now (with a WATERMARK round at the complete LSN), if anything is pending. */
    public void flush() {
        synchronized (lock) {
            checkUsableLocked();
            if (txOpen || completeLsn != committedWatermarkLsn) {
                commitWithWatermarks();
            }
        }
    }

    private void tickQuietly() {
        try {
            tick();
        } catch (RuntimeException e) {
            LOG.debug("ticker: {}", e.toString());
        }
    }

    /** Time-driven commits: a transaction older than the interval, or one idle WATERMARK round. */
    void tick() {
        synchronized (lock) {
            if (closed || fatal != null) {
                return;
            }
            checkAsyncError();
            long now = System.nanoTime();
            if (txOpen && now - txStartNanos >= commitIntervalNanos) {
                commitWithWatermarks();
            } else if (!txOpen && completeLsn != committedWatermarkLsn) {
                commitWithWatermarks(); // LSN_ADVANCE-only progress
            } else if (!txOpen && !idleRoundSent && now - lastActivityNanos >= commitIntervalNanos) {
                commitWithWatermarks();
                idleRoundSent = true;
            }
        }
    }

    private void beginIfNeeded(long now) {
        if (!txOpen) {
            try {
                producer.beginTransaction();
            } catch (KafkaException e) {
                throw fail("cannot begin a transaction", e);
            }
            txOpen = true;
            txStartNanos = now;
            txBytes = 0;
            txHasRecords = false;
        }
    }

    private void send(ProducerRecord<byte[], byte[]> record, long sendNanos) {
        try {
            producer.send(record, (md, e) -> {
                if (e != null) {
                    asyncError.compareAndSet(null, e);
                } else {
                    metrics.acked(sendNanos);
                }
            });
        } catch (KafkaException e) {
            throw fail("send failed", e);
        }
    }

    /** Sends a WATERMARK round at the complete LSN (if any) and commits. */
    private void commitWithWatermarks() {
        checkAsyncError();
        long now = System.nanoTime();
        long wm = completeLsn;
        boolean round = wm != 0; // LSN 0 carries no record: nothing is complete yet
        if (!txOpen && !round) {
            return;
        }
        beginIfNeeded(now);
        if (round) {
            byte[] value = WalRecordCodec.watermarkValue(wm);
            List<PartitionInfo> partitions;
            try {
                partitions = producer.partitionsFor(topic);
            } catch (KafkaException e) {
                throw fail("cannot read the partitions of topic " + topic, e);
            }
            for (PartitionInfo p : partitions) {
                send(new ProducerRecord<>(topic, p.partition(), timelineKey, value), now);
            }
            if (relationsTopic != null) {
                byte[] relationMark = new RelationRecord.Watermark(wm).encode();
                try {
                    partitions = producer.partitionsFor(relationsTopic);
                } catch (KafkaException e) {
                    throw fail("cannot read the partitions of topic " + relationsTopic, e);
                }
                for (PartitionInfo p : partitions) {
                    send(new ProducerRecord<>(relationsTopic, p.partition(), timelineKey, relationMark), now);
                }
            }
        }
        try {
            producer.commitTransaction();
        } catch (KafkaException e) {
            throw fail("commit failed", e);
        }
        txOpen = false;
        checkAsyncError();
        if (round) {
            committedWatermarkLsn = wm;
            watermarkLsn = wm;
        }
        metrics.committed(round, wm);
    }

    private void checkAsyncError() {
        Throwable e = asyncError.get();
        if (e != null) {
            throw fail("a send failed", e);
        }
    }

    private PublishException fail(String what, Throwable e) {
        if (fatal != null) {
            return fatal;
        }
        boolean fenced = e instanceof ProducerFencedException || e instanceof InvalidProducerEpochException
                || e.getCause() instanceof ProducerFencedException;
        String msg = fenced
                ? "fenced: another publisher with transactional.id " + transactionalId(timeline) + " took over timeline "
                        + timeline + " (" + e.getMessage() + ")"
                : what + " for timeline " + timeline + ": " + e;
        fatal = new PublishException(msg, e, fenced);
        LOG.error(msg);
        if (txOpen && !fenced) {
            try {
                producer.abortTransaction();
            } catch (KafkaException abortFailure) {
                LOG.debug("abort after failure: {}", abortFailure.toString());
            }
        }
        txOpen = false;
        return fatal;
    }

    private void checkUsable() {
        synchronized (lock) {
            checkUsableLocked();
        }
    }

    private void checkUsableLocked() {
        if (fatal != null) {
            throw fatal;
        }
        if (closed) {
            throw new IllegalStateException("publisher closed");
        }
    }

    private void addTotals(DecodeSummary s) {
        synchronized (totalsLock) {
            finishedTotals = sum(finishedTotals, s);
        }
    }

    /** Cumulative decoder counts of all streams, including the one in progress. */
    public DecodeSummary decodeTotals() {
        WalDecoder live = currentDecoder;
        DecodeSummary base;
        synchronized (totalsLock) {
            base = finishedTotals;
        }
        return live == null ? base : sum(base, live.summary());
    }

    private static DecodeSummary sum(DecodeSummary a, DecodeSummary b) {
        return new DecodeSummary(a.frames() + b.frames(), a.bytes() + b.bytes(), a.delivered() + b.delivered(),
                a.corruptFrames() + b.corruptFrames(), a.skippedBytes() + b.skippedBytes(),
                a.reservedSkipped() + b.reservedSkipped(), a.rejected() + b.rejected(),
                b.lastLsn() != 0 ? b.lastLsn() : a.lastLsn(), a.truncatedTailBytes() + b.truncatedTailBytes(), null);
    }

    public long recordsPublished() {
        return recordsPublished;
    }

    public long bytesPublished() {
        return bytesPublished;
    }

    /** LSN of the newest frame seen. */
    public long currentLsn() {
        return currentLsn;
    }

    /** LSN of the last committed WATERMARK round (0 if none). */
    public long watermarkLsn() {
        return watermarkLsn;
    }

    public TimelineKey timeline() {
        return timeline;
    }

    public IngestMetrics metrics() {
        return metrics;
    }

    /** Commits what is pending with a final WATERMARK round (unless failed), then closes the producer. */
    @Override
    public void close() {
        ticker.shutdownNow();
        try {
            ticker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (lock) {
            if (closed) {
                return;
            }
            try {
                // A stream still open is not complete: only endOfStream() promotes its last LSN.
                if (fatal == null && (txOpen || completeLsn != committedWatermarkLsn || !idleRoundSent)) {
                    commitWithWatermarks();
                }
            } catch (PublishException e) {
                LOG.error("final commit failed: {}", e.getMessage());
            } finally {
                closed = true;
                producer.close(Duration.ofSeconds(fatal == null ? 30 : 0));
                LOG.info("publisher for {} closed: {} records, {} bytes, watermark LSN {}", timeline, recordsPublished,
                        bytesPublished, Lsn.format(watermarkLsn));
            }
        }
    }
}
