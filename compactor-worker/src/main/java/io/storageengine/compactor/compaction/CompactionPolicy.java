package io.storageengine.compactor.compaction;

/**
 * When to compact. Immutable.
 *
 * @param l0Trigger merge a partition's L0 segments into L1 once it has at least this many
 * @param l0TriggerBytes ... or once they hold at least this many bytes together
 * @param l1TargetBytes target size of an L1 output segment (outputs are cut at page boundaries)
 * @param imageChainThreshold create an IMAGE segment for (partition, timeline) once this many L1
 *        generations (distinct offset ranges) were written after its newest image: the length of
 *        the delta chain a read may have to walk through segments
 * @param retentionLsnBytes GC horizon of a timeline = its newest durable LSN minus this, unless an
 *        explicit horizon is set in the catalog
 * @param l1MergeTrigger re-merge a run of adjacent small L1 generations of one timeline (each below
 *        half of {@code l1TargetBytes}) once the run has this many generations (or, with at least
 *        two, once it holds half the target size); see {@link LeveledPlanner}
 */
public record CompactionPolicy(int l0Trigger, long l0TriggerBytes, long l1TargetBytes, int imageChainThreshold,
                               long retentionLsnBytes, int l1MergeTrigger) {
    /** Default of {@link #l1MergeTrigger()}. */
    public static final int DEFAULT_L1_MERGE_TRIGGER = 4;

    public static final CompactionPolicy DEFAULTS =
            new CompactionPolicy(4, 512L << 20, 128L << 20, 4, 1L << 30, DEFAULT_L1_MERGE_TRIGGER);

    public CompactionPolicy {
        if (l0Trigger < 1 || l0TriggerBytes < 1 || l1TargetBytes < 1 || imageChainThreshold < 1 || retentionLsnBytes < 0
                || l1MergeTrigger < 2) {
            throw new IllegalArgumentException("invalid compaction policy: " + l0Trigger + ", " + l0TriggerBytes + ", "
                    + l1TargetBytes + ", " + imageChainThreshold + ", " + retentionLsnBytes + ", " + l1MergeTrigger);
        }
    }

    /** A policy with the default {@link #l1MergeTrigger()}. */
    public CompactionPolicy(int l0Trigger, long l0TriggerBytes, long l1TargetBytes, int imageChainThreshold,
                            long retentionLsnBytes) {
        this(l0Trigger, l0TriggerBytes, l1TargetBytes, imageChainThreshold, retentionLsnBytes, DEFAULT_L1_MERGE_TRIGGER);
    }
}
