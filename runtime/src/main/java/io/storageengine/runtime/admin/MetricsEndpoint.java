package io.storageengine.runtime.admin;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * {@code GET /metrics}: the Prometheus text exposition (format 0.0.4) of a Micrometer registry.
 * {@code scrape} is the registry's {@code scrape()} or a wrapper that refreshes gauges first (the
 * page service's). Stateless apart from what it reads; thread-safe.
 */
public final class MetricsEndpoint implements HttpService {
    /** The content type Prometheus expects for format 0.0.4. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final Supplier<String> scrape;

    public MetricsEndpoint(Supplier<String> scrape) {
        this.scrape = Objects.requireNonNull(scrape, "scrape");
    }

    public static MetricsEndpoint of(PrometheusMeterRegistry registry) {
        return new MetricsEndpoint(registry::scrape);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/metrics", this::scrape);
    }

    private void scrape(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, CONTENT_TYPE);
        res.send(scrape.get());
    }
}
