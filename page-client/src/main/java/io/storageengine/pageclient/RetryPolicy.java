package io.storageengine.pageclient;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Retries of retryable failures (UNAVAILABLE, RESOURCE_EXHAUSTED): at most {@code maxAttempts}
 * attempts in all, waiting {@code initialBackoff × 2^(n-1)} capped at {@code maxBackoff}, with
 * jitter (a uniform factor in [0.5, 1.5)), and never less than the server's retry hint capped at
 * {@code maxBackoff}; no attempt starts after {@code deadline} from the first. Immutable.
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration deadline) {
    public static final RetryPolicy DEFAULT = new RetryPolicy(6, Duration.ofMillis(5), Duration.ofMillis(500),
            Duration.ofSeconds(10));
    public static final RetryPolicy NONE = new RetryPolicy(1, Duration.ZERO, Duration.ZERO, Duration.ofSeconds(10));

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1, got " + maxAttempts);
        }
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(deadline, "deadline");
    }

    /** The wait before attempt {@code attempt + 1} after {@code attempt} failed ones, in nanoseconds. */
    public long backoffNanos(int attempt, long serverHintMs, RandomGenerator random) {
        long max = maxBackoff.toNanos();
        long base = initialBackoff.toNanos() << Math.min(attempt - 1, 30);
        if (base <= 0 || base > max) {
            base = max;
        }
        long jittered = (long) (base * (0.5 + random.nextDouble()));
        long hint = Math.min(Duration.ofMillis(serverHintMs).toNanos(), max);
        return Math.max(jittered, hint);
    }
}
