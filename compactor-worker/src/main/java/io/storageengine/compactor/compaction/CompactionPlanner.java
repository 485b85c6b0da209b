package io.storageengine.compactor.compaction;

import java.util.List;

/**
 * Decides what to do with one partition from metadata alone (no Kafka, no files), so tests and
 * the simulator drive it directly. Implementations are pure and thread-safe.
 */
public interface CompactionPlanner {
    /**
     * Jobs worth running now, most urgent first; the caller runs the first, takes a new snapshot
     * and plans again. Empty when nothing is due.
     */
    List<PlannedJob> plan(PartitionSnapshot snapshot, CompactionPolicy policy);
}
