package io.storageengine.loadtest;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The page service's memory while a load test runs: a daemon thread scrapes its {@code /metrics}
 * once a second and keeps the peak of {@code se_process_memory_resident_bytes{kind="anon"}} (what
 * its {@code memory.budget-mb} bounds) and the budget ({@code se_process_memory_budget_bytes}).
 * Two numbers of state; thread-safe; {@link #close} stops the thread.
 */
final class MemoryWatch implements AutoCloseable {
    static final String RESIDENT = "se_process_memory_resident_bytes{kind=\"anon\"}";
    static final String BUDGET = "se_process_memory_budget_bytes";

    private final AtomicLong peakAnon = new AtomicLong(-1);
    private final AtomicLong budget = new AtomicLong(-1);
    private final Thread thread;
    private volatile boolean stop;

    MemoryWatch(HttpClient http, URI admin) {
        this.thread = Thread.ofPlatform().daemon().name("loadtest-memory").start(() -> {
            HttpRequest request = HttpRequest.newBuilder(admin.resolve("/metrics")).timeout(Duration.ofSeconds(2)).build();
            while (!stop) {
                try {
                    record(http.send(request, HttpResponse.BodyHandlers.ofString()).body());
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    // not reachable this second: the next scrape may be
                }
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    /** Takes one scrape's values into the peak and the budget. */
    void record(String prometheusText) {
        long anon = sample(prometheusText, RESIDENT);
        if (anon >= 0) {
            peakAnon.accumulateAndGet(anon, Math::max);
        }
        long b = sample(prometheusText, BUDGET);
        if (b >= 0) {
            budget.set(b);
        }
    }

    /** The value of the sample named exactly {@code series} (name and labels as exposed), -1 if absent or NaN. */
    static long sample(String prometheusText, String series) {
        double v = PrometheusText.sum(prometheusText, series::equals);
        return Double.isNaN(v) ? -1 : (long) v;
    }

    /** One line for the report: the peak against the budget, or why it is unknown. */
    String summary() {
        long peak = peakAnon.get();
        long b = budget.get();
        if (peak < 0 || b <= 0) {
            return "page service memory: not exported by this page service (no se_process_memory_* in /metrics)";
        }
        return String.format(Locale.ROOT, "page service memory during the load: peak anonymous RSS %d MiB of its %d MiB"
                + " budget (%s)", peak >> 20, b >> 20, peak <= b ? "within" : "OVER the budget");
    }

    @Override
    public void close() {
        stop = true;
        thread.interrupt();
    }
}
