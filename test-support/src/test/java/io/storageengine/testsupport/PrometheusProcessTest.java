package io.storageengine.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link PrometheusProcess}'s pure parts: the binary lookup's failure message, the rule file, the table cell. */
class PrometheusProcessTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void aMissingBinaryFailsWithWhatToInstall() {
        assertThatThrownBy(() -> PrometheusProcess.binary(Map.of("SE_PROMETHEUS_BIN", "/nonexistent/prometheus")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("SE_PROMETHEUS_BIN=/nonexistent/prometheus")
                .hasMessageContaining("apt-get install prometheus");
    }

    @Test
    void theRuleFileIsTheRepositorys() {
        assertThat(PrometheusProcess.rulesFile()).endsWith(java.nio.file.Path.of("monitoring", "alerts.yml")).isRegularFile();
    }

    @Test
    void describeNamesEachAlertOnceWithStateAndTimesFromTheFaultStart() {
        List<PrometheusProcess.Alert> seen = List.of(
                new PrometheusProcess.Alert("PageServiceNotReady", Map.of("instance", "a"), T0.minusSeconds(5), null,
                        T0.plusSeconds(3)),
                new PrometheusProcess.Alert("PageServiceDown", Map.of("instance", "a"), T0.plusMillis(1800),
                        T0.plusMillis(62_000), T0.plusSeconds(70)),
                new PrometheusProcess.Alert("PageServiceDown", Map.of("instance", "b"), T0.plusSeconds(4), null,
                        T0.plusSeconds(9)));
        assertThat(PrometheusProcess.describe(seen, T0)).isEqualTo(
                "PageServiceDown pending +1.8 s, firing +62.0 s (2 instances); active before: PageServiceNotReady");
        assertThat(PrometheusProcess.describe(seen.subList(0, 1), T0)).isEqualTo("active before: PageServiceNotReady");
        assertThat(PrometheusProcess.describe(List.of(), T0)).isEqualTo("none");
        assertThat(PrometheusProcess.describe(seen, T0, Map.of("a", "A", "b", "B"))).isEqualTo(
                "PageServiceDown pending +1.8 s, firing +62.0 s (2 instances) on A, B; active before: PageServiceNotReady");
        assertThat(PrometheusProcess.describe(seen.subList(1, 2), T0, Map.of("b", "B")))
                .isEqualTo("PageServiceDown pending +1.8 s, firing +62.0 s");
    }
}
