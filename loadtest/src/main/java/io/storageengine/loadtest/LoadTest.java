package io.storageengine.loadtest;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.MethodDescriptor;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.storageengine.pageapi.bench.NoopPages;
import io.storageengine.pageapi.v1.PageServiceGrpc;
import io.storageengine.pageclient.PageClient;
import io.storageengine.pageclient.PageException;
import io.storageengine.pageclient.PageRequest;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ./se loadtest}: the product's load scenarios against a running stack, over HTTP and over
 * the streaming API, each open-loop ({@link OpenLoopDriver}: constant rate, latency from each
 * request's intended send time, so coordinated omission is corrected) after a closed-loop probe
 * that finds the transport's saturation rate:
 * <ul>
 *   <li>{@code sustained}: 60 s at 80% of saturation, up to 100 requests in flight (100 clients);</li>
 *   <li>{@code spike}: 30 s at saturation, up to 1,000 in flight;</li>
 *   <li>{@code mixed}: 60 s at 80% of saturation, up to 100 in flight, random pages at random LSNs
 *       inside the window {@code [newest - window, newest]}, and 10% at the window's start (the
 *       oldest LSN, the reads most likely to need the cold tier). An LSN before a page's first record
 *       is answered 404 page-not-found, the right answer: counted as an answer and shown apart.</li>
 * </ul>
 * Prints one Markdown row per transport and scenario (offered and achieved pages/s, p50, p95, p99,
 * p99.9, max, error rate and kinds) and the page service's own count of the requests (its
 * {@code /metrics}, {@code se_http_requests_seconds_count} for route {@code page}, {@code grpc_page} or
 * {@code grpc_noop}) as a cross-check, then the page service's peak anonymous RSS over the whole
 * run against its configured memory budget ({@link MemoryWatch}). Options as {@code --name value};
 * see {@link #USAGE}.
 * Memory: fixed histograms, bounded in-flight requests. Not thread-safe; one run per JVM.
 */
public final class LoadTest {
    static final String USAGE = """
            usage: LoadTest [--http URL] [--grpc HOST:PORT] [--admin URL] [--transports http,stream]
                            [--scenarios sustained,spike,mixed] [--time-scale F] [--rate PAGES_PER_S]
                            [--tenant HEX32] [--timeline HEX32] [--spc N] [--db N] [--rels FIRST:COUNT]
                            [--blocks FIRST:COUNT] [--window-bytes N] [--seed N] [--token JWT]
                            [--pages-per-request N]
              transports: http, stream, stream-noop (the stream's baseline: the same client and server,
              constant pages from the server's NoopPages.GetPages, no store or policies)
              defaults: http://127.0.0.1:8080, 127.0.0.1:8090, http://127.0.0.1:9090, http,stream,
              all scenarios, time-scale 1 (0.1 runs each scenario a tenth as long), rate: 0 (probe the
              saturation per transport), the ./se up demo timeline (db 5, rels 16384:4, blocks 0:256),
              window 16 MiB of LSN; pages per request 1 (stream only: N consecutive blocks of one
              relation at one LSN in one GetPages request, as a compute node's prefetch; 1..64)""";

    /** One scenario: duration, in-flight bound, rate as a fraction of saturation, LSN choice. */
    record Scenario(String name, double seconds, int inFlight, double rateFraction, boolean mixed) {
    }

    static final List<Scenario> SCENARIOS = List.of(
            new Scenario("sustained", 60, 100, 0.8, false),
            new Scenario("spike", 30, 1_000, 1.0, false),
            new Scenario("mixed", 60, 100, 0.8, true));

    /**
     * A transport sends one request, for {@link #pages} pages from {@code block} at an LSN (0:
     * newest), and completes with a status.
     */
    interface Target extends AutoCloseable {
        CompletionStage<Integer> send(long block, long rel, long lsn);

        /** Pages per request. */
        default int pages() {
            return 1;
        }

        /** The route whose count the page service keeps for this transport. */
        String route();

        @Override
        void close();
    }

    private final Map<String, String> opts;
    private final PrintStream out;

    LoadTest(Map<String, String> opts, PrintStream out) {
        this.opts = opts;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts;
        try {
            opts = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("loadtest: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        System.exit(new LoadTest(opts, System.out).run());
    }

    static Map<String, String> parse(String[] args) {
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("unexpected argument '" + args[i] + "' (options are --name value)");
            }
            o.put(args[i].substring(2), args[++i]);
        }
        return o;
    }

    private String opt(String name, String dflt) {
        String v = opts.get(name);
        return v == null || v.isBlank() ? dflt : v.trim();
    }

    int run() throws Exception {
        String tenant = opt("tenant", "de000000000000000000000000000001");
        String timeline = opt("timeline", "de000000000000000000000000000002");
        long spc = Long.parseLong(opt("spc", "1663"));
        long db = Long.parseLong(opt("db", "5"));
        long[] rels = PageKeys.range(opt("rels", "16384:4"));
        long[] blocks = PageKeys.range(opt("blocks", "0:256"));
        double scale = Double.parseDouble(opt("time-scale", "1"));
        double fixedRate = Double.parseDouble(opt("rate", "0"));
        long window = Long.parseLong(opt("window-bytes", String.valueOf(16L << 20)));
        SplittableRandom random = new SplittableRandom(Long.parseLong(opt("seed", "1")));
        AtomicLong notFound = new AtomicLong();
        URI admin = URI.create(opt("admin", "http://127.0.0.1:9090"));
        List<String> transports = split(opt("transports", "http,stream"));
        List<String> wanted = split(opt("scenarios", "sustained,spike,mixed"));
        out.printf(Locale.ROOT, "load test: timeline %s/%s, db %d, rels %d..%d, blocks %d..%d, time scale %.2f%n",
                tenant, timeline, db, rels[0], rels[0] + rels[1] - 1, blocks[0], blocks[0] + blocks[1] - 1, scale);
        out.println("| transport | scenario | in flight | offered pages/s | achieved pages/s | p50 ms | p95 ms | p99 ms"
                + " | p99.9 ms | max ms | errors | server counted (requests) |");
        out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|");
        ExecutorService httpPool = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "loadtest-http");
            t.setDaemon(true);
            return t;
        });
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(httpPool)
                .connectTimeout(Duration.ofSeconds(5)).build();
             MemoryWatch memory = new MemoryWatch(http, admin)) {
            long newest = newestLsn(http, URI.create(opt("http", "http://127.0.0.1:8080")), tenant, timeline);
            for (String transport : transports) {
                try (Target target = target(transport.trim(), http, tenant, timeline, spc, db, blocks)) {
                    // rates are in requests/s here; printed as pages/s (requests x pages per request)
                    double saturation = fixedRate > 0 ? fixedRate / target.pages()
                            : probe(target, rels, blocks, random);
                    for (Scenario s : SCENARIOS) {
                        if (!wanted.contains(s.name())) {
                            continue;
                        }
                        double rate = Math.max(1, saturation * s.rateFraction());
                        long before = serverCount(http, admin, target.route());
                        LatencyRecorder rec = new LatencyRecorder();
                        OpenLoopDriver driver = new OpenLoopDriver(rate, Math.max(1, s.seconds() * scale), s.inFlight(),
                                TimeUnit.SECONDS.toNanos(6));
                        long elapsed = driver.run(new SystemTicker(), i -> {
                            long lsn = 0;
                            if (s.mixed()) {
                                lsn = random.nextInt(10) == 0 ? Math.max(1, newest - window)
                                        : newest - random.nextLong(Math.min(window, newest - 1));
                            }
                            CompletionStage<Integer> reply = target.send(blocks[0] + random.nextLong(blocks[1]),
                                    rels[0] + random.nextLong(rels[1]), lsn);
                            // an old LSN may precede the page's first record: 404 page-not-found is the right answer
                            return s.mixed() ? reply.thenApply(st -> {
                                if (st == 404) {
                                    notFound.incrementAndGet();
                                    return 200;
                                }
                                return st;
                            }) : reply;
                        }, rec);
                        long after = serverCount(http, admin, target.route());
                        out.println(row(transport + (target.pages() > 1 ? " x" + target.pages() : ""), s, rate,
                                target.pages(), rec, elapsed, before < 0 || after < 0 ? -1 : after - before,
                                notFound.getAndSet(0)));
                    }
                }
            }
            out.println(memory.summary());
        } finally {
            httpPool.shutdownNow();
        }
        return 0;
    }

    /** One table row; {@code rate} in requests/s, shown with the achieved rate as pages/s ({@code pages} per request). */
    static String row(String transport, Scenario s, double rate, int pages, LatencyRecorder rec, long elapsedNanos,
            long counted, long notFound) {
        double seconds = elapsedNanos / 1e9;
        StringBuilder err = new StringBuilder();
        rec.errors().forEach((k, v) -> err.append(err.isEmpty() ? "" : " ").append(k).append(':').append(v));
        double errorRate = rec.sentCount() == 0 ? 0 : 100.0 * rec.errorCount() / rec.sentCount();
        return String.format(Locale.ROOT, "| %s | %s | %d | %.0f | %.0f | %.3f | %.3f | %.3f | %.3f | %.3f | %.2f%%%s | %s |",
                transport, s.name(), s.inFlight(), rate * pages, seconds > 0 ? rec.okCount() * (double) pages / seconds : 0,
                rec.percentileMicros(50) / 1e3, rec.percentileMicros(95) / 1e3, rec.percentileMicros(99) / 1e3,
                rec.percentileMicros(99.9) / 1e3, rec.maxMicros() / 1e3, errorRate,
                (err.isEmpty() ? "" : " (" + err + ")") + (notFound > 0 ? "; " + notFound + " answered 404 (before the page's"
                        + " first record), counted as answers" : ""), counted < 0 ? "n/a" : Long.toString(counted));
    }

    /** Closed loop, 100 requests in flight, 3 s of warm-up then 5 s measured: the transport's saturation in requests/s. */
    private double probe(Target target, long[] rels, long[] blocks, SplittableRandom random)
            throws InterruptedException {
        // not scaled by --time-scale: a shorter probe measures the JIT warming up (670 pages/s in a 1.25 s
        // probe where 5 s after a 3 s warm-up gave 7,300 against the same instance)
        long warm = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        long end = warm + TimeUnit.SECONDS.toNanos(5);
        AtomicLong ok = new AtomicLong();
        AtomicLong okAtWarm = new AtomicLong(-1);
        java.util.concurrent.Semaphore slots = new java.util.concurrent.Semaphore(100);
        long warmedAt = 0;
        while (System.nanoTime() < end) {
            slots.acquire();
            if (warmedAt == 0 && System.nanoTime() >= warm) {
                warmedAt = System.nanoTime();
                okAtWarm.set(ok.get());
            }
            target.send(blocks[0] + random.nextLong(blocks[1]), rels[0] + random.nextLong(rels[1]), 0)
                    .whenComplete((status, failure) -> {
                        if (failure == null && status == 200) {
                            ok.incrementAndGet();
                        }
                        slots.release();
                    });
        }
        slots.acquire(100);
        double seconds = (System.nanoTime() - warmedAt) / 1e9;
        double rate = (ok.get() - Math.max(0, okAtWarm.get())) / seconds;
        out.printf(Locale.ROOT, "%s: saturation probe (closed loop, 100 requests in flight, %d page(s) each): %.0f pages/s%n",
                target.route(), target.pages(), rate * target.pages());
        return rate;
    }

    private Target target(String transport, HttpClient http, String tenant, String timeline, long spc, long db,
                          long[] blocks) {
        int pages = Integer.parseInt(opt("pages-per-request", "1"));
        if (pages < 1 || pages > 64) {
            throw new IllegalArgumentException("--pages-per-request must be 1..64, not " + pages);
        }
        return switch (transport) {
            case "http" -> {
                String base = opt("http", "http://127.0.0.1:8080").replaceAll("/+$", "") + "/v1/tenants/" + tenant
                        + "/timelines/" + timeline + "/pages/";
                String token = opts.get("token");
                yield new Target() {
                    @Override
                    public CompletionStage<Integer> send(long block, long rel, long lsn) {
                        String url = base + spc + "/" + db + "/" + rel + "/" + block
                                + (lsn == 0 ? "" : String.format(Locale.ROOT, "?lsn=%X/%X", lsn >>> 32, lsn & 0xFFFFFFFFL));
                        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET();
                        if (token != null) {
                            b.header("Authorization", "Bearer " + token);
                        }
                        return http.sendAsync(b.build(), HttpResponse.BodyHandlers.discarding())
                                .thenApply(HttpResponse::statusCode);
                    }

                    @Override
                    public String route() {
                        return "page";
                    }

                    @Override
                    public void close() {
                    }
                };
            }
            case "stream", "stream-noop" -> {
                boolean noop = transport.equals("stream-noop");
                PageClient.Builder b = PageClient.builder();
                if (noop) { // the same client and stream, GetPages sent to the server's noop method
                    b.channel(NettyChannelBuilder.forTarget(opt("grpc", "127.0.0.1:8090")).usePlaintext()
                            .intercept(new ToNoopPages()).build());
                } else {
                    b.target(opt("grpc", "127.0.0.1:8090"));
                }
                if (opts.get("token") != null) {
                    b.bearerToken(opts.get("token"));
                }
                PageClient client = b.build();
                yield new Target() {
                    @Override
                    public CompletionStage<Integer> send(long block, long rel, long lsn) {
                        PageRequest first = new PageRequest(tenant, timeline, spc, db, rel, "main", block, lsn, 0);
                        CompletionStage<?> reply;
                        if (pages == 1) {
                            reply = client.getPage(first);
                        } else {
                            List<PageRequest> rs = new ArrayList<>(pages);
                            for (int k = 0; k < pages; k++) { // consecutive blocks, wrapping inside the range
                                rs.add(first.withBlock(blocks[0] + Math.floorMod(block - blocks[0] + k, blocks[1])));
                            }
                            reply = client.getPages(rs);
                        }
                        return reply.handle((r, failure) -> {
                            if (failure == null) {
                                return 200;
                            }
                            Throwable t = failure instanceof java.util.concurrent.CompletionException
                                    && failure.getCause() != null ? failure.getCause() : failure;
                            if (t instanceof PageException pe) {
                                return pe.httpStatus();
                            }
                            throw new java.util.concurrent.CompletionException(t);
                        });
                    }

                    @Override
                    public int pages() {
                        return pages;
                    }

                    @Override
                    public String route() {
                        return noop ? "grpc_noop" : "grpc_page";
                    }

                    @Override
                    public void close() {
                        client.close();
                    }
                };
            }
            default -> throw new IllegalArgumentException("unknown transport '" + transport
                    + "' (http, stream or stream-noop)");
        };
    }

    /** Sends {@code GetPages} calls to the noop stream ({@link NoopPages}); other calls go as they are. */
    private static final class ToNoopPages implements ClientInterceptor {
        @Override
        @SuppressWarnings("unchecked")
        public <Q, A> ClientCall<Q, A> interceptCall(MethodDescriptor<Q, A> method, CallOptions options, Channel next) {
            if (method.getFullMethodName().equals(PageServiceGrpc.getGetPagesMethod().getFullMethodName())) {
                return next.newCall((MethodDescriptor<Q, A>) NoopPages.GET_PAGES, options);
            }
            return next.newCall(method, options);
        }
    }

    private static final Pattern LSN = Pattern.compile("\"last_applied_lsn\"\\s*:\\s*\"([0-9A-Fa-f]+)/([0-9A-Fa-f]+)\"");

    /** The timeline's newest applied LSN from the HTTP status route (for the mixed scenario's window). */
    private static long newestLsn(HttpClient http, URI base, String tenant, String timeline) throws Exception {
        String url = base.toString().replaceAll("/+$", "") + "/v1/tenants/" + tenant + "/timelines/" + timeline;
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        Matcher m = LSN.matcher(r.body());
        if (r.statusCode() != 200 || !m.find()) {
            throw new IllegalStateException("timeline status " + url + " answered " + r.statusCode() + ": " + r.body());
        }
        return Long.parseLong(m.group(1), 16) << 32 | Long.parseLong(m.group(2), 16);
    }

    /** The page service's count of answered requests of {@code route} (all statuses), -1 if unknown. */
    static long serverCount(HttpClient http, URI admin, String route) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(admin.resolve("/metrics"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return countOf(r.body(), route);
        } catch (Exception e) {
            return -1;
        }
    }

    /** Sum of {@code se_http_requests_seconds_count} samples whose {@code route} label is {@code route}. */
    static long countOf(String prometheusText, String route) {
        double sum = PrometheusText.sum(prometheusText,
                series -> series.startsWith("se_http_requests_seconds_count{") && series.contains("route=\"" + route + "\""));
        return Double.isNaN(sum) ? 0 : (long) sum;
    }

    static List<String> split(String csv) {
        List<String> out = new ArrayList<>();
        for (String s : csv.split(",")) {
            if (!s.isBlank()) {
                out.add(s.trim());
            }
        }
        return out;
    }
}
