package io.storageengine.pageservice.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.webserver.WebServer;
import io.storageengine.pageservice.Main;
import io.storageengine.pageservice.config.PageServiceConfig;
import io.storageengine.pageservice.metrics.PageMetrics;
import io.storageengine.pageservice.ownership.Ownership;
import io.storageengine.pageservice.read.PageReadException;
import io.storageengine.pageservice.read.PageReader;
import io.storageengine.pageservice.read.PageRequest;
import io.storageengine.pageservice.read.PageVersion;
import io.storageengine.pageservice.read.TimelineStatus;
import io.storageengine.pageservice.relations.RelationHistory;
import io.storageengine.pageservice.relations.RelationReader;
import io.storageengine.schemas.page.PageKey;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.Lsn;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * HTTP route fuzzing (issue 11, part 6): {@code se.fuzz.requests} (default 5,000 per server) seeded random
 * requests ({@link HttpFuzzRequests}: hostile paths, query strings, headers, bodies up to and past
 * the 1 MiB limit) sent as raw bytes to a page service wired as {@link Main} wires it (page, batch,
 * timeline, relation, health, OpenAPI routes and the 404 fallback) over a reader that never fails
 * on its own, with auth off and with auth on. Every request must be answered within 10 s, never
 * with a 5xx, and every 4xx must be an {@code application/problem+json} body whose {@code status}
 * is the HTTP status. Failures are collected (first 15, with the seed and the request's first line).
 */
class PageRoutesFuzzTest {
    private static final long SEED = Long.getLong("se.fuzz.seed", 0x5EED_2026_1202L);
    private static final int REQUESTS = Integer.getInteger("se.fuzz.requests", 5_000);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int TIMEOUT_MS = 10_000;

    @Test
    void randomRequestsGetProblemsNeverA5xxOrAHang() throws Exception {
        fuzz(Map.of(), null, SEED);
    }

    @Test
    void randomRequestsWithAuthOnGetProblemsNeverA5xxOrAHang() throws Exception {
        TestTokens tokens = new TestTokens();
        fuzz(tokens.env(), tokens.tenant(TestServer.TENANT), SEED + 1);
    }

    /**
     * Found by this fuzzer: an Accept header Helidon cannot parse made its BadRequestException escape
     * to the 500 fallback ("internal-error"); it is the client's error, a 400 problem.
     */
    @ParameterizedTest
    @ValueSource(strings = {"application/*;q=abc", ";;;", "application/json;q="})
    void anUnparsableAcceptHeaderIsA400Problem(String accept) throws Exception {
        try (TestServer server = new TestServer()) {
            java.net.http.HttpResponse<byte[]> r = server.get(TestServer.pagePath(7), "Accept", accept);
            assertThat(r.statusCode()).as("Accept: %s", accept).isBetween(200, 499);
            if (r.statusCode() >= 400) {
                assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
                JsonNode n = JSON.readTree(r.body());
                assertThat(n.get("status").asInt()).isEqualTo(r.statusCode());
            }
        }
    }

    private static void fuzz(Map<String, String> env, String token, long seed) throws Exception {
        Map<String, String> all = new HashMap<>(Map.of("SE_HTTP_PORT", "0", "SE_ADMIN_PORT", "0", "SE_HTTP_HOST", "127.0.0.1",
                "SE_RATE_LIMIT", "1000000"));
        all.putAll(env);
        PageServiceConfig config = PageServiceConfig.load(all);
        Services services = Services.create(config, new WellBehavedReader(), new Ownership() {
            @Override
            public Ownership.Owner ownerOf(PageKey key) {
                return TestServer.LOCAL;
            }

            @Override
            public boolean ready() {
                return true;
            }

            @Override
            public List<PartitionStatus> partitions() {
                return List.of();
            }
        }, () -> true, new PageMetrics());
        RelationHistory history = new RelationHistory();
        history.partitions(1);
        history.loaded(); // loaded and empty: relation reads answer, not 503 "still loading"
        WebServer server = Main.start(config.http(), services, new RelationService(services,
                new RelationReader(history, t -> Lsn.ZERO, Duration.ofMillis(50))));
        Map<String, String> failures = new LinkedHashMap<>();
        Map<Integer, Integer> statuses = new java.util.TreeMap<>();
        try {
            HttpFuzzRequests gen = new HttpFuzzRequests(new Random(seed), token);
            for (int i = 0; i < REQUESTS; i++) {
                byte[] request = gen.next();
                String line = firstLine(request);
                String problem;
                try {
                    Response res = send(i % 5 == 4 ? server.port("admin") : server.port(), request);
                    statuses.merge(res.status, 1, Integer::sum);
                    problem = check(line, res);
                } catch (SocketTimeoutException e) {
                    problem = "no complete answer within " + TIMEOUT_MS + " ms";
                }
                if (problem != null && failures.size() < 15) {
                    failures.putIfAbsent(problem.replaceAll("\\d+", "N"), "request " + i + " (" + line + "): " + problem);
                }
            }
        } finally {
            server.stop();
        }
        System.out.printf("PageRoutesFuzzTest: seed %d, %d requests, statuses %s%n", seed, REQUESTS, statuses);
        assertThat(failures.values()).as("seed %d (rerun with -Dse.fuzz.seed=%d)", seed, SEED).isEmpty();
        assertThat(statuses.keySet()).as("the fuzzer reaches valid reads too").contains(200);
    }

    /** Null when the answer is acceptable, else what is wrong with it. */
    private static String check(String line, Response res) {
        if (res.status < 0) {
            return "connection closed without an answer";
        }
        if (res.status >= 500) {
            return "answered " + res.status + ": " + new String(res.body, 0, Math.min(300, res.body.length), StandardCharsets.UTF_8);
        }
        if (res.status >= 400 && !line.startsWith("HEAD ")) {
            String type = res.headers.getOrDefault("content-type", "");
            if (!type.startsWith("application/problem+json")) {
                return res.status + " with Content-Type '" + type + "', not application/problem+json";
            }
            try {
                JsonNode n = JSON.readTree(res.body);
                if (n == null || n.get("status") == null || n.get("status").asInt() != res.status || n.get("type") == null) {
                    return res.status + " problem body without a matching status/type: " + new String(res.body, StandardCharsets.UTF_8);
                }
            } catch (IOException e) {
                return res.status + " problem body is not JSON: " + e.getMessage();
            }
        }
        return null;
    }

    record Response(int status, Map<String, String> headers, byte[] body) {
    }

    /** Writes the raw request, reads until the server closes (Connection: close), bounded by the timeout. */
    private static Response send(int port, byte[] request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(TIMEOUT_MS);
            long deadline = System.nanoTime() + TIMEOUT_MS * 1_000_000L;
            try {
                OutputStream out = s.getOutputStream();
                out.write(request);
                out.flush();
                s.shutdownOutput();
            } catch (IOException e) {
                // the server may answer (413, 400) and close before reading all of a large body
            }
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            InputStream in = s.getInputStream();
            byte[] b = new byte[65536];
            try {
                for (int n; (n = in.read(b)) >= 0; ) {
                    got.write(b, 0, n);
                    if (System.nanoTime() > deadline) {
                        throw new SocketTimeoutException("answer still streaming after " + TIMEOUT_MS + " ms");
                    }
                }
            } catch (java.net.SocketException e) {
                // reset after the answer (the server closed with unread request bytes): keep what arrived
            }
            return parse(got.toByteArray());
        }
    }

    private static Response parse(byte[] raw) {
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        int start = 0;
        int end = text.indexOf("\r\n\r\n");
        while (text.startsWith("HTTP/1.1 1", start) && end >= 0) { // interim (100 Continue): the answer follows
            start = end + 4;
            end = text.indexOf("\r\n\r\n", start);
        }
        if (!text.startsWith("HTTP/1.1 ", start) || end < 0) {
            return new Response(-1, Map.of(), raw);
        }
        String[] lines = text.substring(start, end).split("\r\n");
        int status = Integer.parseInt(lines[0].substring(9, 12));
        Map<String, String> headers = new HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int c = lines[i].indexOf(':');
            if (c > 0) {
                headers.put(lines[i].substring(0, c).trim().toLowerCase(), lines[i].substring(c + 1).trim());
            }
        }
        byte[] body = java.util.Arrays.copyOfRange(raw, end + 4, raw.length);
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = dechunk(body);
        }
        return new Response(status, headers, body);
    }

    private static byte[] dechunk(byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int p = 0;
        while (p < b.length) {
            int eol = indexOf(b, p);
            if (eol < 0) {
                break;
            }
            int size = Integer.parseInt(new String(b, p, eol - p, StandardCharsets.ISO_8859_1).split(";")[0].trim(), 16);
            if (size == 0) {
                break;
            }
            out.write(b, eol + 2, Math.min(size, b.length - eol - 2));
            p = eol + 2 + size + 2;
        }
        return out.toByteArray();
    }

    private static int indexOf(byte[] b, int from) {
        for (int i = from; i + 1 < b.length; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static String firstLine(byte[] request) {
        String s = new String(request, 0, Math.min(request.length, 300), StandardCharsets.ISO_8859_1);
        int eol = s.indexOf("\r\n");
        return eol < 0 ? s : s.substring(0, eol);
    }

    /** Answers every read (a page, or 404 for some blocks) so that any 5xx comes from the HTTP layer. */
    private static final class WellBehavedReader implements PageReader {
        @Override
        public PageVersion read(PageRequest r) throws PageReadException {
            if (r.page().block() % 7 == 3) {
                throw new PageReadException.PageNotFound("page " + r.page() + " has no record");
            }
            return new PageVersion(new byte[8192], Lsn.parse("0/100"), r.lsn() == null ? Lsn.parse("0/200") : r.lsn());
        }

        @Override
        public TimelineStatus status(TimelineKey timeline) {
            return new TimelineStatus(timeline, Lsn.parse("0/200"), Lsn.parse("0/150"), Lsn.parse("0/50"));
        }
    }
}
