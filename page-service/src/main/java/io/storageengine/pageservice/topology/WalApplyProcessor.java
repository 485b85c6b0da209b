package io.storageengine.pageservice.topology;

import io.storageengine.pagecore.StoredVersion;
import io.storageengine.schemas.kafka.WalRecordCodec;
import io.storageengine.schemas.page.VersionKey;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.Lsn;
import java.nio.ByteBuffer;
import java.util.Map;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies one {@code wal} partition: each record is decoded by the one Kafka record codec,
 * {@link WalRecordCodec} ({@code spec/wal-format.md}, "In Kafka").
 *
 * <ul>
 *   <li>Page records, PAGE_IMAGE / PAGE_DELTA / PG_RECORD (key: 49-byte page key): validated by the
 *       codec, then stored as VersionKey(page, lsn) → page-core StoredVersion. The timeline is
 *       marked as seen on the partition (watermark 0 if it had none): page records never raise the
 *       watermark themselves. After the write the page is reported to the registry's
 *       {@link PageChanges} (caches of reconstructed pages drop it).</li>
 *   <li>WATERMARK (key: 32-byte timeline key, empty payload): raises the stored watermark of
 *       (partition, timeline) if higher (and its marker in the versions store, for standby
 *       replicas), then the {@link WatermarkRegistry}. The store write comes
 *       first and every page record before it in the partition is already in the store, so a
 *       reader woken by the registry sees every version ≤ the watermark.</li>
 *   <li>Anything else is skipped and counted ({@link ApplyCounters}), never thrown: a corrupt
 *       value, a bad payload, a PageRef that differs from the key, a key of the wrong size, a
 *       reserved type, an LSN_ADVANCE.</li>
 * </ul>
 *
 * <p>On init (the task's stores restored) it activates the partition in the registry with its
 * versions store, which the read path then reads through, and releases it on close.
 *
 * <p>One instance per task, called by that task's stream thread only. Under exactly-once,
 * a replay after an aborted transaction rewrites identical values (idempotent).
 */
final class WalApplyProcessor implements Processor<byte[], byte[], Void, Void> {
    private static final Logger LOG = LoggerFactory.getLogger(WalApplyProcessor.class);
    private static final int LOG_FIRST = 10;
    private static final int LOG_EVERY = 1000;

    private final WatermarkRegistry registry;
    private final ApplyCounters counters;
    private ProcessorContext<Void, Void> context;
    private KeyValueStore<byte[], byte[]> versions;
    private KeyValueStore<byte[], byte[]> watermarks;
    private int partition;
    private long skippedHere;

    WalApplyProcessor(WatermarkRegistry registry, ApplyCounters counters) {
        this.registry = registry;
        this.counters = counters;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        this.partition = context.taskId().partition();
        this.versions = context.getStateStore(PageTopology.PAGE_VERSIONS_STORE);
        this.watermarks = context.getStateStore(PageTopology.WATERMARKS_STORE);
        Map<TimelineKey, Long> stored = WatermarkKeys.load(watermarks, partition);
        registry.activate(partition, stored, versions);
        LOG.info("Partition {} active: {} timelines with watermarks restored", partition, stored.size());
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        switch (WalRecordCodec.decode(record.key(), record.value())) {
            case WalRecordCodec.PageRecord r -> applyPage(r);
            case WalRecordCodec.Watermark w -> applyWatermark(w);
            case WalRecordCodec.LsnAdvance a -> {
                counters.ignoredLsnAdvance();
                skip("LSN_ADVANCE at " + Lsn.format(a.lsn()) + " (not published per page; ignored)");
            }
            case WalRecordCodec.Skipped s -> {
                switch (s.reason()) {
                    case NULL_VALUE, CORRUPT_FRAME -> counters.corruptFrame();
                    case RESERVED_TYPE -> counters.reservedType();
                    case BAD_KEY -> counters.badKey();
                    case BAD_RECORD, KEY_MISMATCH -> counters.badRecord();
                }
                skip(s.detail());
            }
        }
    }

    private void applyPage(WalRecordCodec.PageRecord r) {
        byte[] key = r.pageKey();
        ByteBuffer body = r.body();
        versions.put(VersionKey.encode(key, r.lsn()), StoredVersion.fromBody(r.type(), body));
        registry.pageChanges().versionStored(key); // after the write: see PageChanges
        counters.pageVersion();
        TimelineKey timeline = r.timeline();
        PartitionMarks pm = registry.partition(partition);
        if (pm == null || pm.mark(timeline) == null) {
            byte[] wk = WatermarkKeys.key(partition, key);
            if (watermarks.get(wk) == null) {
                byte[] zero = WatermarkKeys.value(0);
                watermarks.put(wk, zero);
                versions.put(wk, zero);
            }
            registry.markSeen(partition, timeline);
        }
    }

    private void applyWatermark(WalRecordCodec.Watermark w) {
        byte[] wk = WatermarkKeys.key(partition, w.timeline());
        byte[] current = watermarks.get(wk);
        long lsn = w.lsn();
        if (current != null && !Lsn.isAfter(lsn, WatermarkKeys.lsnOf(current))) {
            counters.staleWatermark();
            return;
        }
        byte[] v = WatermarkKeys.value(lsn);
        watermarks.put(wk, v);
        versions.put(wk, v); // the marker a standby trusts (see WatermarkKeys)
        registry.advance(partition, w.timeline(), lsn);
        counters.watermark();
    }

    private void skip(String why) {
        skippedHere++;
        if (skippedHere <= LOG_FIRST || skippedHere % LOG_EVERY == 0) {
            String where = context.recordMetadata()
                    .map(m -> m.topic() + "-" + m.partition() + "@" + m.offset()).orElse("partition " + partition);
            LOG.warn("Skipped record {} ({} skipped on this task): {}", where, skippedHere, why);
        }
    }

    @Override
    public void close() {
        registry.release(partition);
        LOG.info("Partition {} released", partition);
    }
}
