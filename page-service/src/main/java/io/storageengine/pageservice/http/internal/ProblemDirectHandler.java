package io.storageengine.pageservice.http.internal;

import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import java.util.Map;

/**
 * Helidon's direct handler for failures detected before routing (unparseable request line or
 * headers, payload over the limit, ...): answers them as {@code application/problem+json} too, so
 * every error of the API has the RFC 9457 shape. The status is Helidon's (400, 413, 505, ...).
 * Stateless; thread-safe.
 */
public final class ProblemDirectHandler implements DirectHandler {

    @Override
    public TransportResponse handle(TransportRequest request, EventType eventType, Status status,
                                    ServerResponseHeaders headers, String message) {
        String slug = switch (eventType) {
            case BAD_REQUEST -> "bad-request";
            case PAYLOAD_TOO_LARGE -> "payload-too-large";
            case HTTP_VERSION_NOT_SUPPORTED -> "http-version-not-supported";
            case FORBIDDEN -> "forbidden";
            default -> "internal-error";
        };
        Problem p = new Problem(status.code(), slug, status.reasonPhrase(),
                message == null || message.isEmpty() ? status.reasonPhrase() : message, null, Map.of(), Map.of());
        return TransportResponse.builder()
                .status(status)
                .headers(headers)
                .header(HeaderNames.CONTENT_TYPE, Problems.PROBLEM_JSON)
                .keepAlive(eventType.keepAlive())
                .entity(Problems.body(p, null))
                .build();
    }
}
