package io.storageengine.pageservice.read;

import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.Lsn;
import java.util.Objects;

/**
 * One GetPage@LSN request. {@code lsn} null means "as of the newest LSN applied";
 * {@code notModifiedSince} null means the client makes no promise (wait for {@code lsn}).
 * {@code deadlineNanos} is an absolute {@link System#nanoTime()} deadline for reconstruction.
 * Immutable.
 */
public record PageRequest(TimelineKey timeline, PageRef page, Lsn lsn, Lsn notModifiedSince, long deadlineNanos) {
    public PageRequest {
        Objects.requireNonNull(timeline, "timeline");
        Objects.requireNonNull(page, "page");
        if (lsn != null && notModifiedSince != null && notModifiedSince.isAfter(lsn)) {
            throw new IllegalArgumentException("not_modified_since " + notModifiedSince + " is after lsn " + lsn);
        }
    }
}
