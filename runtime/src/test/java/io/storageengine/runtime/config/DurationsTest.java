package io.storageengine.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
    @Test
    void unitsFromNanosecondsToDays() {
        assertThat(Durations.parse("7ns")).isEqualTo(Duration.ofNanos(7));
        assertThat(Durations.parse("250us")).isEqualTo(Duration.ofNanos(250_000));
        assertThat(Durations.parse("100ms")).isEqualTo(Duration.ofMillis(100));
        assertThat(Durations.parse("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Durations.parse("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Durations.parse("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(Durations.parse("2d")).isEqualTo(Duration.ofDays(2));
        assertThat(Durations.parse(" 10 s ")).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void aBareNumberIsMilliseconds() {
        assertThat(Durations.parse("15")).isEqualTo(Duration.ofMillis(15));
        assertThat(Durations.parse("0")).isZero();
    }

    @Test
    void iso8601() {
        assertThat(Durations.parse("PT0.1S")).isEqualTo(Duration.ofMillis(100));
        assertThat(Durations.parse("PT1M")).isEqualTo(Duration.ofMinutes(1));
        assertThat(Durations.parse("pt2h")).isEqualTo(Duration.ofHours(2));
    }

    @Test
    void malformedNegativeAndHugeValuesAreRefusedWithTheText() {
        assertThatThrownBy(() -> Durations.parse("ten minutes")).hasMessageContaining("'ten minutes'")
                .hasMessageContaining("100ms");
        assertThatThrownBy(() -> Durations.parse("5 sec")).hasMessageContaining("'5 sec'");
        assertThatThrownBy(() -> Durations.parse("1.5s")).hasMessageContaining("'1.5s'");
        assertThatThrownBy(() -> Durations.parse("-5s")).hasMessageContaining("'-5s'");
        assertThatThrownBy(() -> Durations.parse("PT-1S")).hasMessageContaining("negative");
        assertThatThrownBy(() -> Durations.parse("PTxS")).hasMessageContaining("'PTxS'");
        assertThatThrownBy(() -> Durations.parse("99999999999999999999d")).hasMessageContaining("too large");
        assertThatThrownBy(() -> Durations.parse("9223372036854775807us")).hasMessageContaining("too large");
        assertThatThrownBy(() -> Durations.parse("")).isInstanceOf(IllegalArgumentException.class);
    }
}
