package io.storageengine.compactor.compaction;

import io.storageengine.schemas.timeline.TimelineKey;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A unit of compaction work on one partition, decided by a {@link CompactionPlanner} from metadata
 * and executed by the worker. Immutable.
 */
public sealed interface PlannedJob {
    int partition();

    /** Segments the job reads (or retires). */
    List<SegmentView> inputs();

    String kind();

    /** Merge these L0 segments (consecutive offsets) into L1 segments split by timeline and target size. */
    record MergeL0(int partition, List<SegmentView> inputs) implements PlannedJob {
        public MergeL0 {
            inputs = List.copyOf(inputs);
        }

        @Override
        public String kind() {
            return "merge_l0";
        }
    }

    /**
     * Merge a run of adjacent small L1 generations of {@code timeline} (every L1 segment of each
     * generation in the run, consecutive in offsets and so in LSNs) into L1 segments of the target
     * size covering the run's offsets. Executed like {@link MergeL0}: inputs retired, outputs
     * registered, in one catalog swap.
     */
    record MergeL1(int partition, TimelineKey timeline, List<SegmentView> inputs) implements PlannedJob {
        public MergeL1 {
            Objects.requireNonNull(timeline, "timeline");
            inputs = List.copyOf(inputs);
        }

        @Override
        public String kind() {
            return "merge_l1";
        }
    }

    /**
     * Materialize every page of {@code timeline} as of offset {@code cutOffset}: from {@code inputs}
     * (the newest image of the timeline, if any, and every L1 segment after it up to the cut).
     */
    record CreateImages(int partition, TimelineKey timeline, long cutOffset, List<SegmentView> inputs)
            implements PlannedJob {
        public CreateImages {
            Objects.requireNonNull(timeline, "timeline");
            inputs = List.copyOf(inputs);
        }

        @Override
        public String kind() {
            return "create_images";
        }
    }

    /**
     * Retire segments no read at or above the horizon needs (shadowed by a newer image below it).
     * {@code horizons}: per timeline, the GC horizon the decision relies on; it is published to the
     * catalog before the segments go, so page services refuse reads below it (410) instead of
     * answering them from what is left.
     */
    record Retire(int partition, List<SegmentView> inputs, String reason, Map<TimelineKey, Long> horizons)
            implements PlannedJob {
        public Retire {
            inputs = List.copyOf(inputs);
            horizons = Map.copyOf(horizons);
        }

        @Override
        public String kind() {
            return "retire";
        }
    }
}
