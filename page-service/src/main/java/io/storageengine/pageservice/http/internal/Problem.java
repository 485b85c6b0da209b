package io.storageengine.pageservice.http.internal;

import java.time.Duration;
import java.util.Map;

/**
 * An RFC 9457 problem about to be sent: status, type slug (the {@code type} URI is
 * {@link #TYPE_PREFIX} + slug), title, detail, an optional {@code Retry-After}, extra members
 * (such as {@code last_applied_lsn}) and extra response headers. Immutable.
 */
public record Problem(int status, String slug, String title, String detail, Duration retryAfter,
                      Map<String, String> members, Map<String, String> headers) {
    public static final String TYPE_PREFIX = "https://storage-engine.dev/problems/";

    public Problem {
        members = Map.copyOf(members);
        headers = Map.copyOf(headers);
    }

    public Problem(int status, String slug, String title, String detail) {
        this(status, slug, title, detail, null, Map.of(), Map.of());
    }

    public String type() {
        return TYPE_PREFIX + slug;
    }

    /** Whole seconds for {@code Retry-After}, at least 1. */
    public long retryAfterSeconds() {
        if (retryAfter == null) {
            return 0;
        }
        long ms = retryAfter.toMillis();
        return Math.max(1, (ms + 999) / 1000);
    }
}
