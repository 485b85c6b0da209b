package io.storageengine.catalog.connection.internal;

import dev.failsafe.CircuitBreaker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Chooses the replicas a lag-tolerant read may try, in order. A replica is usable when its breaker
 * is closed and its last measured lag is known and within the bound. New readers are spread
 * round-robin; a thread that read from a usable replica within {@code affinity} goes back to it
 * first, so one caller's consecutive reads (the segment-map refresh: version, then segments, then
 * timelines) see one server moving forward, never a newer server then an older one. An empty list
 * means: read from the primary. Thread-safe (the affinity is per thread).
 */
public final class ReadRouter {
    private record Pin(Pool pool, long usedAt) {
    }

    private final List<Pool> replicas;
    private final long maxLagMillis;
    private final long affinityNanos;
    private final LongSupplier clock;
    private final AtomicInteger next = new AtomicInteger();
    private final ThreadLocal<Pin> pins = new ThreadLocal<>();

    public ReadRouter(List<Pool> replicas, Duration maxLag, Duration affinity, LongSupplier clock) {
        this.replicas = List.copyOf(replicas);
        this.maxLagMillis = maxLag.toMillis();
        this.affinityNanos = affinity.toNanos();
        this.clock = clock;
    }

    public boolean usable(Pool p) {
        long lag = p.lagMillis();
        return p.breaker().getState() == CircuitBreaker.State.CLOSED && lag >= 0 && lag <= maxLagMillis;
    }

    /** Usable replicas, the thread's pinned one first, then round-robin from the next start. */
    public List<Pool> candidates() {
        int n = replicas.size();
        if (n == 0) {
            return List.of();
        }
        List<Pool> out = new ArrayList<>(n);
        Pool pinned = pinned();
        if (pinned != null) {
            out.add(pinned);
        }
        int start = Math.floorMod(next.getAndIncrement(), n);
        for (int i = 0; i < n; i++) {
            Pool p = replicas.get((start + i) % n);
            if (!out.contains(p) && usable(p)) {
                out.add(p);
            }
        }
        return out;
    }

    /**
     * The replica this thread read from within {@code affinity}, if still usable (it is tried first);
     * null when none. Query consolidation only joins reads of the same pin, so a caller's reads keep
     * moving forward on one server.
     */
    public Pool pinned() {
        Pin pin = pins.get();
        if (pin != null && affinityNanos > 0 && clock.getAsLong() - pin.usedAt() <= affinityNanos && usable(pin.pool())) {
            return pin.pool();
        }
        return null;
    }

    /** Records that this thread's read succeeded on {@code p} (null: on the primary). */
    public void used(Pool p) {
        if (affinityNanos == 0) {
            return;
        }
        if (p == null) {
            pins.remove();
        } else {
            pins.set(new Pin(p, clock.getAsLong()));
        }
    }
}
