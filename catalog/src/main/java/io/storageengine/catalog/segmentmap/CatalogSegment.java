package io.storageengine.catalog.segmentmap;

import java.time.Instant;

/** A segment row as the catalog holds it: id, meta, state and timestamps ({@code retiredAt} null unless retired). Immutable. */
public record CatalogSegment(long id, SegmentMeta meta, SegmentState state, Instant createdAt, Instant retiredAt) {

    public String name() {
        return meta.name();
    }
}
