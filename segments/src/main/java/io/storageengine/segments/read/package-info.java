/**
 * The cold tier as a reader sees it: {@link io.storageengine.segments.read.SegmentSet}, a
 * copy-on-write snapshot of the catalog's active segments with reference-counted readers, and a
 * merged newest-first lookup of one page across them.
 */
package io.storageengine.segments.read;
