package io.storageengine.pageservice.http;

import io.helidon.webserver.WebServer;
import io.storageengine.pageservice.Main;
import io.storageengine.pageservice.config.PageServiceConfig;
import io.storageengine.pageservice.metrics.PageMetrics;
import io.storageengine.pageservice.ownership.Ownership;
import io.storageengine.pageservice.topology.PartitionMarks;
import io.storageengine.schemas.page.PageKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * One page service on free ports (API and admin) built through {@link Main#start} and
 * {@link Main#routing} with a {@link FakeReader} and a settable ownership, plus a JDK HttpClient to
 * call it. Configuration comes from the real application.yaml with environment-style overrides.
 */
final class TestServer implements AutoCloseable {
    static final String TENANT = "0123456789abcdef0123456789abcdef";
    static final String TIMELINE = "fedcba98-7654-3210-fedc-ba9876543210";
    static final String TIMELINE_HEX = "fedcba9876543210fedcba9876543210";
    static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    final FakeReader reader = new FakeReader();
    final AtomicBoolean ready = new AtomicBoolean(true);
    /** Every page local (partition 0, active). */
    static final Ownership.Local LOCAL = new Ownership.Local(0, PartitionMarks.Role.ACTIVE);

    /** Who owns each page; settable by tests (every page local by default). */
    volatile Function<PageKey, Ownership.Owner> ownership = key -> LOCAL;
    /** What {@link Ownership#partitions()} reports (none by default); settable by tests. */
    volatile List<Ownership.PartitionStatus> partitions = List.of();
    final PageServiceConfig config;
    final Services services;
    final WebServer server;

    TestServer() {
        this(Map.of());
    }

    TestServer(Map<String, String> env) {
        this(env, io.storageengine.runtime.failpoint.Failpoints.none());
    }

    /** With {@code failpoints} on the admin socket ({@code /failpoints}) and in {@code /health}. */
    TestServer(Map<String, String> env, io.storageengine.runtime.failpoint.Failpoints failpoints) {
        Map<String, String> all = new HashMap<>(Map.of("SE_HTTP_PORT", "0", "SE_ADMIN_PORT", "0",
                "SE_HTTP_HOST", "127.0.0.1"));
        all.putAll(env);
        config = PageServiceConfig.load(all);
        services = Services.create(config, reader, new Ownership() {
            @Override
            public Ownership.Owner ownerOf(PageKey key) {
                return ownership.apply(key);
            }

            @Override
            public boolean ready() {
                return ready.get();
            }

            @Override
            public List<PartitionStatus> partitions() {
                return partitions;
            }
        }, ready::get, new PageMetrics());
        server = Main.start(config.http(), services, () -> null, failpoints);
    }

    int port() {
        return server.port();
    }

    int adminPort() {
        return server.port("admin");
    }

    static String pagePath(long block) {
        return "/v1/tenants/" + TENANT + "/timelines/" + TIMELINE + "/pages/1663/5/16384/" + block;
    }

    HttpResponse<byte[]> get(String path, String... headers) {
        return send(port(), HttpRequest.newBuilder(uri(port(), path)).GET(), headers);
    }

    HttpResponse<byte[]> getAdmin(String path) {
        return send(adminPort(), HttpRequest.newBuilder(uri(adminPort(), path)).GET());
    }

    HttpResponse<byte[]> post(String path, String json, String... headers) {
        return send(port(), HttpRequest.newBuilder(uri(port(), path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)), headers);
    }

    private static URI uri(int port, String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private static HttpResponse<byte[]> send(int port, HttpRequest.Builder b, String... headers) {
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try {
            return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop();
    }
}
