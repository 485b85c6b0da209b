package io.storageengine.pageservice.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.helidon.webserver.WebServer;
import io.storageengine.pageservice.ItResources;
import io.storageengine.pageservice.Main;
import io.storageengine.pageservice.ReadPath;
import io.storageengine.pageservice.config.PageServiceConfig;
import io.storageengine.pageservice.http.internal.BatchCodec;
import io.storageengine.pageservice.metrics.PageMetrics;
import io.storageengine.pageservice.read.ColdPageSource;
import io.storageengine.pageservice.streams.PageStreamsApp;
import io.storageengine.pageservice.topology.ReferenceModel;
import io.storageengine.pageservice.topology.SyntheticWal;
import io.storageengine.schemas.page.Fork;
import io.storageengine.schemas.page.PageKey;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.Lsn;
import io.storageengine.testsupport.KafkaTestBroker;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The whole HTTP path against a real broker: two page-service instances (same application id, so
 * the WAL partitions are split between them) wired exactly as {@link Main} wires them; every page
 * read through either instance, single and batched, equals the reference model, which means pages
 * owned by the other instance were forwarded and relayed correctly.
 */
class PageHttpIT {
    private static final TimelineKey T = TimelineKey.of("a77ca77ca77ca77ca77ca77ca77ca77c", "0000000000000000000000000000beef");
    private static final int PARTITIONS = 4;
    private static final KafkaTestBroker BROKER = KafkaTestBroker.shared();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private record Instance(PageStreamsApp app, WebServer server, PageMetrics metrics, int port) {
    }

    private final ItResources resources = new ItResources();

    @AfterEach
    void cleanUp() throws Exception {
        resources.close();
    }

    private Instance start(String topic, String appId) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path dir = resources.tempDir("page-http-it");
        Map<String, String> env = new java.util.HashMap<>(Map.of(
                "SE_HTTP_HOST", "127.0.0.1", "SE_HTTP_PORT", Integer.toString(port), "SE_ADMIN_PORT", "0",
                "SE_ADVERTISED_HOST", "127.0.0.1", "SE_KAFKA_BOOTSTRAP", BROKER.bootstrapServers(),
                "SE_KAFKA_TOPIC", topic, "SE_KAFKA_APPLICATION_ID", appId, "SE_STATE_DIR", dir.toString(),
                "SE_ROCKSDB_MEMORY_MB", "64", "SE_WAIT_TIMEOUT", "10s"));
        // No standby replicas: this test is about forwarding, and a standby would serve the other
        // instance's pages locally (StandbyTakeoverIT covers standbys).
        env.put("SE_KAFKA_STANDBY_REPLICAS", "0");
        PageServiceConfig config = PageServiceConfig.load(env);
        PageStreamsApp app = PageStreamsApp.start(Main.streamsSettings(config));
        resources.add(app);
        PageMetrics metrics = new PageMetrics();
        Services services = Services.create(config, ReadPath.of(app, ColdPageSource.none(), config.read().waitTimeout(),
                config.read().pageCachePages(), new io.micrometer.core.instrument.simple.SimpleMeterRegistry()),
                app.ownership(), app::ready, metrics);
        WebServer server = Main.start(config.http(), services);
        resources.add(server::stop);
        return new Instance(app, server, metrics, port);
    }

    private static String pagePath(PageKey key, long lsn) {
        return "/v1/tenants/" + key.timeline().tenant() + "/timelines/" + key.timeline().timeline() + "/pages/"
                + key.page().spc() + "/" + key.page().db() + "/" + key.page().rel() + "/" + key.page().block()
                + "?lsn=" + Lsn.format(lsn);
    }

    private static HttpResponse<byte[]> get(Instance i, String path) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + i.port() + path)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void everyPageReadsTheSameThroughEitherInstanceSingleAndBatched() throws Exception {
        String topic = BROKER.createUniqueTopic("wal", PARTITIONS);
        SyntheticWal wal = new SyntheticWal(21, 2_000_000);
        wal.randomRun(T, 80, 1_500, 0.1, 100);
        long end = wal.lsn() + 10;
        wal.watermark(T, end);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(BROKER.producerConfig())) {
            for (SyntheticWal.Event e : wal.events()) {
                if (e.key().length == TimelineKey.SIZE) {
                    for (int p = 0; p < PARTITIONS; p++) {
                        producer.send(new ProducerRecord<>(topic, p, e.key(), e.value()));
                    }
                } else {
                    producer.send(new ProducerRecord<>(topic, e.key(), e.value()));
                }
            }
        }
        String appId = BROKER.uniqueTopic("page-http");
        Instance a = start(topic, appId);
        Instance b = start(topic, appId);
        ReferenceModel model = wal.model();
        List<PageKey> pages = model.pageKeys().subList(0, 40);

        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!(a.app().ready() && b.app().ready() && allOk(a, b, pages, end))) {
            assertThat(System.nanoTime()).as("both instances serve every page").isLessThan(deadline);
            Thread.sleep(250);
        }

        for (PageKey key : pages) {
            ReferenceModel.Expected expected = model.pageAt(key, end);
            for (Instance i : List.of(a, b)) {
                HttpResponse<byte[]> r = get(i, pagePath(key, end));
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).isEqualTo(expected.page());
                assertThat(r.headers().firstValue("Page-Lsn")).hasValue(Lsn.format(expected.pageLsn()));
                assertThat(r.headers().firstValue("Request-Lsn")).hasValue(Lsn.format(end));
            }
        }
        double forwarded = a.metrics().registry().counter("se.forwarded.requests").count()
                + b.metrics().registry().counter("se.forwarded.requests").count();
        assertThat(forwarded).as("pages of the other instance were forwarded").isPositive();

        String body = "{\"lsn\":\"" + Lsn.format(end) + "\",\"pages\":[" + pages.stream().map(k -> "{\"spc\":"
                + k.page().spc() + ",\"db\":" + k.page().db() + ",\"rel\":" + k.page().rel() + ",\"fork\":\""
                + Fork.ofNumber(k.page().forkNum()).label() + "\",\"block\":" + k.page().block() + "}")
                .collect(Collectors.joining(",")) + "]}";
        HttpResponse<byte[]> batch = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.port()
                        + "/v1/tenants/" + T.tenant() + "/timelines/" + T.timeline() + "/pages/batch"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(batch.statusCode()).isEqualTo(200);
        List<BatchCodec.Entry> entries = BatchCodec.decode(batch.body());
        assertThat(entries).hasSize(pages.size());
        for (int k = 0; k < pages.size(); k++) {
            assertThat(entries.get(k).status()).isEqualTo(200);
            assertThat(entries.get(k).body()).isEqualTo(model.pageAt(pages.get(k), end).page());
        }

        HttpResponse<byte[]> status = get(a, "/v1/tenants/" + T.tenant() + "/timelines/" + T.timeline());
        assertThat(status.statusCode()).isEqualTo(200);
    }

    private static boolean allOk(Instance a, Instance b, List<PageKey> pages, long end) throws Exception {
        for (PageKey key : pages) {
            if (get(a, pagePath(key, end)).statusCode() != 200 || get(b, pagePath(key, end)).statusCode() != 200) {
                return false;
            }
        }
        return true;
    }
}
