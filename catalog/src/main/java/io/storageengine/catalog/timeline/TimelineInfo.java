package io.storageengine.catalog.timeline;

import io.storageengine.schemas.timeline.TimelineKey;
import java.time.Instant;

/** A timeline row: when first/last seen, its GC horizon, and the last applied LSN (-1 if unknown). Immutable. */
public record TimelineInfo(TimelineKey key, Instant firstSeen, Instant lastSeen, long gcHorizonLsn, long lastAppliedLsn) {
}
