package io.storageengine.pageservice.http;

import io.storageengine.schemas.page.PageKey;
import java.time.Duration;
import java.util.Objects;

/**
 * Which instance answers for a page, as the HTTP layer needs it: this one ({@link Local}), another
 * one that it forwards to ({@link Remote}), or nobody right now ({@link Unavailable}, answered with
 * 503 and {@code Retry-After}). The streams side adapts its partition-assignment view to this
 * interface in {@code Main}. Implementations are thread-safe and cheap (called per request).
 */
@FunctionalInterface
public interface PageOwnership {

    Owner ownerOf(PageKey key);

    /** Where a page is served. */
    sealed interface Owner permits Local, Remote, Unavailable {
    }

    /** This instance owns the page's partition. */
    record Local() implements Owner {
        public static final Local INSTANCE = new Local();
    }

    /** Another instance owns it; its page API listens on {@code host:port}. */
    record Remote(String host, int port) implements Owner {
        public Remote {
            Objects.requireNonNull(host, "host");
        }
    }

    /** No instance can answer now (rebalance, partition restoring); retry after {@code retryAfter}. */
    record Unavailable(Duration retryAfter, String reason) implements Owner {
        public Unavailable {
            Objects.requireNonNull(retryAfter, "retryAfter");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** Every page is local (single instance, tests). */
    static PageOwnership allLocal() {
        return key -> Local.INSTANCE;
    }
}
