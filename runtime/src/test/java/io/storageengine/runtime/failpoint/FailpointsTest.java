package io.storageengine.runtime.failpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.storageengine.runtime.admin.AdminServer;
import io.storageengine.runtime.admin.AdminSocket;
import io.storageengine.runtime.admin.Health;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class FailpointsTest {
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void actionsParseAndPrintCanonically() {
        assertThat(FailpointAction.parse("off")).isEqualTo(FailpointAction.OFF);
        assertThat(FailpointAction.parse(" sleep( 200 ) ").sleep()).isEqualTo(Duration.ofMillis(200));
        assertThat(FailpointAction.parse("sleep(2s)").toString()).isEqualTo("sleep(2000)");
        assertThat(FailpointAction.parse("sleep(250us)").toString()).isEqualTo("sleep(250us)");
        FailpointAction e = FailpointAction.parse("error(No space left on device)");
        assertThat(e.kind()).isEqualTo(FailpointAction.Kind.ERROR);
        assertThat(e.message()).isEqualTo("No space left on device");
        assertThat(e.count()).isZero();
        assertThat(FailpointAction.parse("error(disk (really) full)").message()).isEqualTo("disk (really) full");
        assertThat(FailpointAction.parse("error").message()).isNull();
        FailpointAction counted = FailpointAction.parse("3*sleep(10ms)");
        assertThat(counted.count()).isEqualTo(3);
        assertThat(counted.toString()).isEqualTo("3*sleep(10)");
        assertThat(FailpointAction.parse(counted.toString())).isEqualTo(counted);
        assertThat(FailpointAction.parse("2 * error(x)").toString()).isEqualTo("2*error(x)");
        // a '*' inside the message is not a count
        assertThat(FailpointAction.parse("error(a*b)").message()).isEqualTo("a*b");
    }

    @Test
    void badActionsAreRefusedWithAReason() {
        for (String bad : List.of("", "on", "sleep", "sleep()", "sleep(soon)", "sleep(-5)", "error(x", "error(x) y",
                "0*error(x)", "x*error(y)", "2*off", "off(1)", "panic")) {
            assertThatThrownBy(() -> FailpointAction.parse(bad)).as("'%s'", bad)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("null");
        }
    }

    @Test
    void aPointThatIsOffDoesNothingAndCountsNothing() throws IOException {
        Failpoints f = Failpoints.none();
        Failpoint p = f.point("segment-read");
        long t0 = System.nanoTime();
        for (int i = 0; i < 100_000; i++) {
            p.hit();
        }
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
        assertThat(p.hits()).isZero();
        assertThat(p.action()).isEqualTo(FailpointAction.OFF);
        assertThat(p.registered()).isTrue();
    }

    @Test
    void errorThrowsAnIoExceptionWithTheMessageUntilTurnedOff() throws IOException {
        Failpoints f = Failpoints.none();
        Failpoint p = f.point("segment-write");
        assertThat(f.set("segment-write", "error(No space left on device)")).isEqualTo(FailpointAction.OFF);
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(p::hit).isInstanceOf(IOException.class).isInstanceOf(FailpointException.class)
                    .hasMessage("No space left on device");
        }
        assertThat(p.hits()).isEqualTo(3);
        assertThat(f.set("segment-write", "off").toString()).isEqualTo("error(No space left on device)");
        p.hit();
        assertThat(p.hits()).isEqualTo(3);
        f.set("segment-write", "error");
        assertThatThrownBy(p::hit).hasMessage("injected error at failpoint segment-write")
                .satisfies(t -> assertThat(((FailpointException) t).failpoint()).isEqualTo("segment-write"));
    }

    @Test
    void sleepDelaysTheCaller() throws IOException {
        Failpoints f = Failpoints.none();
        Failpoint p = f.point("segment-read");
        f.set("segment-read", "sleep(60)");
        long t0 = System.nanoTime();
        p.hit();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(60));
        assertThat(p.hits()).isEqualTo(1);
    }

    @Test
    void anInterruptedSleepThrowsAndKeepsTheFlag() {
        Failpoints f = Failpoints.none();
        Failpoint p = f.point("slow");
        f.set("slow", "sleep(10s)");
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(p::hit).isInstanceOf(InterruptedIOException.class).hasMessageContaining("slow");
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void aCountedActionActsOnTheNextNHitsOnlyThenTurnsOff() throws IOException {
        Failpoints f = Failpoints.none();
        Failpoint p = f.point("segment-write");
        f.set("segment-write", "2*error(full)");
        assertThat(p.remaining()).isEqualTo(2);
        assertThatThrownBy(p::hit).hasMessage("full");
        assertThatThrownBy(p::hit).hasMessage("full");
        p.hit();
        p.hit();
        assertThat(p.hits()).isEqualTo(2);
        assertThat(p.action()).isEqualTo(FailpointAction.OFF);
        assertThat(p.remaining()).isEqualTo(-1);
    }

    @Test
    void aCountedActionActsExactlyNTimesUnderConcurrentHits() throws Exception {
        Failpoints f = Failpoints.none();
        Failpoint p = f.point("racy");
        f.set("racy", "100*error(x)");
        AtomicInteger thrown = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 1000; i++) {
                    try {
                        p.hit();
                    } catch (IOException e) {
                        thrown.incrementAndGet();
                    }
                }
            }));
        }
        go.countDown();
        for (Thread t : threads) {
            t.join();
        }
        assertThat(thrown.get()).isEqualTo(100);
        assertThat(p.hits()).isEqualTo(100);
        assertThat(p.action().isOff()).isTrue();
    }

    @Test
    void theEnvironmentConfiguresPointsBeforeTheCodeAsksForThem() throws IOException {
        Failpoints f = Failpoints.fromEnvironment(Map.of(Failpoints.ENV,
                "segment-read=sleep(200); segment-write=error(No space left on device)\n"), null);
        assertThat(f.points().keySet()).containsExactly("segment-read", "segment-write");
        assertThat(f.points().get("segment-read").registered()).isFalse();
        Failpoint w = f.point("segment-write");
        assertThat(w.registered()).isTrue();
        assertThatThrownBy(w::hit).hasMessage("No space left on device");
        assertThat(f.point("segment-read").action().sleep()).isEqualTo(Duration.ofMillis(200));
        assertThat(f.active()).containsExactly("segment-read=sleep(200)", "segment-write=error(No space left on device)");
        assertThat(Failpoints.fromEnvironment(Map.of(), null).points()).isEmpty();
        assertThat(Failpoints.fromEnvironment(Map.of(Failpoints.ENV, "  "), null).points()).isEmpty();
    }

    @Test
    void aBadConfigurationNamesTheVariableAndAppliesNothing() {
        assertThatThrownBy(() -> Failpoints.fromEnvironment(Map.of(Failpoints.ENV, "a=sleep(1);b=explode"), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("SE_FAILPOINTS: ")
                .hasMessageContaining("explode");
        Failpoints f = Failpoints.none();
        assertThatThrownBy(() -> f.configure("a=sleep(1);b=explode")).isInstanceOf(IllegalArgumentException.class);
        assertThat(f.points()).isEmpty(); // nothing applied, not even the valid first entry
        for (String bad : List.of("noequals", "=off", "Upper=off", "a b=off", "../x=off")) {
            assertThatThrownBy(() -> f.configure(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void hitsAreExportedPerPoint() throws IOException {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Failpoints f = new Failpoints(registry);
        Failpoint r = f.point("segment-read");
        f.point("segment-write");
        assertThat(registry.scrape()).contains("se_failpoint_hits_total{name=\"segment-read\"} 0.0")
                .contains("se_failpoint_hits_total{name=\"segment-write\"} 0.0");
        f.set("segment-read", "sleep(1)");
        r.hit();
        r.hit();
        assertThat(registry.scrape()).contains("se_failpoint_hits_total{name=\"segment-read\"} 2.0");
    }

    @Test
    void adminRoutesListAndChangePoints() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Failpoints f = new Failpoints(registry);
        Failpoint read = f.point("segment-read");
        try (AdminServer admin = AdminServer.start(new AdminSocket("127.0.0.1", 0, 16384), registry, Health.up(), f)) {
            HttpResponse<String> list = send(admin.port(), "GET", null);
            assertThat(list.statusCode()).isEqualTo(200);
            assertThat(list.headers().firstValue("content-type")).contains("application/json");
            assertThat(list.body()).isEqualTo(
                    "{\"segment-read\":{\"action\":\"off\",\"hits\":0,\"remaining\":-1,\"registered\":true}}");

            HttpResponse<String> put = send(admin.port(), "PUT", "segment-read=sleep(5)");
            assertThat(put.statusCode()).isEqualTo(200);
            assertThat(put.body()).contains("\"segment-read\":{\"action\":\"sleep(5)\"");
            read.hit();
            assertThat(send(admin.port(), "GET", null).body()).contains("\"hits\":1");

            HttpResponse<String> two = send(admin.port(), "PUT", "segment-read=off\nsegment-write=3*error(No space left on device)");
            assertThat(two.statusCode()).isEqualTo(200);
            assertThat(two.body()).contains("\"segment-read\":{\"action\":\"off\"")
                    .contains("\"segment-write\":{\"action\":\"3*error(No space left on device)\",\"hits\":0,"
                            + "\"remaining\":3,\"registered\":false}");

            HttpResponse<String> bad = send(admin.port(), "PUT", "segment-read=sleep(1);segment-write=melt");
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(bad.body()).startsWith("{\"error\":").contains("melt");
            assertThat(read.action().isOff()).as("a refused body changes nothing").isTrue();
            assertThat(send(admin.port(), "PUT", "").statusCode()).isEqualTo(400);
            assertThat(send(admin.port(), "PUT", "x".repeat(FailpointsEndpoint.MAX_BODY + 1)).statusCode()).isEqualTo(413);

            assertThat(send(admin.port(), "GET", null, "/metrics").body())
                    .contains("se_failpoint_hits_total{name=\"segment-read\"} 1.0");
        }
    }

    private static HttpResponse<String> send(int port, String method, String body) throws Exception {
        return send(port, method, body, "/failpoints");
    }

    private static HttpResponse<String> send(int port, String method, String body, String path) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
