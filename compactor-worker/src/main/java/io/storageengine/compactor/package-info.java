/**
 * compactor-worker: the process that builds and rewrites the cold tier.
 *
 * <ul>
 *   <li>{@code compaction}: planning. {@link io.storageengine.compactor.compaction.CompactionPlanner} turns a
 *       metadata snapshot of one partition's segments into jobs; pure, driven by tests and a simulator.</li>
 *   <li>{@code l0}: the WAL consumer that cuts each partition into level-0 DELTA segments.</li>
 *   <li>{@code merge}: k-way merge of segments (L0 to L1).</li>
 *   <li>{@code image}: IMAGE segments (every page of a timeline materialized at an offset cut).</li>
 *   <li>{@code gc}: horizons and deletion of retired files after a grace period.</li>
 *   <li>{@code worker}: the runtime (config, leases, job loop, metrics, admin HTTP).</li>
 * </ul>
 *
 * <h2>Model</h2>
 * Everything in one Kafka partition is ordered by offset, across timelines. Every DELTA segment
 * covers an offset range {@code [startOffset, endOffset)} of its partition (L0: one cut of the WAL,
 * all timelines; L1: the merge of consecutive L0s, split by timeline and size). An IMAGE segment of
 * (partition, timeline) holds, for every page of that timeline with a record before its cut offset
 * {@code endOffset}, the page as of its last record before the cut (key = that record's LSN).
 */
package io.storageengine.compactor;
