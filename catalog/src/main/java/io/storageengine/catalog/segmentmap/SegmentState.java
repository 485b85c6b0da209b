package io.storageengine.catalog.segmentmap;

/**
 * Life of a segment in the catalog: ACTIVE (readers use it), RETIRED (replaced by compaction or
 * collected by GC; its file stays for a grace period so running reads finish), DELETED (file gone).
 */
public enum SegmentState {
    ACTIVE,
    RETIRED,
    DELETED
}
