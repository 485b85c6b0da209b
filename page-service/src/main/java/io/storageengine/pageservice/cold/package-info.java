/**
 * The page service's cold tier: {@link io.storageengine.pageservice.cold.SegmentColdPageSource}
 * reads page versions from the segments the catalog lists (a refreshed, copy-on-write
 * {@link io.storageengine.segments.read.SegmentSet}), and {@link io.storageengine.pageservice.cold.HotTrimming}
 * removes from the hot store ({@code page-versions}) the versions those segments demonstrably hold,
 * so the hot store stays small whatever the total data size. Configured by
 * {@link io.storageengine.pageservice.cold.ColdTierSettings}. Thread-safety is documented per class.
 */
package io.storageengine.pageservice.cold;
