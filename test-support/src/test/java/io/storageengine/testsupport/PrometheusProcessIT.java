package io.storageengine.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A private Prometheus with the repository's rules against a fake page service's /metrics: a
 * readiness drop makes PageServiceNotReady pending (not firing: its for: is 2 minutes), a dead
 * target PageServiceDown; close() kills it and deletes its data.
 */
class PrometheusProcessIT {

    @Test
    void seesPendingAlertsOfAFakePageServiceAndCleansUp() throws Exception {
        AtomicReference<String> body = new AtomicReference<>("se_ready 1\n");
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/metrics", ex -> {
            byte[] b = body.get().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.start();
        String target = "127.0.0.1:" + server.getAddress().getPort();
        PrometheusProcess prom;
        try {
            prom = PrometheusProcess.start("self-test");
        } catch (RuntimeException e) {
            server.stop(0);
            throw e;
        }
        Path rules;
        try {
            prom.addTarget("page-service", target);
            prom.addTarget("page-service", target); // twice: no change
            prom.awaitScraped("page-service", target, Duration.ofSeconds(30));
            Instant from = Instant.now();
            assertThat(prom.alertsSeen(from, from)).isEmpty();

            body.set("se_ready 0\n");
            awaitAlert(prom, "PageServiceNotReady");
            server.stop(0);
            awaitAlert(prom, "PageServiceDown");
            String during = prom.alertsDuring(from, Instant.now());
            assertThat(during).contains("PageServiceNotReady pending +", "PageServiceDown pending +")
                    .doesNotContain("firing", "active before");
            assertThat(during.indexOf("PageServiceNotReady")).as("in the order raised").isLessThan(during.indexOf("PageServiceDown"));
            List<PrometheusProcess.Alert> seen = prom.alertsSeen();
            assertThat(seen).allSatisfy(a -> {
                assertThat(a.labels()).containsEntry("job", "page-service").containsEntry("instance", target);
                assertThat(a.state()).isEqualTo("pending");
            });
            rules = prom.rules();
            System.out.println("PrometheusProcessIT: " + during + " (" + prom + ")");
        } finally {
            server.stop(0);
            prom.close();
        }
        assertThat(rules).as("the repository's rule file stays").isRegularFile();
        assertThat(prom.alertsDropped()).isZero();
        assertThat(prom.dir()).as("configuration and data deleted").doesNotExist();
    }

    private static void awaitAlert(PrometheusProcess prom, String name) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (prom.alertsSeen().stream().noneMatch(a -> a.name().equals(name))) {
            assertThat(System.nanoTime()).as(name + " pending within 30 s").isLessThan(deadline);
            Thread.sleep(200);
        }
    }
}
