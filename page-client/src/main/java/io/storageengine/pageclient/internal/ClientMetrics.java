package io.storageengine.pageclient.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * The page client's Micrometer meters: {@code se.client.page.requests} (timer, tag {@code outcome}:
 * {@code ok} or the gRPC code of the final failure; time from the call to the answer, retries
 * included), {@code se.client.page.retries} (counter, tag {@code code}), {@code se.client.page.attempts}
 * (counter), {@code se.client.page.routed} (counter of pages sent, per attempt, tag {@code to}: {@code owner} or {@code any}).
 * Thread-safe (Micrometer meters are).
 */
public final class ClientMetrics {
    private final MeterRegistry registry;
    private final Timer ok;
    private final Counter attempts;
    private final Counter toOwner;
    private final Counter toAny;

    public ClientMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.ok = timer("ok");
        this.attempts = Counter.builder("se.client.page.attempts").description("attempts sent, retries included")
                .register(registry);
        this.toOwner = Counter.builder("se.client.page.routed").tag("to", "owner").register(registry);
        this.toAny = Counter.builder("se.client.page.routed").tag("to", "any").register(registry);
    }

    private Timer timer(String outcome) {
        return Timer.builder("se.client.page.requests").description("page requests by final outcome")
                .tag("outcome", outcome).register(registry);
    }

    /** Where an attempt was sent: straight to its owner, or to any target (owner unknown). */
    /** {@code pages} pages (one wire request) sent to their owner, or to any target. */
    public void routed(boolean owner, int pages) {
        (owner ? toOwner : toAny).increment(pages);
    }

    public void attempt() {
        attempts.increment();
    }

    public void retry(String code) {
        Counter.builder("se.client.page.retries").tag("code", code).register(registry).increment();
    }

    public void done(String outcome, long nanos) {
        ("ok".equals(outcome) ? ok : timer(outcome)).record(nanos, TimeUnit.NANOSECONDS);
    }

    public MeterRegistry registry() {
        return registry;
    }
}
