package io.storageengine.pageservice.read;

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
}
