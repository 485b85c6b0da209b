/**
 * The segment file format: {@link io.storageengine.segments.segment.SegmentWriter} writes one
 * immutable file of page versions (57-byte VersionKeys in key order, page-core StoredVersion
 * values) in checksummed blocks with an index, a Bloom filter and a footer;
 * {@link io.storageengine.segments.segment.SegmentReader} answers point lookups (cut at a page's
 * newest chain start with page-core's rules) and scans. Readers are reference counted and
 * thread-safe; writers are used by one thread.
 */
package io.storageengine.segments.segment;
