package io.storageengine.pageservice.relations;

import io.storageengine.pageservice.read.PageReadException;
import io.storageengine.pageservice.read.PageReadException.BelowGcHorizon;
import io.storageengine.pageservice.read.PageReadException.TimelineNotFound;
import io.storageengine.pageservice.read.PageReadException.Unavailable;
import io.storageengine.pageservice.read.PageReadException.WalWaitTimeout;
import io.storageengine.schemas.relation.RelFork;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.Lsn;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

/**
 * Relation size and existence at an LSN with the page read's rules (page-api.md 1.1):
 * <ol>
 *   <li>503 {@code not-ready} while the history is still loading the topic;</li>
 *   <li>404 {@code timeline-not-found} for a timeline with no relation record at all;</li>
 *   <li>wait until the timeline's relation history is complete up to {@code not_modified_since}
 *       if given, else {@code lsn}, else ≥ 1 (an omitted {@code lsn} means the complete LSN then),
 *       up to the wait timeout → 504 with the complete LSN as {@code last_applied_lsn};</li>
 *   <li>410 below the GC horizon, or below the fork's floor (history folded by its cap);</li>
 *   <li>otherwise the newest size change ≤ lsn; none → {@code exists: false, nblocks: 0}.</li>
 * </ol>
 * Thread-safe.
 */
public final class RelationReader {
    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    /** The answer: PostgreSQL's smgrexists / smgrnblocks as of {@code requestLsn}. */
    public record RelationAnswer(boolean exists, long nblocks, Lsn requestLsn) {
    }

    private final RelationHistory history;
    private final Function<TimelineKey, Lsn> horizons;
    private final long waitNanos;

    public RelationReader(RelationHistory history, Function<TimelineKey, Lsn> horizons, Duration waitTimeout) {
        this.history = Objects.requireNonNull(history, "history");
        this.horizons = Objects.requireNonNull(horizons, "horizons");
        this.waitNanos = waitTimeout.toNanos();
    }

    public RelationAnswer read(TimelineKey timeline, RelFork fork, Lsn lsn, Lsn notModifiedSince)
            throws PageReadException {
        if (!history.isLoaded()) {
            throw new Unavailable("relation metadata is still loading from the relations topic", RETRY_AFTER);
        }
        if (!history.knows(timeline)) {
            throw new TimelineNotFound("timeline " + timeline + " has no relation metadata here");
        }
        Lsn needed = notModifiedSince != null ? notModifiedSince : lsn != null ? lsn : Lsn.of(1);
        Lsn complete;
        try {
            complete = history.awaitComplete(timeline, needed, waitNanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted while waiting for relation metadata", RETRY_AFTER);
        }
        if (complete.isBefore(needed)) {
            throw new WalWaitTimeout("relation metadata up to LSN " + needed + " of timeline " + timeline
                    + " did not arrive within " + Duration.ofNanos(waitNanos).toMillis() + " ms (complete up to "
                    + complete + ")", complete);
        }
        Lsn readLsn = lsn != null ? lsn : complete;
        Lsn horizon = horizons.apply(timeline);
        if (readLsn.isBefore(horizon)) {
            throw new BelowGcHorizon("LSN " + readLsn + " is older than the GC horizon " + horizon
                    + " of timeline " + timeline, horizon);
        }
        return switch (history.sizeAt(timeline, fork, readLsn)) {
            case RelationHistory.Answer.Size s -> new RelationAnswer(s.exists(), s.nblocks(), readLsn);
            case RelationHistory.Answer.BelowFloor b -> throw new BelowGcHorizon("the size history of " + fork
                    + " is kept from LSN " + b.floor() + " (older changes were folded away); LSN " + readLsn
                    + " is older", b.floor());
        };
    }
}
