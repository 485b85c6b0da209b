package io.storageengine.pageservice.read;

import io.storageengine.schemas.timeline.TimelineKey;

/**
 * The read side of the page service as the HTTP layer sees it: GetPage@LSN and timeline status
 * for pages this instance owns. Implementations are thread-safe; a call never returns a
 * half-applied page (invariant 2) and never answers before the partition's watermark reaches the
 * requested LSN (invariant 3).
 *
 * <p>Errors are the subclasses of {@link PageReadException}; the HTTP layer maps each to one
 * status in one place.
 */
public interface PageReader {

    /**
     * Page {@code request.page()} of {@code request.timeline()} as of {@code request.lsn()} (or the
     * newest applied LSN when absent), waiting for the WAL up to the configured wait timeout.
     */
    PageVersion read(PageRequest request) throws PageReadException;

    /** Status of a timeline as this instance knows it. */
    TimelineStatus status(TimelineKey timeline) throws PageReadException;
}
