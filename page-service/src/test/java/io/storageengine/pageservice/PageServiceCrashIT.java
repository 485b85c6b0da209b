package io.storageengine.pageservice;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageengine.pageservice.topology.ReferenceModel;
import io.storageengine.pageservice.topology.SyntheticWal;
import io.storageengine.schemas.page.PageKey;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.Lsn;
import io.storageengine.testsupport.KafkaTestBroker;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * kill -9 of a page-service process (a real {@link Main} in its own JVM, on a real broker), then a
 * restart with the same configuration (same advertised address, hence the same static group
 * membership id, same state directory): the restarted process serves again, and every page it
 * serves is byte for byte what the killed one served, and what the reference model says. Prints
 * the time from the restart to the first 200 of a page read; timings are not asserted (the
 * machine running the tests is shared).
 */
class PageServiceCrashIT {
    private static final TimelineKey T = TimelineKey.of("c7a5c7a5c7a5c7a5c7a5c7a5c7a5c7a5", "00000000000000000000000000000c01");
    private static final int PARTITIONS = 4;
    private static final Duration TIMEOUT = Duration.ofSeconds(180);
    private static final KafkaTestBroker BROKER = KafkaTestBroker.shared();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private final ItResources resources = new ItResources();
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (Process p : processes) {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
        resources.close();
    }

    private Process spawn(Map<String, String> env, String name) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-Xmx384m", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Main.class.getName());
        pb.environment().putAll(env);
        pb.redirectErrorStream(true);
        pb.redirectOutput(Path.of("target", "it-" + name + ".log").toFile());
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String pagePath(PageKey key, long lsn) {
        return "/v1/tenants/" + key.timeline().tenant() + "/timelines/" + key.timeline().timeline() + "/pages/"
                + key.page().spc() + "/" + key.page().db() + "/" + key.page().rel() + "/" + key.page().block()
                + "?lsn=" + Lsn.format(lsn);
    }

    /** The page's body on a 200, null on any other answer or when nothing listens yet. */
    private static byte[] read(int port, PageKey key, long lsn) {
        try {
            HttpResponse<byte[]> r = CLIENT.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + pagePath(key, lsn))).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            return r.statusCode() == 200 ? r.body() : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static byte[] awaitPage(Process p, int port, PageKey key, long lsn) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            byte[] page = read(port, key, lsn);
            if (page != null) {
                return page;
            }
            assertThat(p.isAlive()).as("page service process alive (see target/it-*.log)").isTrue();
            assertThat(System.nanoTime()).as("page served within " + TIMEOUT).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    @Test
    void aKilledPageServiceRestartsAndServesTheSamePages() throws Exception {
        String topic = BROKER.createUniqueTopic("wal-crash", PARTITIONS);
        BROKER.createTopic(topic + "-relations", 1);
        SyntheticWal wal = new SyntheticWal(33, 3_000_000);
        wal.randomRun(T, 120, 6_000, 0.2, 100);
        long end = wal.lsn() + 10;
        wal.watermark(T, end);
        int records = 0;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(BROKER.producerConfig())) {
            for (SyntheticWal.Event e : wal.events()) {
                if (e.key().length == TimelineKey.SIZE) {
                    for (int p = 0; p < PARTITIONS; p++) {
                        producer.send(new ProducerRecord<>(topic, p, e.key(), e.value()));
                    }
                } else {
                    producer.send(new ProducerRecord<>(topic, e.key(), e.value()));
                }
                records++;
            }
        }
        Path state = resources.tempDir("page-crash-it");
        String appId = BROKER.uniqueTopic("page-crash");
        int port = freePort();
        Map<String, String> env = new HashMap<>(Map.of(
                "SE_HTTP_HOST", "127.0.0.1", "SE_HTTP_PORT", Integer.toString(port), "SE_ADMIN_PORT", "0",
                "SE_ADVERTISED_HOST", "127.0.0.1", "SE_KAFKA_BOOTSTRAP", BROKER.bootstrapServers(),
                "SE_KAFKA_TOPIC", topic, "SE_KAFKA_APPLICATION_ID", appId,
                "SE_STATE_DIR", state.toString(), "SE_ROCKSDB_MEMORY_MB", "64", "SE_COLD_ENABLED", "false"));
        env.put("SE_WAIT_TIMEOUT", "2s");
        env.put("SE_GRPC_PORT", "0"); // a free port: never the default 8090 of a stack on this host
        ReferenceModel model = wal.model();
        List<PageKey> pages = model.pageKeys().subList(0, 30);

        Process first = spawn(env, "page-crash-first");
        List<byte[]> before = new ArrayList<>();
        for (PageKey key : pages) {
            before.add(awaitPage(first, port, key, end));
        }
        for (int i = 0; i < pages.size(); i++) {
            assertThat(before.get(i)).as("page %s before the crash", pages.get(i))
                    .isEqualTo(model.pageAt(pages.get(i), end).page());
        }

        first.destroyForcibly(); // SIGKILL: no shutdown hook, no leave-group, state dir left as it was
        assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();

        long restart = System.nanoTime();
        Process second = spawn(env, "page-crash-second");
        byte[] firstAfter = awaitPage(second, port, pages.getFirst(), end);
        long firstOkMillis = (System.nanoTime() - restart) / 1_000_000;
        System.out.printf("PageServiceCrashIT: %d WAL records on %d partitions; restart to first 200: %d ms%n",
                records, PARTITIONS, firstOkMillis);
        assertThat(firstAfter).isEqualTo(before.getFirst());
        for (int i = 0; i < pages.size(); i++) {
            assertThat(awaitPage(second, port, pages.get(i), end)).as("page %s after the restart", pages.get(i))
                    .isEqualTo(before.get(i));
        }

        // The restarted process joined with the static membership id derived from its address.
        String expectedId = appId + "-127.0.0.1-" + port;
        Collection<MemberDescription> members;
        try (Admin admin = BROKER.admin()) {
            members = admin.describeConsumerGroups(List.of(appId)).all().get(30, TimeUnit.SECONDS).get(appId).members();
        }
        assertThat(members).isNotEmpty().allSatisfy(m -> assertThat(m.groupInstanceId()).hasValueSatisfying(
                id -> assertThat(id).startsWith(expectedId)));

        second.destroy(); // SIGTERM: graceful stop, leaves the group
        assertThat(second.waitFor(60, TimeUnit.SECONDS)).as("graceful stop").isTrue();
    }
}
