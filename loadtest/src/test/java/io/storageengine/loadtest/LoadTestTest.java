package io.storageengine.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** LoadTest's option parsing, the server-side count it reads from /metrics, and its table row. */
class LoadTestTest {

    @Test
    void parsesNameValueOptionsAndRejectsStrays() {
        assertThat(LoadTest.parse(new String[] {"--rate", "500", "--transports", "stream"}))
                .isEqualTo(Map.of("rate", "500", "transports", "stream"));
        assertThatThrownBy(() -> LoadTest.parse(new String[] {"--rate"})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LoadTest.parse(new String[] {"rate", "5"})).isInstanceOf(IllegalArgumentException.class);
        assertThat(LoadTest.split(" http, stream ,,")).containsExactly("http", "stream");
    }

    @Test
    void countsTheServersRequestsOfOneRouteOverEveryStatus() {
        String metrics = """
                # HELP se_http_requests_seconds
                se_http_requests_seconds_count{route="page",status="200"} 1500.0
                se_http_requests_seconds_count{route="page",status="503"} 7.0
                se_http_requests_seconds_count{route="grpc_page",status="200"} 42.0
                se_http_requests_seconds_sum{route="page",status="200"} 1.5
                se_http_requests_seconds_count{route="pages",status="200"} 9.0
                """;
        assertThat(LoadTest.countOf(metrics, "page")).isEqualTo(1507);
        assertThat(LoadTest.countOf(metrics, "grpc_page")).isEqualTo(42);
        assertThat(LoadTest.countOf(metrics, "relation")).isZero();
    }

    @Test
    void memoryWatchKeepsThePeakAnonymousResidentSetAgainstTheBudget() {
        MemoryWatch w = new MemoryWatch(java.net.http.HttpClient.newHttpClient(),
                java.net.URI.create("http://127.0.0.1:1")); // nothing listens: only record() feeds it
        try (w) {
            assertThat(w.summary()).contains("not exported");
            w.record("""
                    se_process_memory_resident_bytes{kind="anon"} 6.291456E8
                    se_process_memory_resident_bytes{kind="file"} 9.0E9
                    se_process_memory_budget_bytes 1.610612736E9
                    """);
            w.record("se_process_memory_resident_bytes{kind=\"anon\"} 5.0E8\nse_process_memory_budget_bytes NaN\n");
            assertThat(w.summary()).contains("peak anonymous RSS 600 MiB of its 1536 MiB budget (within)");
            w.record("se_process_memory_resident_bytes{kind=\"anon\"} 2.0E9\n");
            assertThat(w.summary()).contains("OVER the budget");
        }
        assertThat(MemoryWatch.sample("x_total 3\n", MemoryWatch.BUDGET)).isEqualTo(-1);
    }

    @Test
    void aRowHasPercentilesErrorRateAndTheServerCount() {
        LatencyRecorder rec = new LatencyRecorder();
        for (int i = 1; i <= 1000; i++) {
            rec.sent();
            rec.answered(200, i * 1_000L); // 1 µs .. 1 ms
        }
        rec.sent();
        rec.error("overflow");
        String row = LoadTest.row("http", LoadTest.SCENARIOS.get(0), 1000, 1, rec, 1_000_000_000L, 1000, 3);
        assertThat(row).startsWith("| http | sustained | 100 | 1000 | 1000 | ");
        assertThat(row).contains("| 0.10%").contains("(overflow:1)").contains("3 answered 404").endsWith("| 1000 |");
    }
}
