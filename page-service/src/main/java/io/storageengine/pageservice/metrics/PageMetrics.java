package io.storageengine.pageservice.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleSupplier;

/**
 * The page service's Micrometer meters on one Prometheus registry: request latency per route and
 * status (a timer with a histogram whose buckets start at 10 µs, so sub-millisecond reads are
 * resolved; its {@code _count} is the request count per route and status), problem answers by
 * type, pages inside batch answers by per-page status, rate-limit rejections,
 * forwarded requests, circuit-breaker state, readiness, per-partition applied LSN and lag and the
 * hot-store size (polled from {@link PartitionStats} at each scrape), and JVM memory, GC, threads
 * and CPU. Thread-safe; the timers are cached per (route, status), a bounded set.
 */
public final class PageMetrics {
    public static final Duration MIN_EXPECTED = Duration.ofNanos(10_000);
    public static final Duration MAX_EXPECTED = Duration.ofSeconds(5);

    private final PrometheusMeterRegistry registry;
    private final ConcurrentMap<RouteStatus, Timer> timers = new ConcurrentHashMap<>();
    private final ConcurrentMap<Integer, Counter> batchPages = new ConcurrentHashMap<>();
    private final Counter rateLimited;
    private final Counter forwarded;
    private final Counter forwardFailures;
    private final Counter streamPages;
    private final MultiGauge appliedLsn;
    private final MultiGauge lag;
    private volatile PartitionStats stats = PartitionStats.NONE;

    public PageMetrics() {
        this(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    public PageMetrics(PrometheusMeterRegistry registry) {
        this.registry = registry;
        this.rateLimited = Counter.builder("se.rate.limit.rejections")
                .description("Requests rejected by a tenant's rate limit (429)").register(registry);
        this.forwarded = Counter.builder("se.forwarded.requests")
                .description("Requests forwarded to the instance owning the page").register(registry);
        this.forwardFailures = Counter.builder("se.forward.failures")
                .description("Forwarded requests whose owner could not be reached").register(registry);
        this.streamPages = Counter.builder("se.grpc.pages")
                .description("Pages answered on GetPages streams (a request may carry several)").register(registry);
        this.appliedLsn = MultiGauge.builder("se.partition.applied.lsn")
                .description("Newest LSN applied per assigned partition").register(registry);
        this.lag = MultiGauge.builder("se.partition.lag")
                .description("Records behind the end of the WAL topic per assigned partition").register(registry);
        Gauge.builder("se.store.size", this, m -> m.stats.storeBytes()).baseUnit("bytes")
                .description("Estimated size of the hot store (-1 unknown)").register(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Records one request of {@code route} answered with {@code status}. */
    public void record(String route, int status, long nanos) {
        RouteStatus key = new RouteStatus(route, status);
        Timer t = timers.get(key);
        if (t == null) {
            t = timers.computeIfAbsent(key, k -> Timer.builder("se.http.requests")
                    .description("Page API request latency by route and status")
                    .tags(Tags.of("route", route, "status", Integer.toString(status)))
                    .publishPercentileHistogram()
                    .minimumExpectedValue(MIN_EXPECTED)
                    .maximumExpectedValue(MAX_EXPECTED)
                    .register(registry));
        }
        t.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Counts one page of a batch answered with {@code status} (inside a 200 batch response). */
    public void batchPage(int status) {
        Counter c = batchPages.get(status);
        if (c == null) {
            c = batchPages.computeIfAbsent(status, s -> Counter.builder("se.batch.pages")
                    .tag("status", Integer.toString(s))
                    .description("Pages answered inside batch responses, by per-page status").register(registry));
        }
        c.increment();
    }

    /**
     * Counts one problem answer of {@code route} by its type slug (a small fixed set); reads that
     * failed to replay a record ({@code redo-unsupported}, {@code redo-failed}) are also counted in
     * {@code se.page.redo.failures} by kind, whatever the route.
     */
    public void problem(String route, String slug) {
        Counter.builder("se.http.problems").tags("route", route, "type", slug)
                .description("Problem answers by route and problem type").register(registry).increment();
        switch (slug) {
            case "redo-unsupported" -> redoFailure("unsupported");
            case "redo-failed" -> redoFailure("failed");
            default -> {
            }
        }
    }

    /** Counts one page read that met a record it could not replay: {@code unsupported} (501) or {@code failed} (500). */
    public void redoFailure(String kind) {
        Counter.builder("se.page.redo.failures").tags("kind", kind)
                .description("Page reads whose history holds a record that could not be replayed, by kind")
                .register(registry).increment();
    }

    /** Counts {@code n} pages answered by one GetPages request. */
    public void streamPages(int n) {
        streamPages.increment(n);
    }

    public void rateLimited() {
        rateLimited.increment();
    }

    public void forwarded() {
        forwarded.increment();
    }

    public void forwardFailed() {
        forwardFailures.increment();
    }

    /** Circuit-breaker state gauge: 0 closed, 1 half-open, 2 open. */
    public void breakerState(DoubleSupplier state) {
        Gauge.builder("se.circuit.breaker.state", state, DoubleSupplier::getAsDouble)
                .description("Store circuit breaker: 0 closed, 1 half-open, 2 open").strongReference(true).register(registry);
    }

    /** Readiness gauge: 1 when every assigned partition is caught up. */
    public void readiness(BooleanSupplier ready) {
        Gauge.builder("se.ready", ready, r -> r.getAsBoolean() ? 1 : 0)
                .description("1 when this instance's partitions are caught up").strongReference(true).register(registry);
    }

    /** Connects the streams side's partition statistics (polled at each scrape). */
    public void partitionStats(PartitionStats stats) {
        this.stats = stats;
    }

    /** Prometheus text exposition, refreshing the per-partition gauges first. */
    public String scrape() {
        List<PartitionStats.Partition> parts = stats.partitions();
        appliedLsn.register(parts.stream().map(p -> MultiGauge.Row.of(
                Tags.of("partition", Integer.toString(p.partition()), "role", p.role()), unsigned(p.appliedLsn())))
                .toList(), true);
        lag.register(parts.stream().map(p -> MultiGauge.Row.of(
                Tags.of("partition", Integer.toString(p.partition()), "role", p.role()), (double) p.lag())).toList(), true);
        return registry.scrape();
    }

    private record RouteStatus(String route, int status) {
    }

    private static double unsigned(long v) {
        return v >= 0 ? (double) v : (double) (v >>> 1) * 2.0;
    }
}
