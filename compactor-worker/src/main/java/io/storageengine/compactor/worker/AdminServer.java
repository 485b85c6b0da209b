package io.storageengine.compactor.worker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The worker's admin HTTP endpoint (JDK HttpServer, one thread): {@code GET /metrics} (Prometheus
 * text) and {@code GET /health} (JSON; 200 while the worker is healthy, 503 otherwise).
 * Thread-safe.
 */
public final class AdminServer implements AutoCloseable {
    private final HttpServer server;

    public AdminServer(int port, PrometheusMeterRegistry registry, CompactorWorker worker) throws IOException {
        System.setProperty("sun.net.httpserver.nodelay", "true");
        server = HttpServer.create(new InetSocketAddress(port), 16);
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "compactor-admin");
            t.setDaemon(true);
            return t;
        }));
        ObjectMapper json = new ObjectMapper();
        server.createContext("/metrics", ex -> respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8", registry::scrape));
        server.createContext("/health", ex -> respond(ex, worker.isHealthy() ? 200 : 503, "application/json",
                () -> {
                    try {
                        return json.writeValueAsString(worker.health());
                    } catch (IOException e) {
                        return "{\"status\":\"UNKNOWN\"}";
                    }
                }));
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void respond(HttpExchange ex, int status, String type, Supplier<String> body) throws IOException {
        try (ex) {
            if (!ex.getRequestMethod().equals("GET")) {
                ex.sendResponseHeaders(405, -1);
                return;
            }
            byte[] b = body.get().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", type);
            ex.sendResponseHeaders(status, b.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(b);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
