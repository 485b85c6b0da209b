package io.storageengine.compactor.compaction;

import io.storageengine.schemas.timeline.TimelineKey;
import java.util.List;
import java.util.Map;

/**
 * One partition's active segments and the timeline facts GC needs, read from the catalog in one
 * transaction (or built by a simulator). Immutable.
 *
 * @param newestLsn per timeline, the newest LSN known durable (highest watermark or record seen)
 * @param explicitHorizon per timeline, a GC horizon set by an operator; wins over retention
 */
public record PartitionSnapshot(int partition, List<SegmentView> segments, Map<TimelineKey, Long> newestLsn,
                                Map<TimelineKey, Long> explicitHorizon) {
    public PartitionSnapshot {
        segments = List.copyOf(segments);
        newestLsn = Map.copyOf(newestLsn);
        explicitHorizon = Map.copyOf(explicitHorizon);
    }

    /**
     * The GC horizon of {@code t}: reads at LSNs ≥ it must keep their answers. 0 (nothing may be
     * collected) for a timeline without a newest LSN or explicit horizon.
     */
    public long horizon(TimelineKey t, CompactionPolicy policy) {
        Long explicit = explicitHorizon.get(t);
        if (explicit != null) {
            return explicit;
        }
        Long newest = newestLsn.get(t);
        if (newest == null || Long.compareUnsigned(newest, policy.retentionLsnBytes()) <= 0) {
            return 0;
        }
        return newest - policy.retentionLsnBytes();
    }
}
