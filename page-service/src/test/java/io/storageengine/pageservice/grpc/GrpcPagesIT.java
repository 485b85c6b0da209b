package io.storageengine.pageservice.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.Status;
import io.helidon.webserver.WebServer;
import io.storageengine.pageclient.PageClient;
import io.storageengine.pageclient.PageException;
import io.storageengine.pageclient.PageRequest;
import io.storageengine.pageclient.PageResult;
import io.storageengine.pageclient.RetryPolicy;
import io.storageengine.pageservice.ItResources;
import io.storageengine.pageservice.Main;
import io.storageengine.pageservice.ReadPath;
import io.storageengine.pageservice.config.PageServiceConfig;
import io.storageengine.pageservice.http.Services;
import io.storageengine.pageservice.metrics.PageMetrics;
import io.storageengine.pageservice.read.ColdPageSource;
import io.storageengine.pageservice.relations.RelationHistory;
import io.storageengine.pageservice.relations.RelationReader;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The streaming page API against a real broker: two page-service instances (same application id,
 * the WAL partitions split between them), each with its HTTP and gRPC servers wired as
 * {@link Main} wires them. A {@link PageClient} on both instances reads every page over the stream;
 * each equals the reference model and the HTTP route's bytes: round-robin (pages the asked instance
 * does not own are forwarded to their owner), then routed by {@code GetRouting} straight to the
 * owner (nothing forwarded). Bad input (unknown timeline, a block never written, malformed ids
 * and forks) gets the same outcome as on HTTP, as a status, and the service keeps serving.
 */
class GrpcPagesIT {
    private static final TimelineKey T = TimelineKey.of("a77ca77ca77ca77ca77ca77ca77ca77c", "0000000000000000000000000000feed");
    private static final int PARTITIONS = 4;
    private static final KafkaTestBroker BROKER = KafkaTestBroker.shared();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Instance(PageStreamsApp app, int httpPort, int grpcPort, PageMetrics metrics) {
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
        Path dir = resources.tempDir("grpc-pages-it");
        PageServiceConfig config = PageServiceConfig.load(with(Map.of("SE_GRPC_PORT", "0", "SE_RATE_LIMIT", "100000",
                "SE_WAIT_TIMEOUT", "10s",
                // it tests forwarding: with a standby each instance would serve the other's pages itself
                "SE_KAFKA_STANDBY_REPLICAS", "0"), Map.of(
                "SE_HTTP_HOST", "127.0.0.1", "SE_HTTP_PORT", Integer.toString(port), "SE_ADMIN_PORT", "0",
                "SE_ADVERTISED_HOST", "127.0.0.1", "SE_KAFKA_BOOTSTRAP", BROKER.bootstrapServers(),
                "SE_KAFKA_TOPIC", topic, "SE_KAFKA_APPLICATION_ID", appId, "SE_STATE_DIR", dir.toString(),
                "SE_ROCKSDB_MEMORY_MB", "64")));
        PageStreamsApp app = PageStreamsApp.start(Main.streamsSettings(config));
        resources.add(app);
        PageMetrics metrics = new PageMetrics();
        Services services = Services.create(config, ReadPath.of(app, ColdPageSource.none(), config.read().waitTimeout()),
                app.ownership(), app::ready, metrics);
        WebServer server = Main.start(config.http(), services);
        resources.add(server::stop);
        GrpcServer grpc = GrpcServer.start("127.0.0.1", "127.0.0.1", config.grpc(), services,
                new RelationReader(new RelationHistory(), t -> Lsn.ZERO, config.read().waitTimeout()));
        resources.add(grpc);
        return new Instance(app, port, grpc.port(), metrics);
    }

    private static Map<String, String> with(Map<String, String> a, Map<String, String> b) {
        Map<String, String> all = new java.util.HashMap<>(a);
        all.putAll(b);
        return all;
    }

    @Test
    void everyPageReadOverTheStreamEqualsTheHttpRouteAndTheModel() throws Exception {
        String topic = BROKER.createUniqueTopic("wal", PARTITIONS);
        SyntheticWal wal = new SyntheticWal(33, 2_000_000);
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
        String appId = BROKER.uniqueTopic("grpc-pages");
        Instance a = start(topic, appId);
        Instance b = start(topic, appId);
        ReferenceModel model = wal.model();
        List<PageKey> pages = model.pageKeys().subList(0, 40);

        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!(a.app().ready() && b.app().ready() && allOk(a, b, pages, end))) {
            assertThat(System.nanoTime()).as("both instances serve every page").isLessThan(deadline);
            Thread.sleep(250);
        }

        PageClient client = PageClient.builder().target("127.0.0.1:" + a.grpcPort()).target("127.0.0.1:" + b.grpcPort())
                .retry(RetryPolicy.DEFAULT).routingRefresh(null).build(); // round-robin: half the pages forwarded
        resources.add(client);
        List<PageRequest> requests = new ArrayList<>();
        for (PageKey key : pages) {
            requests.add(request(key, end));
        }
        for (int round = 0; round < 3; round++) { // every page through both instances (round-robin)
            List<PageResult> results = client.getPages(requests).get(60, TimeUnit.SECONDS);
            for (int i = 0; i < pages.size(); i++) {
                PageKey key = pages.get(i);
                ReferenceModel.Expected expected = model.pageAt(key, end);
                HttpResponse<byte[]> http = get(a, pagePath(key, end));
                assertThat(results.get(i).bytes()).isEqualTo(expected.page()).isEqualTo(http.body());
                assertThat(Lsn.format(results.get(i).pageLsn())).isEqualTo(http.headers().firstValue("Page-Lsn").orElseThrow());
                assertThat(results.get(i).requestLsn()).isEqualTo(end);
            }
        }
        assertThat(forwarded(a, b)).as("pages of the other instance were forwarded").isPositive();
        assertThat(a.metrics().scrape() + b.metrics().scrape()).contains("grpc_page");

        // routed straight to the owners: nothing forwarded
        PageClient routed = PageClient.builder().target("127.0.0.1:" + a.grpcPort()).target("127.0.0.1:" + b.grpcPort())
                .build();
        resources.add(routed);
        while (routed.refreshRouting() < PARTITIONS) {
            assertThat(System.nanoTime()).as("both instances report all partition owners").isLessThan(deadline);
            Thread.sleep(250);
        }
        double before = forwarded(a, b);
        List<PageResult> direct = routed.getPages(requests).get(60, TimeUnit.SECONDS);
        for (int i = 0; i < pages.size(); i++) {
            assertThat(direct.get(i).bytes()).isEqualTo(model.pageAt(pages.get(i), end).page());
        }
        assertThat(forwarded(a, b)).as("no page forwarded when routed to its owner").isEqualTo(before);
        assertThat(routed.metrics().find("se.client.page.routed").tag("to", "owner").counter().count())
                .isEqualTo(pages.size());

        // bad input: the HTTP route's outcome, as a status; the stream and the service keep serving
        PageClient once = PageClient.builder().target("127.0.0.1:" + a.grpcPort()).retry(RetryPolicy.NONE).build();
        resources.add(once);
        PageKey first = pages.get(0);
        TimelineKey unknown = TimelineKey.of("a77ca77ca77ca77ca77ca77ca77ca77c", "00000000000000000000000000000bad");
        assertSameOutcome(once, a, new PageRequest(unknown.tenant().toString(), unknown.timeline().toString(),
                first.page().spc(), first.page().db(), first.page().rel(), "main", first.page().block(), end, 0));
        assertSameOutcome(once, a, new PageRequest(T.tenant().toString(), T.timeline().toString(), first.page().spc(),
                first.page().db(), first.page().rel(), Fork.ofNumber(first.page().forkNum()).label(), 4_000_000_000L,
                end, 0));
        assertSameOutcome(once, a, new PageRequest("zz", T.timeline().toString(), 1663, 0, 1, "main", 0, end, 0));
        assertSameOutcome(once, a, new PageRequest(T.tenant().toString(), T.timeline().toString(), 1663, 0, 1, "nope",
                0, end, 0));
        assertThat(once.getPage(request(first, end)).get(30, TimeUnit.SECONDS).bytes())
                .isEqualTo(model.pageAt(first, end).page());

        PageClient.TimelineStatus status = once.timelineStatus(T.tenant().toString(), T.timeline().toString());
        JsonNode httpStatus = JSON.readTree(get(a, "/v1/tenants/" + T.tenant() + "/timelines/" + T.timeline()).body());
        assertThat(Lsn.format(status.lastAppliedLsn())).isEqualTo(httpStatus.get("last_applied_lsn").asText());
        PageException unknownStatus = catchThrowableOfType(PageException.class,
                () -> once.timelineStatus(unknown.tenant().toString(), unknown.timeline().toString()));
        assertThat(unknownStatus.httpStatus()).isEqualTo(get(a, "/v1/tenants/" + unknown.tenant() + "/timelines/"
                + unknown.timeline()).statusCode());
    }

    private static double forwarded(Instance a, Instance b) {
        return a.metrics().registry().counter("se.forwarded.requests").count()
                + b.metrics().registry().counter("se.forwarded.requests").count();
    }

    /** The stream's problem for {@code r} has the HTTP route's status and problem type. */
    private static void assertSameOutcome(PageClient client, Instance i, PageRequest r) throws Exception {
        Throwable t = catchThrowableOfType(CompletionException.class, () -> client.getPage(r).join()).getCause();
        assertThat(t).isInstanceOf(PageException.class);
        PageException e = (PageException) t;
        String path = "/v1/tenants/" + r.tenant() + "/timelines/" + r.timeline() + "/pages/" + r.spc() + "/" + r.db()
                + "/" + r.rel() + "/" + r.block() + "?lsn=" + Lsn.format(r.lsn()) + "&fork=" + r.fork();
        HttpResponse<byte[]> http = get(i, path);
        assertThat(e.httpStatus()).as(e.getMessage()).isEqualTo(http.statusCode()).isGreaterThanOrEqualTo(400);
        assertThat(e.type()).isEqualTo(JSON.readTree(http.body()).get("type").asText());
        assertThat(e.code()).isNotEqualTo(Status.Code.OK);
    }

    private static PageRequest request(PageKey key, long lsn) {
        return new PageRequest(key.timeline().tenant().toString(), key.timeline().timeline().toString(),
                key.page().spc(), key.page().db(), key.page().rel(), Fork.ofNumber(key.page().forkNum()).label(),
                key.page().block(), lsn, 0);
    }

    private static String pagePath(PageKey key, long lsn) {
        return "/v1/tenants/" + key.timeline().tenant() + "/timelines/" + key.timeline().timeline() + "/pages/"
                + key.page().spc() + "/" + key.page().db() + "/" + key.page().rel() + "/" + key.page().block()
                + "?lsn=" + Lsn.format(lsn) + "&fork=" + key.page().forkNum();
    }

    private static HttpResponse<byte[]> get(Instance i, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + i.httpPort() + path)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
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
