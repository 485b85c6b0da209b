package io.storageengine.loadtest;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Open-loop, constant-rate GetPage load against a running page service: {@code rate} GETs per second
 * for {@code seconds}, each of a random page of a {@link PageKeys} set (seeded), at a fixed LSN or the
 * newest, latency measured from each request's intended send time ({@link OpenLoopDriver}), at most
 * {@code max-in-flight} requests open (more are counted as {@code overflow} errors). Prints one
 * Markdown row ({@link LatencyRecorder#markdownRow}) on stdout, with the header first when
 * {@code --header} is given. Used by {@code scripts/bench-read-during-compaction.sh}; run from the
 * page-service test classpath:
 *
 * <pre>
 * java -cp page-service/target/test-classes:page-service/target/classes:$(cat page-service/target/classpath.txt) \
 *   io.storageengine.pageservice.bench.OpenLoopLoad --base http://127.0.0.1:8080 --rate 500 --seconds 15
 * </pre>
 *
 * Options ({@code --name value}; each also read from the environment as {@code SE_LOADGEN_NAME}, the
 * argument wins): base, tenant, timeline, spc (1663), db (5), rels (16384:4 = first:count),
 * blocks (0:256), lsn (X/Y, default newest), rate (req/s), seconds, max-in-flight (64), seed (1),
 * timeout-ms (per request, 5000), label (run), warmup-seconds (0: a first run at the same rate, same
 * pages, not recorded, so the client's JIT and connections are warm); flag --header. HTTP/1.1 over java.net.http with
 * two client threads; the connections are at most max-in-flight. Single-use: one run per JVM.
 */
public final class OpenLoopLoad {
    /** Typed settings of one run. */
    public record Settings(URI base, String tenant, String timeline, int spc, int db, long relFirst, int relCount,
            long blockFirst, int blockCount, String lsn, double rate, double seconds, int maxInFlight, long seed,
            Duration timeout, String label, boolean header, double warmupSeconds) {
        public Settings {
            if (!(rate > 0) || !(seconds > 0) || maxInFlight < 1 || timeout.isNegative() || timeout.isZero()
                    || !(warmupSeconds >= 0)) {
                throw new IllegalArgumentException(
                        "need rate > 0, seconds > 0, max-in-flight >= 1, timeout-ms > 0, warmup-seconds >= 0");
            }
            if (!tenant.matches("[0-9a-f]{32}") || !timeline.matches("[0-9a-f]{32}")) {
                throw new IllegalArgumentException("tenant and timeline must be 32 hex digits");
            }
            if (lsn != null && !lsn.matches("[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}")) {
                throw new IllegalArgumentException("lsn must look like 16/B374D848, got " + lsn);
            }
        }

        /** From {@code --name value} arguments over {@code SE_LOADGEN_NAME} variables over defaults. */
        public static Settings parse(String[] args, Map<String, String> env) {
            Map<String, String> opts = new HashMap<>();
            boolean header = false;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--header")) {
                    header = true;
                } else if (a.startsWith("--") && i + 1 < args.length) {
                    opts.put(a.substring(2), args[++i]);
                } else {
                    throw new IllegalArgumentException("unexpected argument '" + a + "' (options are --name value)");
                }
            }
            java.util.function.Function<String, String> get = name -> opts.getOrDefault(name,
                    env.get("SE_LOADGEN_" + name.toUpperCase(Locale.ROOT).replace('-', '_')));
            java.util.function.BiFunction<String, String, String> or = (name, dflt) -> {
                String v = get.apply(name);
                return v == null || v.isBlank() ? dflt : v.trim();
            };
            long[] rels = PageKeys.range(or.apply("rels", "16384:4"));
            long[] blocks = PageKeys.range(or.apply("blocks", "0:256"));
            try {
                return new Settings(URI.create(or.apply("base", "http://127.0.0.1:8080")),
                        or.apply("tenant", "de000000000000000000000000000001"),
                        or.apply("timeline", "de000000000000000000000000000002"),
                        Integer.parseInt(or.apply("spc", "1663")), Integer.parseInt(or.apply("db", "5")),
                        rels[0], (int) rels[1], blocks[0], (int) blocks[1], or.apply("lsn", null),
                        Double.parseDouble(or.apply("rate", "100")), Double.parseDouble(or.apply("seconds", "10")),
                        Integer.parseInt(or.apply("max-in-flight", "64")), Long.parseLong(or.apply("seed", "1")),
                        Duration.ofMillis(Long.parseLong(or.apply("timeout-ms", "5000"))), or.apply("label", "run"),
                        header, Double.parseDouble(or.apply("warmup-seconds", "0")));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad number: " + e.getMessage(), e);
            }
        }

        String pageUrl(String page) {
            String b = base.toString().replaceAll("/+$", "");
            return b + "/v1/tenants/" + tenant + "/timelines/" + timeline + "/pages/" + page
                    + (lsn == null ? "" : "?lsn=" + lsn);
        }
    }

    private OpenLoopLoad() {}

    public static void main(String[] args) {
        Settings s;
        try {
            s = Settings.parse(args, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("OpenLoopLoad: " + e.getMessage());
            System.exit(2);
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "loadgen-http");
            t.setDaemon(true);
            return t;
        });
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(pool)
                .connectTimeout(s.timeout()).build()) {
            PageKeys keys = new PageKeys(s.spc(), s.db(), s.relFirst(), s.relCount(), s.blockFirst(), s.blockCount(), s.seed());
            OpenLoopDriver.Transport transport = i -> {
                HttpRequest req = HttpRequest.newBuilder(URI.create(s.pageUrl(keys.next()))).timeout(s.timeout()).GET().build();
                return client.sendAsync(req, HttpResponse.BodyHandlers.discarding()).thenApply(HttpResponse::statusCode);
            };
            OpenLoopDriver driver = new OpenLoopDriver(s.rate(), s.seconds(), s.maxInFlight(),
                    s.timeout().toNanos() + TimeUnit.SECONDS.toNanos(1));
            if (s.warmupSeconds() > 0) {
                new OpenLoopDriver(s.rate(), s.warmupSeconds(), s.maxInFlight(), s.timeout().toNanos())
                        .run(new SystemTicker(), transport, new LatencyRecorder());
            }
            LatencyRecorder recorder = new LatencyRecorder();
            long elapsed = driver.run(new SystemTicker(), transport, recorder);
            if (s.header()) {
                System.out.println(LatencyRecorder.markdownHeader());
            }
            System.out.println(recorder.markdownRow(s.label(), s.rate(), elapsed));
            if (recorder.clampedCount() > 0) {
                System.err.println("OpenLoopLoad: " + recorder.clampedCount() + " latencies above one hour were clamped");
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
