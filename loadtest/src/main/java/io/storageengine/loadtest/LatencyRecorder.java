package io.storageengine.loadtest;

import java.net.http.HttpTimeoutException;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * What one open-loop run observed: an HdrHistogram of the latencies of 2xx answers (microseconds,
 * 3 significant digits, up to one hour; a larger value is clamped to the maximum and counted),
 * counts of requests due, and errors by kind: a non-2xx HTTP status ({@code "503"}), {@code overflow}
 * (not sent: the in-flight bound was reached), {@code timeout}, {@code io}, {@code unfinished} (still
 * open when the run ended) or the exception's simple class name. Non-2xx answers are errors and stay
 * out of the percentiles, so a fast error can never make the latency look better. Renders itself as
 * one Markdown table row. Memory is fixed (the histogram's buckets plus one counter per error kind).
 * Thread-safe: every method synchronizes on the instance.
 */
public final class LatencyRecorder {
    static final long HIGHEST_MICROS = TimeUnit.HOURS.toMicros(1);

    private final Histogram histogram = new Histogram(HIGHEST_MICROS, 3);
    private final Map<String, Long> errors = new TreeMap<>();
    private long sent;
    private long clamped;

    /** A request fell due (sent, or counted as overflow). */
    public synchronized void sent() {
        sent++;
    }

    /** An HTTP answer: its latency from the intended send time when 2xx, else an error by status. */
    public synchronized void answered(int status, long latencyNanos) {
        if (status < 200 || status > 299) {
            error(Integer.toString(status));
            return;
        }
        long micros = Math.max(0, TimeUnit.NANOSECONDS.toMicros(latencyNanos));
        if (micros > HIGHEST_MICROS) {
            micros = HIGHEST_MICROS;
            clamped++;
        }
        histogram.recordValue(micros);
    }

    public synchronized void error(String kind) {
        errors.merge(kind, 1L, Long::sum);
    }

    public synchronized long sentCount() {
        return sent;
    }

    public synchronized long okCount() {
        return histogram.getTotalCount();
    }

    public synchronized long clampedCount() {
        return clamped;
    }

    public synchronized Map<String, Long> errors() {
        return Map.copyOf(errors);
    }

    public synchronized long errorCount() {
        return errors.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Latency at {@code percentile} (0..100) of the 2xx answers, in microseconds; 0 when none. */
    public synchronized long percentileMicros(double percentile) {
        return histogram.getTotalCount() == 0 ? 0 : histogram.getValueAtPercentile(percentile);
    }

    public synchronized long maxMicros() {
        return histogram.getTotalCount() == 0 ? 0 : histogram.getMaxValue();
    }

    /** Header and separator lines of the table {@link #markdownRow} belongs to. */
    public static String markdownHeader() {
        return "| run | offered req/s | achieved req/s | due | ok | p50 ms | p95 ms | p99 ms | max ms | errors |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|";
    }

    /**
     * One table row; achieved req/s = 2xx answers per second of {@code elapsedNanos} (schedule plus
     * drain). Errors as {@code kind:count} separated by spaces, {@code none} when there were none.
     */
    public synchronized String markdownRow(String label, double offeredRate, long elapsedNanos) {
        double seconds = elapsedNanos / 1e9;
        double achieved = seconds > 0 ? histogram.getTotalCount() / seconds : 0;
        StringBuilder err = new StringBuilder();
        errors.forEach((k, v) -> err.append(err.isEmpty() ? "" : " ").append(k).append(':').append(v));
        return String.format(Locale.ROOT, "| %s | %.0f | %.0f | %d | %d | %.2f | %.2f | %.2f | %.2f | %s |",
                label, offeredRate, achieved, sent, histogram.getTotalCount(), ms(percentileMicros(50)),
                ms(percentileMicros(95)), ms(percentileMicros(99)), ms(maxMicros()), err.isEmpty() ? "none" : err);
    }

    private static double ms(long micros) {
        return micros / 1000.0;
    }

    /** Error kind of a failed request: {@code timeout}, {@code io} or the cause's simple class name. */
    static String errorName(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof HttpTimeoutException) {
            return "timeout";
        }
        if (t instanceof java.io.IOException) {
            return "io";
        }
        return t.getClass().getSimpleName();
    }
}
