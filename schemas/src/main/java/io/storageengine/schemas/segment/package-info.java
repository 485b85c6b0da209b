/**
 * Vocabulary of the cold tier shared by the segment file format ({@code segments}) and the catalog
 * ({@code catalog}): {@link io.storageengine.schemas.segment.SegmentKind}, whose code is stored in
 * a segment's footer and whose name in the catalog's {@code segments.kind} column.
 */
package io.storageengine.schemas.segment;
