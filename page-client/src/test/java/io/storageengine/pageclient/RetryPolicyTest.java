package io.storageengine.pageclient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** Exponential backoff with jitter, the cap, and the server's hint. */
class RetryPolicyTest {
    private final RetryPolicy policy = new RetryPolicy(10, Duration.ofMillis(10), Duration.ofMillis(200),
            Duration.ofSeconds(5));

    @Test
    void doublesWithJitterUpToTheCap() {
        RandomGenerator random = new SplittableRandom(7);
        for (int attempt = 1; attempt <= 8; attempt++) {
            long base = Math.min(10L << (attempt - 1), 200) * 1_000_000L;
            for (int i = 0; i < 100; i++) {
                long d = policy.backoffNanos(attempt, 0, random);
                assertThat(d).isGreaterThanOrEqualTo(base / 2).isLessThan(base * 3 / 2);
            }
        }
        assertThat(policy.backoffNanos(40, 0, random)).isLessThan(300_000_000L); // no overflow far out
    }

    @Test
    void theServerHintIsALowerBoundCappedByTheMaximum() {
        RandomGenerator random = new SplittableRandom(1);
        assertThat(policy.backoffNanos(1, 150, random)).isGreaterThanOrEqualTo(150_000_000L);
        assertThat(policy.backoffNanos(1, 60_000, random)).isLessThan(300_000_000L).isGreaterThanOrEqualTo(200_000_000L);
    }

    @Test
    void rejectsNoAttempts() {
        assertThatThrownBy(() -> new RetryPolicy(0, Duration.ZERO, Duration.ZERO, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
