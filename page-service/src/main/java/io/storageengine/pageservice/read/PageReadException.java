package io.storageengine.pageservice.read;

import io.storageengine.pagecore.PageApplyException;
import io.storageengine.pagecore.RedoException;
import io.storageengine.pagecore.RedoUnsupportedException;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.Lsn;
import java.time.Duration;

/**
 * Why a read could not be answered. One subclass per outcome of {@code page-api.md}'s error table;
 * the HTTP layer maps them to statuses in one place.
 */
public abstract sealed class PageReadException extends Exception {
    protected PageReadException(String message) {
        super(message, null, false, false);
    }

    /** The read outcome of a version that could not be applied while reconstructing a page. */
    public static PageReadException of(PageApplyException e, TimelineKey timeline) {
        return switch (e) {
            case RedoUnsupportedException u -> new RedoUnsupported(u.getMessage() + " (timeline " + timeline + ")",
                    u.rmgrId(), u.info(), u.lsnValue());
            case RedoException r -> new RedoFailed(r.getMessage() + " (timeline " + timeline + ")", r.lsnValue());
        };
    }

    /** 404: the page has no record at or before the LSN. */
    public static final class PageNotFound extends PageReadException {
        public PageNotFound(String message) {
            super(message);
        }
    }

    /** 404: the tenant or timeline is unknown. */
    public static final class TimelineNotFound extends PageReadException {
        public TimelineNotFound(String message) {
            super(message);
        }
    }

    /** 410: the LSN is older than the timeline's GC horizon. */
    public static final class BelowGcHorizon extends PageReadException {
        private final Lsn horizon;

        public BelowGcHorizon(String message, Lsn horizon) {
            super(message);
            this.horizon = horizon;
        }

        public Lsn horizon() {
            return horizon;
        }
    }

    /** 504: the WAL for the LSN did not arrive within the wait timeout. */
    public static final class WalWaitTimeout extends PageReadException {
        private final Lsn lastApplied;

        public WalWaitTimeout(String message, Lsn lastApplied) {
            super(message);
            this.lastApplied = lastApplied;
        }

        public Lsn lastApplied() {
            return lastApplied;
        }
    }

    /** 503: cannot serve now (partition not ready or moving, owner unreachable, store failing). */
    public static final class Unavailable extends PageReadException {
        private final Duration retryAfter;

        public Unavailable(String message, Duration retryAfter) {
            super(message);
            this.retryAfter = retryAfter;
        }

        public Duration retryAfter() {
            return retryAfter;
        }
    }

    /** 503: reconstruction ran past its deadline (100 ms by default). */
    public static final class DeadlineExceeded extends PageReadException {
        public DeadlineExceeded(String message) {
            super(message);
        }
    }

    /**
     * 501 {@code redo-unsupported}: the page's history holds a PostgreSQL record the engine cannot
     * replay; names its resource manager ({@code xl_rmid}), info byte and LSN.
     */
    public static final class RedoUnsupported extends PageReadException {
        private final int rmgrId;
        private final int info;
        private final Lsn lsn;

        public RedoUnsupported(String message, int rmgrId, int info, Lsn lsn) {
            super(message);
            this.rmgrId = rmgrId;
            this.info = info;
            this.lsn = lsn;
        }

        public int rmgrId() {
            return rmgrId;
        }

        public int info() {
            return info;
        }

        public Lsn lsn() {
            return lsn;
        }
    }

    /** 500 {@code redo-failed}: a record of the page's history does not apply to the page; names page and LSN. */
    public static final class RedoFailed extends PageReadException {
        private final Lsn lsn;

        public RedoFailed(String message, Lsn lsn) {
            super(message);
            this.lsn = lsn;
        }

        public Lsn lsn() {
            return lsn;
        }
    }
}
