/**
 * Compaction planning from metadata alone: {@link io.storageengine.compactor.compaction.CompactionPlanner}
 * ({@link io.storageengine.compactor.compaction.LeveledPlanner}) maps a
 * {@link io.storageengine.compactor.compaction.PartitionSnapshot} and a
 * {@link io.storageengine.compactor.compaction.CompactionPolicy} to
 * {@link io.storageengine.compactor.compaction.PlannedJob}s. Pure and thread-safe, so tests and a
 * simulator drive it without Kafka; {@link io.storageengine.compactor.compaction.CatalogSnapshots}
 * builds snapshots from the catalog.
 */
package io.storageengine.compactor.compaction;
