package io.storageengine.segments.read;

/**
 * A {@link SegmentSet} lookup ran past its deadline: it stops before reading the next segment, so
 * a read on a slow disk overruns its deadline by at most the segment read in progress. Nothing
 * partial is returned. Immutable.
 */
public final class LookupDeadlineException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public LookupDeadlineException(String message) {
        super(message, null, false, false);
    }
}
