package io.storageengine.pageservice.topology.trim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TrimSettingsTest {
    @Test
    void defaultsAreOnSettle30sEverySecond10000EntriesOr20ms() {
        TrimSettings d = TrimSettings.defaults();
        assertThat(d.enabled()).isTrue();
        assertThat(d.settleDelay()).isEqualTo(Duration.ofSeconds(30));
        assertThat(d.interval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(d.maxEntries()).isEqualTo(10_000);
        assertThat(d.maxTime()).isEqualTo(Duration.ofMillis(20));
    }

    @Test
    void aPassMustBeAllowedSomeWork() {
        Duration s = Duration.ofSeconds(30);
        assertThat(new TrimSettings(false, s, Duration.ofMillis(1), 1, Duration.ofMillis(1)).maxEntries()).isEqualTo(1);
        assertThatThrownBy(() -> new TrimSettings(true, s, Duration.ofNanos(999_999), 1, Duration.ofMillis(1)))
                .hasMessageContaining("cold.trim: interval and max-time must be >= 1 ms, max-entries >= 1");
        assertThatThrownBy(() -> new TrimSettings(true, s, Duration.ofSeconds(1), 0, Duration.ofMillis(1)))
                .hasMessageContaining("max-entries >= 1");
        assertThatThrownBy(() -> new TrimSettings(true, s, Duration.ofSeconds(1), 1, Duration.ZERO))
                .hasMessageContaining("max-time");
        assertThatThrownBy(() -> new TrimSettings(true, null, Duration.ofSeconds(1), 1, Duration.ofMillis(1)))
                .hasMessageContaining("settleDelay");
    }
}
