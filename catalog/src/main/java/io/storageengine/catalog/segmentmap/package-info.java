/**
 * The segment map: {@link io.storageengine.catalog.segmentmap.SegmentMap} (the repository) and
 * what it holds about a segment ({@link io.storageengine.catalog.segmentmap.SegmentMeta},
 * {@link io.storageengine.catalog.segmentmap.CatalogSegment}, its state).
 */
package io.storageengine.catalog.segmentmap;
