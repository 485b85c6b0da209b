package io.storageengine.catalog.segmentmap;

/** Outcome of {@link SegmentMap#registerL0}: newly registered, or found already registered (a retried call). */
public enum RegisterResult {
    REGISTERED,
    ALREADY_REGISTERED
}
