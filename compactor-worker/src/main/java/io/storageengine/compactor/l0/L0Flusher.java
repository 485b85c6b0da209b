package io.storageengine.compactor.l0;

import io.storageengine.catalog.Catalog;
import io.storageengine.catalog.CatalogConflictException;
import io.storageengine.catalog.lease.Lease;
import io.storageengine.catalog.lease.StaleLeaseException;
import io.storageengine.catalog.offset.OffsetKey;
import io.storageengine.catalog.segmentmap.RegisterResult;
import io.storageengine.catalog.segmentmap.SegmentMeta;
import io.storageengine.compactor.gc.PendingOutputs;
import io.storageengine.compactor.internal.SegmentWriteException;
import io.storageengine.schemas.segment.SegmentKind;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.segments.segment.SegmentInfo;
import io.storageengine.segments.segment.SegmentWriter;
import io.storageengine.segments.store.SegmentMetas;
import io.storageengine.segments.store.SegmentStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cuts a {@link PartitionBuffer} into one L0 DELTA segment: sorts the versions by VersionKey
 * (a duplicate key, a record published twice, is written once and counted), writes the file
 * (records copied from the buffer's arena into the writer's blocks, one fsync per file),
 * puts it into the store, then registers it with its offsets {@code [start, next)} and the lease
 * epoch in ONE catalog transaction ({@link io.storageengine.catalog.segmentmap.SegmentMap#registerL0}), which also commits {@code next}
 * as the partition's offset and raises the newest LSN of every timeline in the cut (GC horizons
 * derive from it, so it must never lag behind the registered segments). So a segment is built exactly once: a crash before the commit
 * leaves an unregistered file (deleted here on the next attempt, or by the orphan sweep, which
 * leaves the name alone while it is held in {@link PendingOutputs}: from before the write until
 * the registration has returned or thrown, however long its retries take) and the
 * WAL is consumed again from the committed offset. The name
 * {@code p<partition>-L0-<start>-<next>-e<epoch>} is deterministic for a retry by the same owner
 * and never shared with another owner. A stale epoch or a conflicting offset is refused by the
 * catalog; the file is deleted and the exception propagates (the caller drops its buffer).
 * A buffer holding only watermarks or skipped records commits its offsets without a segment.
 * A write that fails (a full disk: {@link SegmentWriteException}) leaves no file, neither the
 * writer's temporary one nor a half-put segment, registers nothing and commits no offset: the
 * caller drops the buffer and consumes the same WAL again later.
 * Thread-safe if the catalog and store are (one call per buffer at a time).
 */
public final class L0Flusher {
    private static final Logger LOG = LoggerFactory.getLogger(L0Flusher.class);

    /** What a cut produced ({@code name} null when only offsets were committed). */
    public record Result(String name, SegmentInfo info, long records, long duplicates, long startOffset, long nextOffset) {
    }

    private final Catalog catalog;
    private final SegmentStore store;
    private final String consumerGroup;
    private final String topic;
    private final PendingOutputs pending;

    public L0Flusher(Catalog catalog, SegmentStore store, String consumerGroup, String topic, PendingOutputs pending) {
        this.catalog = catalog;
        this.store = store;
        this.consumerGroup = consumerGroup;
        this.topic = topic;
        this.pending = pending;
    }

    public static String segmentName(int partition, long start, long next, long epoch) {
        return "p" + partition + "-L0-" + start + "-" + next + "-e" + epoch;
    }

    public Result flush(PartitionBuffer buf, Lease lease) throws IOException {
        int p = buf.partition();
        OffsetKey key = new OffsetKey(consumerGroup, topic, p);
        long start = buf.startOffset();
        long next = buf.nextOffset();
        Map<TimelineKey, Long> lsns = buf.maxLsnByTimeline();
        if (!buf.hasVersions()) {
            if (!buf.isEmpty()) {
                catalog.offsets().commit(lease, key, next, lsns);
            }
            buf.cut();
            return new Result(null, null, 0, 0, start, next);
        }
        String name = segmentName(p, start, next, lease.epoch());
        try (PendingOutputs.Hold held = pending.hold(name)) {
            return write(buf, lease, name, key, lsns);
        }
    }

    private Result write(PartitionBuffer buf, Lease lease, String name, OffsetKey key, Map<TimelineKey, Long> lsns)
            throws IOException {
        int p = buf.partition();
        long start = buf.startOffset();
        long next = buf.nextOffset();
        if (store.exists(name)) {
            if (catalog.segments().segment(name).isPresent()) {
                LOG.info("L0 segment {} was registered by an earlier attempt", name);
                buf.cut();
                return new Result(name, null, 0, 0, start, next);
            }
            store.delete(name);
        }
        Path path = store.stagingDirectory().resolve(name);
        Files.deleteIfExists(path);
        long duplicates = 0;
        SegmentInfo info;
        String location;
        try {
            try (SegmentWriter w = store.newWriter(name, SegmentWriter.Options.of(SegmentKind.DELTA, 0, p))) {
                duplicates = buf.writeSorted(w);
                info = w.finish(); // a failed write: close() deletes the temporary file
            }
            location = store.put(name, path);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(path); // finished but not put: never left for a reader or the next owner
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw new SegmentWriteException(name, e);
        }
        SegmentMeta meta = SegmentMetas.of(name, info, store.name(), location, start, next);
        try {
            RegisterResult r = catalog.segments().registerL0(lease, meta, key, next, lsns);
            LOG.debug("L0 {} {}: {} records, {} bytes", name, r, info.recordCount(), info.fileSize());
        } catch (StaleLeaseException | CatalogConflictException e) {
            store.delete(name);
            throw e;
        }
        long records = info.recordCount();
        buf.cut();
        return new Result(name, info, records, duplicates, start, next);
    }
}
