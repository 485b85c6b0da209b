package io.storageengine.segments.store;

import io.storageengine.catalog.segmentmap.SegmentMeta;
import io.storageengine.segments.segment.SegmentInfo;

/**
 * Builds the catalog's record of a stored segment ({@link SegmentMeta}) from the facts of its
 * file ({@link SegmentInfo}, the footer) and where a {@link SegmentStore} put it. Lives here
 * because the catalog module does not know the segment file format. Stateless.
 */
public final class SegmentMetas {
    private SegmentMetas() {
    }

    /** Meta for a segment built from Kafka offsets {@code [offsetStart, offsetEnd)}. */
    public static SegmentMeta of(String name, SegmentInfo info, String store, String location, long offsetStart, long offsetEnd) {
        return new SegmentMeta(name, info.kind(), info.level(), info.partition(), info.minKey(), info.maxKey(),
                info.minLsn(), info.maxLsn(), info.fileSize(), info.recordCount(), store, location, offsetStart, offsetEnd);
    }

    /** Meta for a segment not tied to Kafka offsets (merged, image). */
    public static SegmentMeta of(String name, SegmentInfo info, String store, String location) {
        return of(name, info, store, location, -1, -1);
    }
}
