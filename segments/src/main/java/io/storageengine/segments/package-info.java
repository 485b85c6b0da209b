/**
 * The cold tier of storage-engine, a library shared by compactor-worker (writes) and
 * page-service (reads). The PostgreSQL catalog that lists the segments is the {@code catalog}
 * module ({@link io.storageengine.catalog.Catalog}); this module depends on it, never the reverse.
 *
 * <ul>
 *   <li>{@code segment}: the immutable segment file format ({@link io.storageengine.segments.segment.SegmentWriter},
 *       {@link io.storageengine.segments.segment.SegmentReader}).</li>
 *   <li>{@code store}: where finished segment files live ({@link io.storageengine.segments.store.SegmentStore}):
 *       a directory, or the catalog database itself; {@link io.storageengine.segments.store.SegmentStores}
 *       opens the configured one.</li>
 *   <li>{@code read}: the catalog's active segments as readers see them
 *       ({@link io.storageengine.segments.read.SegmentSet}).</li>
 *   <li>{@code internal}: implementation detail (block index, key filter, hashing); not an API.</li>
 * </ul>
 */
package io.storageengine.segments;
