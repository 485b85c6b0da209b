package io.storageengine.catalog.timeline;

import io.storageengine.catalog.connection.ConnectionSource;
import io.storageengine.catalog.internal.TimelineSql;
import io.storageengine.schemas.timeline.TimelineKey;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Timelines ({@code timelines}): when each was first and last seen, its GC horizon (the oldest
 * LSN readers may still ask for; raised by the compactor's image jobs, never lowered) and the
 * newest LSN the cold tier has applied (raised with each L0 registration or offset commit, in
 * that transaction, see {@code SegmentMap.registerL0}). page-service reloads {@link #all()} on
 * every segment map refresh and answers horizons from memory. Thread-safe.
 */
public final class Timelines {
    private final ConnectionSource connections;
    private final ConnectionSource reads;

    /**
     * @param primary writes and reads that must see them
     * @param reads   lag-tolerant reads (a replica within the lag bound, or the primary)
     */
    public Timelines(ConnectionSource primary, ConnectionSource reads) {
        this.connections = primary;
        this.reads = reads;
    }

    /** Everything on one source (tests, or a catalog with no replica). */
    public Timelines(ConnectionSource primary) {
        this(primary, primary);
    }

    /**
     * Records that a timeline was seen (creating it), raising its last applied LSN if given (≥ 0).
     * Compactors pass the LSNs to {@code SegmentMap.registerL0} instead, so they commit with the segment.
     */
    public void touch(TimelineKey timeline, long lastAppliedLsn) {
        connections.transaction("touchTimeline", c -> {
            TimelineSql.touch(c, timeline, lastAppliedLsn);
            return null;
        });
    }

    /** Raises the timeline's GC horizon (never lowers it), creating the timeline if needed; returns the horizon now in force. */
    public long raiseGcHorizon(TimelineKey timeline, long horizonLsn) {
        return connections.transaction("setGcHorizon", c -> TimelineSql.raiseGcHorizon(c, timeline, horizonLsn));
    }

    /** The timeline's GC horizon, or empty if the timeline is unknown. */
    public OptionalLong gcHorizon(TimelineKey timeline) {
        Optional<TimelineInfo> t = find(timeline);
        return t.isPresent() ? OptionalLong.of(t.get().gcHorizonLsn()) : OptionalLong.empty();
    }

    public Optional<TimelineInfo> find(TimelineKey timeline) {
        return connections.transaction("timeline", c -> TimelineSql.find(c, timeline));
    }

    /**
     * Every known timeline (for caches of GC horizons that readers consult from memory).
     * Lag-tolerant: the page service reads it right after the segment list, on the same replica.
     * Consolidated (identical calls waiting for a connection share one query); unmodifiable.
     */
    public List<TimelineInfo> all() {
        return reads.readConsolidated("timelines", TimelineSql.ALL_KEY, c -> List.copyOf(TimelineSql.all(c)));
    }
}
