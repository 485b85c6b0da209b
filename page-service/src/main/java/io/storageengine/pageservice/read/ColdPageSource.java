package io.storageengine.pageservice.read;

import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.Lsn;
import java.util.List;

/**
 * The cold tier as the read path sees it: page versions held in segments, the GC horizon and the
 * durable LSN per timeline. The read path continues into it when the hot store has no chain start at
 * or below the requested LSN, and deduplicates on LSN (a record counts once whichever tier holds it,
 * invariant 2). The segments module provides a catalog-backed implementation; {@link #none()} is
 * the default when no cold tier is configured.
 *
 * <p>Implementations are thread-safe and called on the read hot path: {@link #gcHorizon} and
 * {@link #durableLsn} must answer from memory (cached), not from a database round trip.
 */
public interface ColdPageSource {

    /**
     * Versions of one page with {@code lsn ≤ maxLsn} (unsigned), newest first. With
     * {@code stopAtImage}, the list ends with the newest chain start (a PAGE_IMAGE or a WILL_INIT
     * PG_RECORD, page-core's {@code VersionChains}) at or below {@code maxLsn} (nothing older is
     * needed). Empty if the cold tier holds none.
     *
     * @param pageKey the 49-byte page key (tenant | timeline | PageRef); not modified
     * @throws PageReadException.Unavailable if the cold tier cannot answer now
     */
    List<ColdVersion> versions(byte[] pageKey, long maxLsn, boolean stopAtImage) throws PageReadException;

    /**
     * As {@link #versions(byte[], long, boolean)}, bounded by the read's reconstruction deadline
     * ({@code System.nanoTime()} scale; {@code Long.MAX_VALUE}: none): an implementation that reads
     * files stops before its next file read once the deadline passed (a slow disk), so a read
     * overruns its deadline by at most one file read. The default ignores the deadline (the caller
     * checks it afterwards).
     *
     * @throws PageReadException.DeadlineExceeded if the deadline passed before the lookup finished
     */
    default List<ColdVersion> versions(byte[] pageKey, long maxLsn, boolean stopAtImage, long deadlineNanos)
            throws PageReadException {
        return versions(pageKey, maxLsn, stopAtImage);
    }

    /** Reads below this LSN are refused (410); {@link Lsn#ZERO} if no GC has run. */
    Lsn gcHorizon(TimelineKey timeline);

    /** The newest LSN durable in segments for the timeline; {@link Lsn#ZERO} if none. */
    Lsn durableLsn(TimelineKey timeline);

    /** No cold tier: no versions, no horizon. */
    static ColdPageSource none() {
        return NoColdPages.INSTANCE;
    }

    /** The no-op cold tier. Stateless singleton. */
    enum NoColdPages implements ColdPageSource {
        INSTANCE;

        @Override
        public List<ColdVersion> versions(byte[] pageKey, long maxLsn, boolean stopAtImage) {
            return List.of();
        }

        @Override
        public Lsn gcHorizon(TimelineKey timeline) {
            return Lsn.ZERO;
        }

        @Override
        public Lsn durableLsn(TimelineKey timeline) {
            return Lsn.ZERO;
        }
    }
}
