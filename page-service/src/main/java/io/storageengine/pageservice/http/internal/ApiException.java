package io.storageengine.pageservice.http.internal;

import java.time.Duration;

/**
 * A failure detected by the HTTP layer itself (malformed input, authentication, unavailable owner,
 * unknown route), carrying its status. {@link Problems} turns it into a problem response like every
 * other exception. Immutable; no stack trace (these are expected outcomes, not bugs).
 */
public final class ApiException extends RuntimeException {
    private final int status;
    private final String slug;
    private final String title;
    private final Duration retryAfter;

    private ApiException(int status, String slug, String title, String detail, Duration retryAfter) {
        super(detail, null, false, false);
        this.status = status;
        this.slug = slug;
        this.title = title;
        this.retryAfter = retryAfter;
    }

    public static ApiException badRequest(String detail) {
        return new ApiException(400, "bad-request", "Malformed request", detail, null);
    }

    public static ApiException unauthorized(String detail) {
        return new ApiException(401, "unauthorized", "Authentication required", detail, null);
    }

    public static ApiException forbidden(String detail) {
        return new ApiException(403, "forbidden", "Token not valid for this tenant", detail, null);
    }

    public static ApiException notFound(String detail) {
        return new ApiException(404, "no-such-route", "No such route", detail, null);
    }

    public static ApiException unavailable(String slug, String detail, Duration retryAfter) {
        return new ApiException(503, slug, "Service unavailable", detail, retryAfter);
    }

    public int status() {
        return status;
    }

    public String slug() {
        return slug;
    }

    public String title() {
        return title;
    }

    /** Null unless the status is 503. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
