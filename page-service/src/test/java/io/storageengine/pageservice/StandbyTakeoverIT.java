package io.storageengine.pageservice;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageengine.pageservice.topology.ReferenceModel;
import io.storageengine.pageservice.topology.SyntheticWal;
import io.storageengine.schemas.kafka.Partitioning;
import io.storageengine.schemas.page.PageKey;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.testsupport.FaultTable;
import io.storageengine.testsupport.KafkaTestBroker;
import io.storageengine.testsupport.PrometheusProcess;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two page-service processes (each {@link Main} in its own JVM) in one group with one standby
 * replica per partition ({@code SE_KAFKA_STANDBY_REPLICAS=1}) and static membership, with the
 * default 10 s session timeout and with the broker's minimum, 6 s. Instance A is killed with SIGKILL; instance B must then serve A's
 * partitions: (1) pages already applied before the kill (B's standby replica or, after the
 * takeover, B's active task), and (2) a page version written after the kill, which needs B to
 * become the active owner (after A's session expired) and apply it. Every answer is compared byte
 * for byte with the reference model; a wrong page fails the test at once. Prints both times from
 * the kill; only a generous liveness bound (60 s) is asserted, since the machine running the tests
 * is shared (performance figures belong to benchmarks). A private Prometheus
 * ({@link PrometheusProcess}, monitoring/alerts.yml) scrapes both admin ports; the alerts pending or
 * firing from the kill until B serves the new version are the fault table's alerts column.
 */
class StandbyTakeoverIT {
    private static final TimelineKey T = TimelineKey.of("5a4d5a4d5a4d5a4d5a4d5a4d5a4d5a4d", "00000000000000000000000000000d02");
    private static final int PARTITIONS = 4;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(180);
    private static final Duration LIVENESS = Duration.ofSeconds(60);
    private static final KafkaTestBroker BROKER = KafkaTestBroker.shared();

    private final ItResources resources = new ItResources();
    private final List<ChildPageService> children = new ArrayList<>();
    private PrometheusProcess prometheus;

    @AfterEach
    void cleanUp() throws Exception {
        for (ChildPageService c : children) {
            c.close();
        }
        if (prometheus != null) {
            prometheus.close();
        }
        resources.close();
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, String topic, List<SyntheticWal.Event> events) {
        for (SyntheticWal.Event e : events) {
            if (e.key().length == TimelineKey.SIZE) { // a watermark goes to every partition
                for (int p = 0; p < PARTITIONS; p++) {
                    producer.send(new ProducerRecord<>(topic, p, e.key(), e.value()));
                }
            } else {
                producer.send(new ProducerRecord<>(topic, Partitioning.partitionOf(e.key(), PARTITIONS), e.key(), e.value()));
            }
        }
        producer.flush();
    }

    /** The wal partitions each member (by static instance id prefix) holds as active, once all are assigned. */
    private static Map<Integer, Set<Integer>> awaitAssignment(String appId, String topic, List<ChildPageService> members)
            throws Exception {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        try (Admin admin = BROKER.admin()) {
            while (true) {
                Map<Integer, Set<Integer>> byPort = new HashMap<>();
                int assigned = 0;
                for (MemberDescription m : members(admin, appId)) {
                    for (ChildPageService c : members) {
                        String prefix = appId + "-127.0.0.1-" + c.port();
                        if (m.groupInstanceId().map(id -> id.startsWith(prefix)).orElse(false)) {
                            Set<Integer> parts = new TreeSet<>();
                            for (TopicPartition tp : m.assignment().topicPartitions()) {
                                if (tp.topic().equals(topic)) {
                                    parts.add(tp.partition());
                                }
                            }
                            byPort.put(c.port(), parts);
                            assigned += parts.size();
                        }
                    }
                }
                if (byPort.size() == members.size() && assigned == PARTITIONS
                        && byPort.values().stream().noneMatch(Set::isEmpty)) {
                    return byPort;
                }
                for (ChildPageService c : members) {
                    assertThat(c.alive()).as(c.name() + " alive (see target/it-" + c.name() + ".log)").isTrue();
                }
                assertThat(System.nanoTime()).as("both instances assigned partitions within " + START_TIMEOUT)
                        .isLessThan(deadline);
                Thread.sleep(200);
            }
        }
    }

    /** The group's members; none while the group does not exist yet. */
    private static List<MemberDescription> members(Admin admin, String appId) throws Exception {
        try {
            ConsumerGroupDescription g = admin.describeConsumerGroups(List.of(appId)).all()
                    .get(30, TimeUnit.SECONDS).get(appId);
            return List.copyOf(g.members());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return List.of();
            }
            throw e;
        }
    }

    /**
     * Polls {@code via} for each page at {@code lsn} until every one answers 200; any 200 whose bytes
     * differ from the model fails at once. Returns the millis from {@code t0} to the first correct
     * answer; counts the non-200 answers in {@code problems}.
     */
    private static long awaitCorrect(ChildPageService via, List<PageKey> pages, long lsn, ReferenceModel model,
            long t0, Duration bound, int[] problems) throws InterruptedException {
        long deadline = t0 + bound.toNanos();
        long first = -1;
        for (PageKey key : pages) {
            while (true) {
                ChildPageService.Answer a = via.read(key, lsn);
                if (a.ok()) {
                    assertThat(a.body()).as("page %s at %s via %s", key, lsn, via.name())
                            .isEqualTo(model.pageAt(key, lsn).page());
                    if (first < 0) {
                        first = (System.nanoTime() - t0) / 1_000_000;
                    }
                    break;
                }
                problems[0]++;
                assertThat(via.alive()).as(via.name() + " alive").isTrue();
                assertThat(System.nanoTime()).as("page %s served via %s within %s", key, via.name(), bound)
                        .isLessThan(deadline);
                Thread.sleep(20);
            }
        }
        return first;
    }

    @ParameterizedTest(name = "session timeout {0}")
    @ValueSource(strings = {"10s", "6s"})
    void theSurvivorServesTheKilledInstancesPartitions(String sessionTimeout) throws Exception {
        String topic = BROKER.createUniqueTopic("wal-standby", PARTITIONS);
        BROKER.createTopic(topic + "-relations", 1);
        String appId = BROKER.uniqueTopic("page-standby");
        Map<String, String> common = Map.of(
                "SE_HTTP_HOST", "127.0.0.1", "SE_ADMIN_PORT", "0", "SE_ADVERTISED_HOST", "127.0.0.1",
                "SE_KAFKA_BOOTSTRAP", BROKER.bootstrapServers(), "SE_KAFKA_TOPIC", topic,
                "SE_KAFKA_APPLICATION_ID", appId, "SE_KAFKA_STANDBY_REPLICAS", "1",
                "SE_ROCKSDB_MEMORY_MB", "64", "SE_COLD_ENABLED", "false", "SE_WAIT_TIMEOUT", "2s");
        prometheus = PrometheusProcess.start("standby-" + sessionTimeout);
        List<ChildPageService> both = new ArrayList<>();
        List<String> adminTargets = new ArrayList<>();
        for (String name : List.of("standby-a", "standby-b")) {
            Map<String, String> env = new HashMap<>(common);
            env.put("SE_STATE_DIR", resources.tempDir("page-" + name).toString());
            env.put("SE_KAFKA_SESSION_TIMEOUT", sessionTimeout);
            int adminPort = ChildPageService.freePort(); // a known port for Prometheus to scrape
            env.put("SE_ADMIN_PORT", Integer.toString(adminPort));
            adminTargets.add("127.0.0.1:" + adminPort);
            prometheus.addTarget("page-service", "127.0.0.1:" + adminPort);
            ChildPageService c = ChildPageService.start(name, ChildPageService.freePort(), env);
            children.add(c);
            both.add(c);
        }
        ChildPageService a = both.get(0);
        ChildPageService b = both.get(1);
        Map<Integer, Set<Integer>> assignment = awaitAssignment(appId, topic, both);
        Set<Integer> aParts = assignment.get(a.port());

        SyntheticWal wal = new SyntheticWal(77, 5_000_000);
        wal.randomRun(T, 200, 8_000, 0.2, 100);
        long end = wal.lsn() + 10;
        wal.watermark(T, end);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(BROKER.producerConfig())) {
            send(producer, topic, wal.drain());
            ReferenceModel model = wal.model();
            List<PageKey> aPages = model.pageKeys().stream()
                    .filter(k -> aParts.contains(Partitioning.partitionOf(k, PARTITIONS))).limit(20).toList();
            assertThat(aPages).as("pages in A's partitions %s", aParts).hasSize(20);
            int[] before = {0};
            long warm = System.nanoTime();
            awaitCorrect(b, aPages, end, model, warm, START_TIMEOUT, before); // via B: standby read or forwarded to A
            awaitCorrect(a, aPages, end, model, warm, START_TIMEOUT, before);
            // B's standby replica of A's partitions has loaded the changelog (it serves locally only then).
            Thread.sleep(2_000);
            for (String t : adminTargets) {
                prometheus.awaitScraped("page-service", t, Duration.ofSeconds(30));
            }

            long kill = System.nanoTime();
            Instant killWall = Instant.now();
            a.kill();
            // A version written after the crash: only an active owner applies it, i.e. B after the takeover.
            PageKey fresh = aPages.getFirst();
            long end2 = wal.nextLsn(64);
            wal.image(fresh, end2);
            end2 = end2 + 10;
            wal.watermark(T, end2);
            send(producer, topic, wal.drain());

            int[] oldProblems = {0};
            long oldMs = awaitCorrect(b, aPages, end, model, kill, LIVENESS, oldProblems);
            long oldAllMs = (System.nanoTime() - kill) / 1_000_000;
            int[] newProblems = {0};
            long newMs = awaitCorrect(b, List.of(fresh), end2, model, kill, LIVENESS, newProblems);
            awaitCorrect(b, aPages, end2, model, kill, LIVENESS, newProblems);
            // From the kill until B serves every page of A's partitions at the new LSN (+ PrometheusProcess.SETTLE).
            Instant servedAgain = Instant.now();
            String alerts = prometheus.alertsDuring(killWall, servedAgain,
                    Map.of(adminTargets.get(0), "A", adminTargets.get(1), "B"));
            System.out.printf("StandbyTakeoverIT (session timeout %s): %d pages of A's partitions %s; kill -9 of A to B's first correct "
                            + "page applied before the kill: %d ms (all 20: %d ms, %d non-200 answers meanwhile); "
                            + "to B's first correct page written after the kill: %d ms (%d non-200 answers meanwhile); "
                            + "alerts (A %s, B %s): %s; every alert seen: %s%n",
                    sessionTimeout, aPages.size(), aParts, oldMs, oldAllMs, oldProblems[0], newMs, newProblems[0],
                    adminTargets.get(0), adminTargets.get(1), alerts, prometheus.alertsSeen());
            FaultTable.row("kill -9 one of 2 page services (session " + sessionTimeout + ")", "0", "0",
                    oldProblems[0] + " (new LSNs: " + newProblems[0] + ")",
                    String.format("%.1f s (applied pages: %.2f s)", newMs / 1e3, oldMs / 1e3), alerts);
            // A's scrapes fail from the kill on: the condition PageServiceDown watches (for: 1m) holds at once.
            assertThat(prometheus.alertsSeen(killWall, servedAgain.plus(PrometheusProcess.SETTLE)))
                    .as("PageServiceDown of A (%s) pending after the kill: %s", adminTargets.get(0), alerts)
                    .anyMatch(x -> x.name().equals("PageServiceDown") && !x.activeAt().isBefore(killWall)
                            && adminTargets.get(0).equals(x.labels().get("instance")));
        }
        // B now holds every partition as active.
        Map<Integer, Set<Integer>> after = awaitAssignment(appId, topic, List.of(b));
        assertThat(after.get(b.port())).hasSize(PARTITIONS);
    }
}
