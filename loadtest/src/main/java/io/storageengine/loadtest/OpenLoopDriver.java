package io.storageengine.loadtest;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The open-loop (constant-rate) schedule of a load run: request {@code i} is due at
 * {@code start + i * 1e9 / rate} ns, whatever happened to the requests before it, for
 * {@code count = rate * seconds} requests. Each request's latency is measured from that intended
 * send time, not from when it was actually sent, so a stalled sender or a slow server shows up in
 * the percentiles instead of silently lowering the offered load (coordinated-omission corrected).
 * In-flight requests are bounded by {@code maxInFlight}: a request due while that many are
 * outstanding is not sent and is counted as an {@code overflow} error, so a server that cannot
 * keep up shows errors rather than an unbounded queue in the generator. After the last send the
 * driver waits at most {@code drainNanos} for outstanding requests; those still open then are
 * counted as {@code unfinished}.
 *
 * <p>Time and transport are injected ({@link Ticker}, {@link Transport}) so the scheduling and
 * recording logic is tested with a simulated clock. {@link #run} is called by one thread; the
 * transport may complete requests on any thread (the {@link LatencyRecorder} is thread-safe).
 */
public final class OpenLoopDriver {
    /** Clock and sleeping of the scheduling thread (System.nanoTime in production). */
    public interface Ticker {
        long nanoTime();

        /** Returns at, or as soon as possible after, {@code deadlineNanos}. */
        void sleepUntil(long deadlineNanos) throws InterruptedException;
    }

    /** Sends request number {@code i}; completes with its HTTP status or exceptionally. */
    public interface Transport {
        CompletionStage<Integer> send(long i);
    }

    private final double rate;
    private final long count;
    private final int maxInFlight;
    private final long drainNanos;

    public OpenLoopDriver(double rate, double seconds, int maxInFlight, long drainNanos) {
        if (!(rate > 0) || !(seconds > 0)) {
            throw new IllegalArgumentException("rate and seconds must be > 0, got " + rate + ", " + seconds);
        }
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be >= 1, got " + maxInFlight);
        }
        this.rate = rate;
        this.count = Math.max(1, Math.round(rate * seconds));
        this.maxInFlight = maxInFlight;
        this.drainNanos = Math.max(0, drainNanos);
    }

    /** Requests this run sends (or counts as overflow). */
    public long count() {
        return count;
    }

    /** Offset of request {@code i}'s intended send time from the start, in ns (no cumulative drift). */
    public long intendedOffsetNanos(long i) {
        return (long) Math.floor(i * 1e9 / rate);
    }

    /**
     * Runs the schedule from {@code ticker.nanoTime()}; returns the elapsed ns from the start to the
     * end of the drain. Interrupting the calling thread stops sending (requests not yet due are not
     * counted) and returns after the same bounded drain.
     */
    public long run(Ticker ticker, Transport transport, LatencyRecorder recorder) {
        Objects.requireNonNull(ticker);
        Objects.requireNonNull(transport);
        Semaphore permits = new Semaphore(maxInFlight);
        // requests sent and not yet settled (at most maxInFlight); the flag settles each exactly once
        Map<Long, AtomicBoolean> open = new ConcurrentHashMap<>();
        long start = ticker.nanoTime();
        try {
            for (long i = 0; i < count; i++) {
                long intended = start + intendedOffsetNanos(i);
                if (ticker.nanoTime() < intended) {
                    ticker.sleepUntil(intended);
                }
                recorder.sent();
                if (!permits.tryAcquire()) {
                    recorder.error("overflow");
                    continue;
                }
                AtomicBoolean settled = new AtomicBoolean();
                open.put(i, settled);
                long id = i;
                CompletionStage<Integer> reply;
                try {
                    reply = transport.send(i);
                } catch (RuntimeException e) {
                    reply = CompletableFuture.failedFuture(e);
                }
                reply.whenComplete((status, failure) -> {
                    open.remove(id);
                    if (settled.compareAndSet(false, true)) {
                        if (failure != null) {
                            recorder.error(LatencyRecorder.errorName(failure));
                        } else {
                            recorder.answered(status, ticker.nanoTime() - intended);
                        }
                    }
                    permits.release();
                });
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        boolean interrupted = Thread.interrupted();
        long deadline = ticker.nanoTime() + drainNanos;
        while (!open.isEmpty() && ticker.nanoTime() < deadline && !interrupted) {
            try {
                ticker.sleepUntil(Math.min(deadline, ticker.nanoTime() + 1_000_000));
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        for (AtomicBoolean settled : open.values()) {
            if (settled.compareAndSet(false, true)) {
                recorder.error("unfinished");
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return ticker.nanoTime() - start;
    }
}
