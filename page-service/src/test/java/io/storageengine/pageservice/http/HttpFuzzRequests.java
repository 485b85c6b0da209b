package io.storageengine.pageservice.http;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Seeded random HTTP/1.1 requests for {@link PageRoutesFuzzTest}, as raw bytes (no client library
 * normalizing them): the page API's route templates with each segment sometimes replaced by hostile
 * values (numbers out of range, huge, empty, percent-encoded bytes, dot segments), random query
 * strings (the API's parameter names with bad values, duplicates, no '='), random headers (Accept,
 * Content-Type, Authorization, the forwarding header, long values, random names) and bodies up to
 * and past the 1 MiB payload limit (valid and broken batch JSON, deep nesting, random bytes).
 * Not thread-safe.
 */
final class HttpFuzzRequests {
    static final String TENANT = TestServer.TENANT;
    static final String TIMELINE = TestServer.TIMELINE;
    private static final String[] METHODS = {"GET", "GET", "GET", "GET", "POST", "POST", "HEAD", "PUT", "DELETE", "OPTIONS",
        "PATCH", "TRACE", "FOO"};
    private static final String[] PARAMS = {"lsn", "fork", "tenant_id", "timeline_id", "spc", "db", "not_modified_since",
        "x", ""};
    private final Random r;
    private final String token;

    HttpFuzzRequests(Random r, String token) {
        this.r = r;
        this.token = token;
    }

    /** One request: method, target, headers, Content-Length and body, with Connection: close. */
    byte[] next() {
        String path = path();
        String method = path.endsWith("/pages/batch") && r.nextInt(5) != 0 ? "POST" : METHODS[r.nextInt(METHODS.length)];
        String target = r.nextInt(3) == 0 ? path : path + "?" + query();
        byte[] body = method.equals("POST") || r.nextInt(20) == 0 ? body() : null;
        StringBuilder h = new StringBuilder();
        h.append(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
        for (int i = 0, n = r.nextInt(5); i < n; i++) {
            header(h);
        }
        if (token != null && r.nextInt(4) != 0) {
            h.append("Authorization: Bearer ").append(token).append("\r\n");
        }
        if (body != null) {
            h.append("Content-Length: ").append(body.length).append("\r\n");
        }
        h.append("\r\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(h.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (body != null) {
            out.writeBytes(body);
        }
        return out.toByteArray();
    }

    private String path() {
        return switch (r.nextInt(11)) {
            case 0, 1, 2 -> "/v1/tenants/" + seg(TENANT) + "/timelines/" + seg(TIMELINE) + "/pages/" + seg("1663") + "/"
                    + seg("5") + "/" + seg("16384") + "/" + seg(Integer.toString(r.nextInt(400)));
            case 3 -> "/v1/pages/" + seg("16384") + "/" + seg(Integer.toString(r.nextInt(400)));
            case 4 -> "/v1/tenants/" + seg(TENANT) + "/timelines/" + seg(TIMELINE);
            case 5, 6 -> "/v1/tenants/" + seg(TENANT) + "/timelines/" + seg(TIMELINE) + "/pages/batch";
            case 7 -> "/v1/tenants/" + seg(TENANT) + "/timelines/" + seg(TIMELINE) + "/relations/" + seg("1663") + "/"
                    + seg("5") + "/" + seg("16384");
            case 8 -> new String[] {"/health", "/health/live", "/openapi", "/v1/noop", "/metrics", "/", "*", "/v1/tenants",
                "//v1//noop", "/v1/noop/"}[r.nextInt(10)];
            case 9 -> "/" + hostile() + "/" + hostile();
            default -> "/v1/" + hostile();
        };
    }

    /** The segment's valid value most of the time, else a hostile one. */
    private String seg(String valid) {
        return r.nextInt(6) == 0 ? hostile() : valid;
    }

    private String hostile() {
        return switch (r.nextInt(16)) {
            case 0 -> "";
            case 1 -> "-1";
            case 2 -> "4294967295";
            case 3 -> "4294967296";
            case 4 -> "9".repeat(1 + r.nextInt(40));
            case 5 -> "0x10";
            case 6 -> "1e5";
            case 7 -> "..";
            case 8 -> "%2F..%2F";
            case 9 -> "%00";
            case 10 -> "%" + "ZZ";
            case 11 -> "%E2%82%AC%F0%9F%92%A9"; // UTF-8, also a surrogate pair
            case 12 -> "a".repeat(r.nextInt(8192));
            case 13 -> TENANT.substring(0, r.nextInt(32)) + "g";
            case 14 -> "fedcba98-7654-3210-fedc-ba987654321" + (char) ('0' + r.nextInt(75));
            default -> percentEncoded(1 + r.nextInt(20));
        };
    }

    private String percentEncoded(int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            int c = r.nextInt(256);
            if (c > 0x20 && c < 0x7F && "%?#/ \\\"<>{}|^`".indexOf(c) < 0 && r.nextBoolean()) {
                b.append((char) c);
            } else {
                b.append('%').append(String.format("%02X", c));
            }
        }
        return b.toString();
    }

    private String query() {
        StringBuilder q = new StringBuilder();
        for (int i = 0, n = 1 + r.nextInt(4); i < n; i++) {
            if (i > 0) {
                q.append(r.nextInt(10) == 0 ? ";" : "&");
            }
            q.append(PARAMS[r.nextInt(PARAMS.length)]);
            if (r.nextInt(8) != 0) {
                q.append('=').append(value());
            }
        }
        return q.toString();
    }

    private String value() {
        return switch (r.nextInt(14)) {
            case 0 -> "0/16B3748";
            case 1 -> "FFFFFFFF/FFFFFFFF";
            case 2 -> "100000000/0";
            case 3 -> "1/";
            case 4 -> "/";
            case 5 -> "18446744073709551615";
            case 6 -> "18446744073709551616";
            case 7 -> new String[] {"main", "fsm", "vm", "init", "0", "4", "MAIN", "vm%00"}[r.nextInt(8)];
            case 8 -> TENANT;
            case 9 -> TIMELINE;
            case 10 -> Integer.toString(r.nextInt(600));
            default -> hostile();
        };
    }

    private void header(StringBuilder h) {
        switch (r.nextInt(9)) {
            case 0 -> h.append("Accept: ").append(new String[] {"application/octet-stream", "application/json",
                "*/*", "text/html", "application/json;q=0", "garbage", "application/octet-stream, application/json;q=0.9",
                "", ";;;", "application/*;q=abc"}[r.nextInt(10)]);
            case 1 -> h.append("Content-Type: ").append(new String[] {"application/json", "text/plain",
                "application/json; charset=utf-16", "multipart/form-data; boundary=", "", "application/json;;"}[r.nextInt(6)]);
            case 2 -> h.append("Authorization: ").append(new String[] {"Bearer ", "Bearer x.y.z", "Basic Zm9vOmJhcg==",
                "Bearer " + "a".repeat(r.nextInt(6000)), "bearer", "Bearer e30.e30.", "Bearer eyJhbGciOiJub25lIn0.e30."}[r.nextInt(7)]);
            case 3 -> h.append("SE-Forwarded-By: ").append(new String[] {"127.0.0.1:1", "x", "", "a".repeat(300)}[r.nextInt(4)]);
            case 4 -> h.append("X-").append(percentEncoded(1 + r.nextInt(10)).replace('%', 'q')).append(": ").append(hostile());
            case 5 -> h.append("Accept-Encoding: gzip, deflate, br");
            case 6 -> h.append("If-None-Match: \"").append(hostile()).append('"');
            case 7 -> h.append("Expect: 100-continue");
            default -> h.append("X-Long: ").append("v".repeat(r.nextInt(12_000)));
        }
        h.append("\r\n");
    }

    private byte[] body() {
        String json = switch (r.nextInt(12)) {
            case 0, 1 -> batch(1 + r.nextInt(70));
            case 2 -> "{\"lsn\":\"0/100\",\"pages\":[]}";
            case 3 -> "{\"lsn\":" + value() + ",\"pages\":[{\"rel\":" + value() + ",\"block\":" + value() + "}]}";
            case 4 -> "[".repeat(1 + r.nextInt(5000)) + "]".repeat(r.nextInt(5000));
            case 5 -> "{\"a\":".repeat(1 + r.nextInt(3000)) + "1" + "}".repeat(r.nextInt(3000));
            case 6 -> "{\"lsn\":\"0/100\",\"pages\":[" + "{\"rel\":1,\"block\":1},".repeat(r.nextInt(60_000)) + "{}]}";
            case 7 -> "{\"lsn\":\"0/100\",\"pages\":[{\"rel\":" + "9".repeat(1 + r.nextInt(2000)) + ",\"block\":1}]}";
            case 8 -> "{\"lsn\":\"0/100\",\"pages\":[{\"rel\":1.5,\"block\":true,\"fork\":[],\"spc\":{}}]}";
            case 9 -> "{\"lsn\":\"0/100\",\"pages\":[{\"rel\":\"1\",\"block\":\"2\"}],\"x\":\"" + "z".repeat(r.nextInt(1_100_000)) + "\"}";
            case 10 -> "";
            default -> null;
        };
        if (json != null) {
            return json.getBytes(StandardCharsets.UTF_8);
        }
        byte[] b = new byte[r.nextInt(1 << 16)];
        r.nextBytes(b);
        return b;
    }

    private String batch(int n) {
        StringBuilder b = new StringBuilder("{\"lsn\":\"0/100\",\"pages\":[");
        for (int i = 0; i < n; i++) {
            b.append(i > 0 ? "," : "").append("{\"spc\":1663,\"db\":5,\"rel\":16384,\"block\":").append(r.nextInt(400))
                    .append(r.nextBoolean() ? ",\"fork\":\"main\"" : "").append('}');
        }
        return b.append("]}").toString();
    }
}
