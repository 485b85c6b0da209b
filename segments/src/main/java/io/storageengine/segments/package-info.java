/**
 * The cold tier of storage-engine, a library shared by compactor-worker (writes) and
 * page-service (reads).
 *
 * <ul>
 *   <li>{@code segment}: the immutable segment file format ({@link io.storageengine.segments.segment.SegmentWriter},
 *       {@link io.storageengine.segments.segment.SegmentReader}).</li>
 *   <li>{@code store}: where finished segment files live ({@link io.storageengine.segments.store.SegmentStore}):
 *       a directory, or the catalog database itself.</li>
 *   <li>{@code catalog}: the PostgreSQL catalog ({@link io.storageengine.segments.catalog.Catalog}): timelines,
 *       the segment map, committed Kafka offsets, partition leases (fencing), compaction history.</li>
 *   <li>{@code internal}: implementation detail (block codec, key filter, SQL retries); not an API.</li>
 * </ul>
 */
package io.storageengine.segments;
