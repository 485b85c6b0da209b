package io.storageengine.pageservice.grpc.internal;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoUtils;
import io.storageengine.pageapi.v1.Problem;
import io.storageengine.pageservice.http.internal.Problems;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Problems on the gRPC side. Exceptions become problems in ONE place, the HTTP layer's
 * {@link Problems#of}; this class only adds the table from the HTTP status of a problem to its gRPC
 * status code (docs/page-api.md, "Streaming API (gRPC)") and the wire forms: the in-band
 * {@link Problem} message of a stream's response, and for unary calls and failed streams a
 * {@link Status} whose trailers carry the same message under {@link #PROBLEM_KEY}. Stateless.
 */
public final class StreamProblems {
    private static final Logger LOG = LoggerFactory.getLogger(StreamProblems.class);
    /** Trailer {@code storageengine.page.v1.problem-bin}: the {@link Problem} of a failed call. */
    public static final Metadata.Key<Problem> PROBLEM_KEY = ProtoUtils.keyForProto(Problem.getDefaultInstance());

    private StreamProblems() {
    }

    /** The gRPC status code for a problem with HTTP status {@code httpStatus}. */
    public static Status.Code codeOf(int httpStatus) {
        return switch (httpStatus) {
            case 400 -> Status.Code.INVALID_ARGUMENT;
            case 401 -> Status.Code.UNAUTHENTICATED;
            case 403 -> Status.Code.PERMISSION_DENIED;
            case 404 -> Status.Code.NOT_FOUND;
            case 410 -> Status.Code.OUT_OF_RANGE;
            case 429 -> Status.Code.RESOURCE_EXHAUSTED;
            case 501 -> Status.Code.UNIMPLEMENTED;
            case 503 -> Status.Code.UNAVAILABLE;
            case 504 -> Status.Code.DEADLINE_EXCEEDED;
            default -> Status.Code.INTERNAL;
        };
    }

    /** The problem for {@code t} (500s logged with their stack trace, as on HTTP). */
    public static io.storageengine.pageservice.http.internal.Problem problemOf(Throwable t, String where) {
        io.storageengine.pageservice.http.internal.Problem p = Problems.of(t);
        if (p.status() == 500) {
            LOG.error("gRPC {} failed", where, t);
        }
        return p;
    }

    public static Problem toProto(io.storageengine.pageservice.http.internal.Problem p) {
        Problem.Builder b = Problem.newBuilder()
                .setCode(codeOf(p.status()).value())
                .setHttpStatus(p.status())
                .setType(p.type())
                .setTitle(p.title())
                .setDetail(p.detail() == null ? "" : p.detail())
                .putAllMembers(p.members());
        if (p.retryAfter() != null) {
            b.setRetryAfterMs((int) Math.min(Integer.MAX_VALUE, Math.max(1, p.retryAfter().toMillis())));
        }
        return b.build();
    }

    /** A failed call's status: code and detail, the problem in the trailers. */
    public static StatusRuntimeException toStatus(Problem p) {
        Metadata trailers = new Metadata();
        trailers.put(PROBLEM_KEY, p);
        return Status.fromCodeValue(p.getCode()).withDescription(p.getDetail()).asRuntimeException(trailers);
    }
}
