package io.storageengine.pageservice.topology.trim;

import java.time.Duration;
import java.util.Objects;

/**
 * Hot-store trimming: on or off, how long a segment must have been listed before the trimmer relies
 * on it, how often a trimming pass runs per partition, and the work one pass may do (entries
 * visited, time) before it yields to WAL processing and resumes later from its cursor. From the
 * {@code cold.trim-*} settings (the cold tier checks settleDelay against its max staleness).
 * Immutable.
 */
public record TrimSettings(boolean enabled, Duration settleDelay, Duration interval, int maxEntries, Duration maxTime) {
    public TrimSettings {
        Objects.requireNonNull(settleDelay, "settleDelay");
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(maxTime, "maxTime");
        if (interval.toMillis() < 1 || maxEntries < 1 || maxTime.toMillis() < 1) {
            throw new IllegalArgumentException("cold.trim: interval and max-time must be >= 1 ms, max-entries >= 1");
        }
    }

    /** On; settle 30 s; every 1 s at most 10,000 entries or 20 ms. */
    public static TrimSettings defaults() {
        return new TrimSettings(true, Duration.ofSeconds(30), Duration.ofSeconds(1), 10_000, Duration.ofMillis(20));
    }
}
