package io.storageengine.compactor.internal;

import java.time.Duration;
import java.util.Objects;

/**
 * Exponential backoff for one partition's repeatedly failing work (L0 cuts, compaction jobs): the
 * n-th consecutive failure waits {@code initial · 2^(n-1)}, at most {@code max}; a success starts
 * over. So a lasting fault (a full disk) is retried less and less often, and compaction resumes
 * within {@code max} of the fault ending. Not thread-safe: one thread owns an instance.
 */
public final class RetryBackoff {
    private final Duration initial;
    private final Duration max;
    private int failures;

    public RetryBackoff(Duration initial, Duration max) {
        this.initial = Objects.requireNonNull(initial, "initial");
        this.max = Objects.requireNonNull(max, "max");
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= max, got " + initial + ", " + max);
        }
    }

    /** Records a failure; returns how long to wait before the next attempt. */
    public Duration failed() {
        failures = failures == Integer.MAX_VALUE ? failures : failures + 1;
        Duration d = initial;
        for (int i = 1; i < failures && d.compareTo(max) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(max) > 0 ? max : d;
    }

    /** Records a success: the next failure waits {@code initial} again. */
    public void succeeded() {
        failures = 0;
    }

    /** Consecutive failures so far. */
    public int failures() {
        return failures;
    }
}
