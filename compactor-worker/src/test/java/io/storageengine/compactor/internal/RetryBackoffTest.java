package io.storageengine.compactor.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryBackoffTest {
    @Test
    void doublesPerConsecutiveFailureUpToTheCapAndStartsOverAfterASuccess() {
        RetryBackoff b = new RetryBackoff(Duration.ofSeconds(2), Duration.ofSeconds(15));
        assertThat(b.failed()).isEqualTo(Duration.ofSeconds(2));
        assertThat(b.failed()).isEqualTo(Duration.ofSeconds(4));
        assertThat(b.failed()).isEqualTo(Duration.ofSeconds(8));
        assertThat(b.failed()).isEqualTo(Duration.ofSeconds(15));
        for (int i = 0; i < 100; i++) {
            assertThat(b.failed()).isEqualTo(Duration.ofSeconds(15));
        }
        assertThat(b.failures()).isEqualTo(104);
        b.succeeded();
        assertThat(b.failures()).isZero();
        assertThat(b.failed()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void refusesNonsense() {
        assertThatThrownBy(() -> new RetryBackoff(Duration.ZERO, Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RetryBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
    }
}
