package io.storageengine.pageservice.metrics;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code GET /metrics} on the admin port: the Prometheus text exposition (format 0.0.4) of
 * {@link PageMetrics}. Stateless apart from the metrics it reads; thread-safe.
 */
public final class MetricsService implements HttpService {
    private final PageMetrics metrics;

    public MetricsService(PageMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/metrics", this::scrape);
    }

    private void scrape(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        res.send(metrics.scrape());
    }
}
