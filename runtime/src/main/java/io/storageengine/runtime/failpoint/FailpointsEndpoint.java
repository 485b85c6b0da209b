package io.storageengine.runtime.failpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;

/**
 * The admin routes of {@link Failpoints}, for drills and tests:
 * <ul>
 *   <li>{@code GET /failpoints}: 200, JSON object by point name:
 *       {@code {"segment-read": {"action": "sleep(200)", "hits": 12, "remaining": -1, "registered": true}}}
 *       ({@code remaining}: hits a counted action has left, -1 if not counted; {@code registered}:
 *       the process's code has the point, false for a name only configured).</li>
 *   <li>{@code PUT /failpoints} with a {@code text/plain} body of {@code name=action} entries
 *       (separated by {@code ;} or new lines): applies all of them (or none when one does not
 *       parse: 400 {@code {"error": "..."}}) and answers 200 with the same JSON as GET.</li>
 * </ul>
 * Stateless apart from the failpoints; thread-safe.
 */
public final class FailpointsEndpoint implements HttpService {
    /** Largest PUT body accepted. */
    static final int MAX_BODY = 16 * 1024;
    private static final String JSON = "application/json";

    private final Failpoints failpoints;
    private final ObjectMapper mapper = new ObjectMapper();

    public FailpointsEndpoint(Failpoints failpoints) {
        this.failpoints = Objects.requireNonNull(failpoints, "failpoints");
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/failpoints", this::list).put("/failpoints", this::put);
    }

    /** The JSON of {@code GET /failpoints}. */
    public String json() {
        ObjectNode root = mapper.createObjectNode();
        for (Map.Entry<String, Failpoint> e : failpoints.points().entrySet()) {
            Failpoint p = e.getValue();
            ObjectNode n = root.putObject(e.getKey());
            n.put("action", p.action().toString());
            n.put("hits", p.hits());
            n.put("remaining", p.remaining());
            n.put("registered", p.registered());
        }
        try {
            return mapper.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private void list(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, JSON);
        res.send(json());
    }

    private void put(ServerRequest req, ServerResponse res) {
        String body;
        try (var in = req.content().inputStream()) {
            byte[] bytes = in.readNBytes(MAX_BODY + 1);
            if (bytes.length > MAX_BODY) {
                error(res, 413, "body longer than " + MAX_BODY + " bytes");
                return;
            }
            body = new String(bytes, StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            error(res, 400, "cannot read the body: " + e.getMessage());
            return;
        }
        try {
            if (Failpoints.parse(body).isEmpty()) {
                error(res, 400, "no name=action entry in the body (e.g. segment-read=sleep(200), or segment-read=off)");
                return;
            }
            failpoints.configure(body);
        } catch (IllegalArgumentException e) {
            error(res, 400, e.getMessage());
            return;
        }
        res.header(HeaderNames.CONTENT_TYPE, JSON);
        res.send(json());
    }

    private void error(ServerResponse res, int status, String message) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, JSON);
        ObjectNode n = mapper.createObjectNode().put("error", message);
        res.send(n.toString());
    }
}
