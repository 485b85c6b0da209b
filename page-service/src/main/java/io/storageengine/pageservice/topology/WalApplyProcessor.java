package io.storageengine.pageservice.topology;

import io.storageengine.schemas.page.PageKey;
import io.storageengine.schemas.page.PageRecords;
import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.page.StoredVersion;
import io.storageengine.schemas.page.VersionKey;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.BadRecordException;
import io.storageengine.schemas.wal.Frame;
import io.storageengine.schemas.wal.FrameCodec;
import io.storageengine.schemas.wal.Lsn;
import io.storageengine.schemas.wal.RecordType;
import java.nio.ByteBuffer;
import java.util.Map;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies one {@code wal} partition: each record value must be exactly one valid frame
 * ({@code spec/wal-format.md}, "In Kafka").
 *
 * <ul>
 *   <li>PAGE_IMAGE / PAGE_DELTA (key: 49-byte page key): validated, then stored as
 *       VersionKey(page, lsn) → StoredVersion. The timeline is marked as seen on the partition
 *       (watermark 0 if it had none): page records never raise the watermark themselves.</li>
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
        registry.activate(partition, stored);
        LOG.info("Partition {} active: {} timelines with watermarks restored", partition, stored.size());
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        byte[] key = record.key();
        byte[] value = record.value();
        if (value == null) {
            counters.corruptFrame();
            skip("null value");
            return;
        }
        ByteBuffer buf = ByteBuffer.wrap(value);
        int n = FrameCodec.probe(buf, 0, value.length);
        if (n != value.length) {
            counters.corruptFrame();
            skip(n == FrameCodec.NEED_MORE ? "truncated frame"
                    : n == FrameCodec.INVALID ? "corrupt frame: " + FrameCodec.describeCorruption(buf, 0, value.length)
                    : "frame followed by " + (value.length - n) + " extra bytes");
            return;
        }
        Frame frame = FrameCodec.decodeAt(buf, 0, n);
        RecordType type = frame.type();
        if (type == null) {
            counters.reservedType();
            skip("reserved record type 0x" + Integer.toHexString(frame.typeCode()) + " at " + Lsn.format(frame.lsn()));
            return;
        }
        switch (type) {
            case PAGE_IMAGE, PAGE_DELTA -> applyPage(key, frame, type);
            case WATERMARK -> applyWatermark(key, frame);
            case LSN_ADVANCE -> {
                counters.ignoredLsnAdvance();
                skip("LSN_ADVANCE at " + Lsn.format(frame.lsn()) + " (not published per page; ignored)");
            }
        }
    }

    private void applyPage(byte[] key, Frame frame, RecordType type) {
        if (key == null || key.length != PageKey.SIZE) {
            counters.badKey();
            skip(type + " at " + Lsn.format(frame.lsn()) + " with a key of "
                    + (key == null ? "null" : key.length + " bytes") + ", expected " + PageKey.SIZE);
            return;
        }
        ByteBuffer payload = frame.payload();
        try {
            PageRecords.validate(frame.lsn(), type, payload);
        } catch (BadRecordException e) {
            counters.badRecord();
            skip(e.getMessage());
            return;
        }
        if (!ByteBuffer.wrap(key, TimelineKey.SIZE, PageRef.SIZE).equals(payload.slice(payload.position(), PageRef.SIZE))) {
            counters.badRecord();
            skip(type + " at " + Lsn.format(frame.lsn()) + ": PageRef in the payload differs from the key's");
            return;
        }
        versions.put(VersionKey.encode(key, frame.lsn()), StoredVersion.fromPayload(type, payload));
        counters.pageVersion();
        TimelineKey timeline = TimelineKey.read(ByteBuffer.wrap(key, 0, TimelineKey.SIZE));
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

    private void applyWatermark(byte[] key, Frame frame) {
        if (key == null || key.length != TimelineKey.SIZE) {
            counters.badKey();
            skip("WATERMARK at " + Lsn.format(frame.lsn()) + " with a key of "
                    + (key == null ? "null" : key.length + " bytes") + ", expected " + TimelineKey.SIZE);
            return;
        }
        if (frame.payloadLength() != 0) {
            counters.badRecord();
            skip("WATERMARK at " + Lsn.format(frame.lsn()) + " has a " + frame.payloadLength()
                    + "-byte payload, expected none");
            return;
        }
        byte[] wk = WatermarkKeys.key(partition, key);
        byte[] current = watermarks.get(wk);
        long lsn = frame.lsn();
        if (current != null && Long.compareUnsigned(lsn, WatermarkKeys.lsnOf(current)) <= 0) {
            counters.staleWatermark();
            return;
        }
        byte[] v = WatermarkKeys.value(lsn);
        watermarks.put(wk, v);
        versions.put(wk, v); // the marker a standby trusts (see WatermarkKeys)
        registry.advance(partition, TimelineKey.fromBytes(key), lsn);
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
