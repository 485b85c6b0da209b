package io.storageengine.pageclient;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.storageengine.pageapi.v1.Problem;
import java.util.Map;

/**
 * A request the service answered with a problem (in-band on the stream, or a failed call), or that
 * failed in transport: the gRPC {@link #code()}, the HTTP API's status and problem {@link #type()}
 * for the same outcome (docs/page-api.md), the detail, the server's retry hint and extra members
 * such as {@code last_applied_lsn}. {@link #retryable()}: UNAVAILABLE and RESOURCE_EXHAUSTED
 * ("slow down"). Immutable.
 */
public final class PageException extends RuntimeException {
    private final Status.Code code;
    private final int httpStatus;
    private final String type;
    private final long retryAfterMs;
    private final Map<String, String> members;

    public PageException(Status.Code code, int httpStatus, String type, String detail, long retryAfterMs,
                         Map<String, String> members, Throwable cause) {
        super(code + (type.isEmpty() ? "" : " " + type) + ": " + detail, cause);
        this.code = code;
        this.httpStatus = httpStatus;
        this.type = type;
        this.retryAfterMs = retryAfterMs;
        this.members = Map.copyOf(members);
    }

    /** From an in-band problem. */
    public static PageException of(Problem p) {
        return new PageException(Status.fromCodeValue(p.getCode()).getCode(), p.getHttpStatus(), p.getType(),
                p.getDetail(), p.getRetryAfterMs(), p.getMembersMap(), null);
    }

    /** From a failed call: the problem in its trailers when the server sent one, else the bare status. */
    public static PageException of(Throwable t, io.grpc.Metadata.Key<Problem> problemKey) {
        if (t instanceof PageException p) {
            return p;
        }
        Status s = Status.fromThrowable(t);
        if (t instanceof StatusRuntimeException e && e.getTrailers() != null) {
            Problem p = e.getTrailers().get(problemKey);
            if (p != null) {
                return new PageException(s.getCode(), p.getHttpStatus(), p.getType(), p.getDetail(),
                        p.getRetryAfterMs(), p.getMembersMap(), t);
            }
        }
        return new PageException(s.getCode(), 0, "", s.getDescription() == null ? s.getCode().name()
                : s.getDescription(), 0, Map.of(), t);
    }

    public Status.Code code() {
        return code;
    }

    /** The HTTP API's status for this outcome; 0 for a transport failure. */
    public int httpStatus() {
        return httpStatus;
    }

    /** Problem type URI ({@code https://storage-engine.dev/problems/<slug>}); empty for a transport failure. */
    public String type() {
        return type;
    }

    public long retryAfterMs() {
        return retryAfterMs;
    }

    public Map<String, String> members() {
        return members;
    }

    public boolean retryable() {
        return code == Status.Code.UNAVAILABLE || code == Status.Code.RESOURCE_EXHAUSTED;
    }
}
