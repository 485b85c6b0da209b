package io.storageengine.compactor.compaction;

import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.Lsn;
import java.util.List;
import java.util.Map;

/**
 * One partition's active segments and the timeline facts GC needs, read from the catalog in one
 * transaction (or built by a simulator). Immutable.
 *
 * @param newestLsn per timeline, the newest LSN known durable (highest watermark or record seen)
 * @param explicitHorizon per timeline, the horizon published in the catalog ({@code gc_horizon_lsn}:
 *        raised by an operator, or by GC itself before each retirement); a floor under retention
 */
public record PartitionSnapshot(int partition, List<SegmentView> segments, Map<TimelineKey, Long> newestLsn,
                                Map<TimelineKey, Long> explicitHorizon) {
    public PartitionSnapshot {
        segments = List.copyOf(segments);
        newestLsn = Map.copyOf(newestLsn);
        explicitHorizon = Map.copyOf(explicitHorizon);
    }

    /**
     * The GC horizon of {@code t}: reads at LSNs ≥ it must keep their answers. The higher of the
     * published horizon and the retention horizon (newest LSN minus {@code retentionLsnBytes}):
     * GC publishes every horizon it relies on into the same catalog column an operator raises, so
     * the published value can only be a floor; if it won outright, the first retirement would
     * freeze the timeline's horizon and GC would never collect anything newer. 0 (nothing may be
     * collected) for a timeline with neither.
     */
    public long horizon(TimelineKey t, CompactionPolicy policy) {
        long published = explicitHorizon.getOrDefault(t, 0L);
        Long newest = newestLsn.get(t);
        long retention = newest == null || Long.compareUnsigned(newest, policy.retentionLsnBytes()) <= 0
                ? 0 : newest - policy.retentionLsnBytes();
        return Lsn.max(published, retention);
    }
}
