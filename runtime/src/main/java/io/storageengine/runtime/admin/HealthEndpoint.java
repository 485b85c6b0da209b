package io.storageengine.runtime.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * {@code GET /health}: {@code {"status": "UP"|"DOWN", "live": bool, "ready": bool, ...details}},
 * 200 when live and ready, else 503 with {@code Retry-After: 1}. {@code GET /health/live}:
 * {@code {"status": "UP", "live": true}} with 200 while live, else DOWN with 503 (a liveness
 * probe). {@code around} may wrap both handlers under the route name {@code health} (the page
 * service times them). Stateless; thread-safe.
 */
public final class HealthEndpoint implements HttpService {
    private static final String JSON = "application/json";
    private static final Set<String> RESERVED = Set.of("status", "live", "ready");

    private final Health.Check check;
    private final BiFunction<String, Handler, Handler> around;
    private final ObjectMapper mapper = new ObjectMapper();

    public HealthEndpoint(Health.Check check) {
        this(check, (route, h) -> h);
    }

    public HealthEndpoint(Health.Check check, BiFunction<String, Handler, Handler> around) {
        this.check = Objects.requireNonNull(check, "check");
        this.around = Objects.requireNonNull(around, "around");
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/health", around.apply("health", this::health))
                .get("/health/live", around.apply("health", this::live));
    }

    /** The JSON body of {@code /health} for {@code h}. */
    public String json(Health h) {
        ObjectNode n = mapper.createObjectNode();
        n.put("status", h.status());
        n.put("live", h.live());
        n.put("ready", h.ready());
        h.details().forEach((k, v) -> {
            if (!RESERVED.contains(k)) {
                n.set(k, mapper.valueToTree(v));
            }
        });
        try {
            return mapper.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("health details are not JSON: " + e.getOriginalMessage(), e);
        }
    }

    private void health(ServerRequest req, ServerResponse res) {
        Health h = check.check();
        if (!(h.live() && h.ready())) {
            res.status(503);
            res.header(HeaderNames.RETRY_AFTER, "1");
        }
        res.header(HeaderNames.CONTENT_TYPE, JSON);
        res.send(json(h));
    }

    private void live(ServerRequest req, ServerResponse res) {
        boolean live = check.check().live();
        if (!live) {
            res.status(503);
        }
        res.header(HeaderNames.CONTENT_TYPE, JSON);
        res.send(live ? "{\"status\":\"UP\",\"live\":true}" : "{\"status\":\"DOWN\",\"live\":false}");
    }
}
