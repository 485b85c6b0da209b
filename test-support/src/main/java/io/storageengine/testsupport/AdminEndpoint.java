package io.storageengine.testsupport;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A service process's admin port as fault ITs use it: plain HTTP calls ({@code /health},
 * {@code /metrics}, {@code PUT /failpoints}) and one sample out of a Prometheus scrape. Stateless;
 * thread-safe (one shared JDK HTTP client).
 */
public final class AdminEndpoint {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private AdminEndpoint() {
    }

    /** {@code method path} on 127.0.0.1:{@code port} with {@code body} (null: none), 5 s timeout. */
    public static HttpResponse<String> call(int port, String method, String path, String body)
            throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The value of {@code series} (name with its labels as printed) in a Prometheus scrape, 0 if absent. */
    public static double metric(String scrape, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)$").matcher(scrape);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
