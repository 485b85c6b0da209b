/**
 * The page service's cold tier: {@link io.storageengine.pageservice.cold.SegmentColdPageSource}
 * reads page versions from the segments the catalog lists (a refreshed, copy-on-write
 * {@link io.storageengine.segments.read.SegmentSet}), and implements the topology's trimming port
 * ({@link io.storageengine.pageservice.topology.trim.TrimCoverage}), so the trimmer in
 * {@code topology.trim} removes from the hot store ({@code page-versions}) the versions those
 * segments demonstrably hold and the hot store stays small whatever the total data size.
 * {@link io.storageengine.pageservice.cold.ColdTier} builds both for {@code Main}. Configured by
 * {@link io.storageengine.pageservice.cold.ColdTierSettings}. Thread-safety is documented per class.
 */
package io.storageengine.pageservice.cold;
