package io.storageengine.pageservice.topology.trim;

import io.storageengine.pageservice.read.ColdVersion;
import io.storageengine.pageservice.read.PageReadException;
import io.storageengine.schemas.timeline.TimelineKey;
import java.util.List;

/**
 * The trimmer's port to the cold tier (implemented there by {@code cold.SegmentColdPageSource}, so
 * the topology side never depends on the cold tier's classes). What the hot-store trimmer may rely on: the page versions held by segments that every instance
 * serving cold reads is guaranteed to list (see {@code cold.ColdTierSettings}, freshness rule).
 * Implementations are thread-safe (called by stream threads).
 */
public interface TrimCoverage {

    /**
     * The page's versions with {@code lsn ≤ maxLsn} (unsigned) in settled segments, newest first,
     * ending at the newest chain start (an image or a WILL_INIT PG_RECORD) at or below
     * {@code maxLsn}. The answer is complete over [that version's LSN, maxLsn] (over [0, maxLsn]
     * when it holds no chain start): a version in that range
     * that is absent is not held by the settled segments.
     *
     * @throws PageReadException.Unavailable if the cold tier cannot answer now (the pass is skipped)
     */
    List<ColdVersion> coveredVersions(byte[] pageKey, long maxLsn) throws PageReadException;

    /**
     * The timeline's GC horizon as every instance serving cold reads already knows it (observed at
     * least the settle delay ago; horizons only rise): reads below it are refused (410). 0 if none.
     */
    default long settledGcHorizon(TimelineKey timeline) {
        return 0;
    }

    /**
     * Changes whenever what this coverage answers may have grown (settled segments or settled
     * horizons changed), so a trimmer that finished a sweep starts the next one only when it can
     * find something new. -1: unknown, sweep continuously.
     */
    default long generation() {
        return -1;
    }

    /** Nothing is covered: trimming never deletes. */
    static TrimCoverage nothing() {
        return (pageKey, maxLsn) -> List.<ColdVersion>of();
    }
}
