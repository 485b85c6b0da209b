package io.storageengine.pageservice;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.storageengine.pageservice.topology.ReferenceModel;
import io.storageengine.pageservice.topology.SyntheticWal;
import io.storageengine.schemas.page.PageKey;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.testsupport.FaultTable;
import io.storageengine.testsupport.KafkaBrokerProcess;
import io.storageengine.testsupport.LocalPostgres;
import io.storageengine.testsupport.PrometheusProcess;
import io.storageengine.testsupport.TcpProxy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Faults under continuous ingest and continuous checked reads, one per test, with a summary table
 * printed at the end (fault, acknowledged records lost, wrong pages, 5xx during the fault, time
 * until serving again). The Kafka broker runs in its own JVM ({@link KafkaBrokerProcess}) and
 * advertises a {@link TcpProxy} in front of it, so every connection of every client (this test's
 * ingest producer, the page service's consumers, producers and admin) goes through the proxy. The
 * page service is a real {@link Main} in a child JVM. Faults: the broker unreachable for 30 s
 * (the proxy stops forwarding; clients see timeouts, not resets), kill -9 of the broker and a
 * restart 10 s later, kill -9 of the page service and a restart on the same state directory, a
 * crash of the catalog PostgreSQL (a private server; {@code pg_ctl -m immediate}) and a restart 15 s
 * later while the page service's cold tier uses it.
 *
 * <p>The WAL is generated up front, so the reference model is complete and read-only while
 * threads use it. Ingest sends it paced (about a minute) with an idempotent acks=all producer and
 * tracks the newest watermark acknowledged on every partition; two readers ask random pages at that
 * LSN and compare every 200 with the model. Asserted: no wrong page at any time, no acknowledged
 * record lost (the topic holds exactly the records sent, none failed, and every page at the final
 * LSN equals the model), serving again within a liveness bound. Times are printed, not asserted.
 * A private Prometheus ({@link PrometheusProcess}, monitoring/alerts.yml as written) scrapes the page
 * service's admin port (a fixed port, kept across its restart, so one {@code instance}); the alerts
 * pending or firing from the fault's start until serving again are printed in the table (reported,
 * not asserted: most rules have a {@code for:} longer than the fault).
 */
class FaultsUnderLoadIT {
    private static final TimelineKey T = TimelineKey.of("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "0000000000000000000000000000b0b0");
    private static final int PARTITIONS = 4;
    private static final String TOPIC = "wal";
    private static final Duration LIVENESS = Duration.ofSeconds(120);
    private static final List<String> TABLE = new CopyOnWriteArrayList<>();
    /** The last path segment of a problem's {@code type} URI (its slug). */

    private final ItResources resources = new ItResources();

    @AfterEach
    void cleanUp() throws Exception {
        resources.close();
    }

    @AfterAll
    static void printTable() {
        System.out.printf("%nFaultsUnderLoadIT summary (serving again: first correct page at an LSN acknowledged "
                + "after the fault ended)%n%-36s %10s %6s %10s %9s %10s %16s %14s   %s%n", "fault", "acked lost", "wrong",
                "5xx during", "5xx after", "no answer", "serving again:", "after its end",
                "alerts pending/firing (from the fault's start)");
        TABLE.forEach(System.out::println);
    }

    /** The system under test and its load; what a fault may act on. */
    private final class Stack {
        final TcpProxy proxy;
        final KafkaBrokerProcess broker;
        final String bootstrap;
        final Map<String, String> pageEnv;
        final AtomicReference<ChildPageService> page = new AtomicReference<>();
        final AtomicInteger restarts = new AtomicInteger();
        final LocalPostgres catalog; // null unless the test needs a catalog of its own
        final String label; // in the page-service log names: target/it-fault-<label>-page-<n>.log
        final PrometheusProcess prometheus; // monitoring/alerts.yml over the page service's admin port
        final String adminTarget; // 127.0.0.1:<admin port>, the same across restarts (one instance label)

        Stack(String label, boolean withCatalog) throws Exception {
            this.label = label;
            prometheus = PrometheusProcess.start("fault-" + label);
            resources.add(prometheus);
            adminTarget = "127.0.0.1:" + ChildPageService.freePort();
            prometheus.addTarget("page-service", adminTarget);
            int brokerPort = KafkaBrokerProcess.freePort();
            proxy = TcpProxy.start(brokerPort);
            resources.add(proxy);
            bootstrap = "127.0.0.1:" + proxy.port();
            broker = KafkaBrokerProcess.create(resources.tempDir("fault-broker"), brokerPort, bootstrap);
            resources.add(broker);
            broker.start();
            KafkaBrokerProcess.createTopics(bootstrap, Map.of(TOPIC, PARTITIONS, TOPIC + "-relations", 1));
            pageEnv = new HashMap<>(Map.of(
                    "SE_HTTP_HOST", "127.0.0.1", "SE_ADMIN_PORT", adminTarget.substring(adminTarget.indexOf(':') + 1),
                    "SE_ADVERTISED_HOST", "127.0.0.1", "SE_KAFKA_BOOTSTRAP", bootstrap, "SE_KAFKA_TOPIC", TOPIC, "SE_KAFKA_APPLICATION_ID", "page-fault",
                    "SE_STATE_DIR", resources.tempDir("fault-state").toString(), "SE_ROCKSDB_MEMORY_MB", "64",
                    "SE_COLD_ENABLED", "false", "SE_WAIT_TIMEOUT", "1s"));
            if (withCatalog) { // the cold tier on a private PostgreSQL (no segments: the map stays empty)
                catalog = LocalPostgres.startPrivate();
                resources.add(catalog::discard);
                pageEnv.put("SE_COLD_ENABLED", "true");
                pageEnv.put("SE_CATALOG_URL", catalog.jdbcUrl(catalog.createDatabase("fault_catalog")));
                pageEnv.put("SE_CATALOG_USER", catalog.user());
                pageEnv.put("SE_CATALOG_PASSWORD", catalog.password());
                pageEnv.put("SE_SEGMENT_DIR", resources.tempDir("fault-segments").toString());
            } else {
                catalog = null;
            }
            page.set(startPage(ChildPageService.freePort()));
        }

        ChildPageService startPage(int port) throws Exception {
            ChildPageService c = ChildPageService.start("fault-" + label + "-page-" + restarts.incrementAndGet(), port,
                    pageEnv);
            resources.add(c);
            return c;
        }
    }

    /** A fault: {@code inject} starts it, {@code end} ends it (heal, restart). */
    private interface Fault {
        void inject(Stack s) throws Exception;

        void end(Stack s) throws Exception;
    }

    /** Counts of read answers in one phase of the test. */
    private static final class Phase {
        final boolean afterFault;
        final AtomicInteger ok = new AtomicInteger();
        final AtomicInteger wrong = new AtomicInteger();
        final AtomicInteger serverErrors = new AtomicInteger();
        final AtomicInteger noAnswer = new AtomicInteger();
        final Map<Integer, AtomicInteger> byStatus = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> problems = new ConcurrentHashMap<>(); // 5xx by problem type slug

        Phase(boolean afterFault) {
            this.afterFault = afterFault;
        }

        @Override
        public String toString() {
            return "200 correct " + ok + ", 200 wrong " + wrong + ", 5xx " + serverErrors + ", no answer " + noAnswer
                    + " " + byStatus + (problems.isEmpty() ? "" : " problems " + problems);
        }
    }

    @Test
    void brokerUnreachableFor30s() throws Exception {
        run("broker unreachable 30 s (TCP proxy)", new Fault() {
            @Override
            public void inject(Stack s) throws InterruptedException {
                s.proxy.partition();
                Thread.sleep(30_000);
            }

            @Override
            public void end(Stack s) {
                s.proxy.heal();
            }
        });
    }

    @Test
    void brokerKilledAndRestarted() throws Exception {
        run("kill -9 broker, restart after 10 s", new Fault() {
            @Override
            public void inject(Stack s) throws InterruptedException {
                s.broker.kill();
                Thread.sleep(10_000);
            }

            @Override
            public void end(Stack s) throws Exception {
                s.broker.start();
            }
        });
    }

    @Test
    void pageServiceKilledAndRestarted() throws Exception {
        run("kill -9 page service, restart", new Fault() {
            @Override
            public void inject(Stack s) throws InterruptedException {
                s.page.get().kill();
            }

            @Override
            public void end(Stack s) throws Exception {
                s.page.set(s.startPage(s.page.get().port())); // same address: same static membership id
            }
        });
    }

    @Test
    void catalogCrashedAndRestarted() throws Exception {
        run("catalog PostgreSQL crash, restart after 15 s", true, new Fault() {
            @Override
            public void inject(Stack s) throws InterruptedException {
                s.catalog.stopImmediate(); // pg_ctl -m immediate: no checkpoint, connections cut, as a crash
                Thread.sleep(15_000);
            }

            @Override
            public void end(Stack s) {
                s.catalog.start();
            }
        });
    }

    private void run(String name, Fault fault) throws Exception {
        run(name, false, fault);
    }

    private void run(String name, boolean withCatalog, Fault fault) throws Exception {
        Stack stack = new Stack(name.replaceAll("[^A-Za-z0-9]+", "-").replaceAll("^-|-$", ""), withCatalog);

        // The whole WAL up front: 12,000 page records over 150 pages, a watermark every 100.
        PacedWalIngest.Workload w = PacedWalIngest.Workload.generate(T, 4242, 7_000_000, 150, 12_000, 0.2, 100, PARTITIONS);
        List<SyntheticWal.Event> events = w.events();
        ReferenceModel model = w.model();
        List<PageKey> pages = model.pageKeys();
        long finalLsn = w.finalLsn();
        long expectedRecords = w.expectedRecords();

        AtomicBoolean stop = new AtomicBoolean();
        PacedWalIngest ingest = new PacedWalIngest("fault-ingest", Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrap,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 180_000, ProducerConfig.MAX_BLOCK_MS_CONFIG, 180_000),
                TOPIC, PARTITIONS, events);
        resources.add(ingest);

        AtomicReference<Phase> phase = new AtomicReference<>(new Phase(false));
        Phase before = phase.get();
        AtomicLong firstOkAfterFault = new AtomicLong(-1);
        AtomicLong ackedAtEnd = new AtomicLong(Long.MAX_VALUE);
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            Random random = new Random(r);
            readers.add(Thread.ofPlatform().name("fault-reader-" + r).start(() -> {
                while (!stop.get()) {
                    long lsn = ingest.ackedLsn();
                    if (lsn == 0) {
                        PacedWalIngest.sleepNanos(50_000_000L);
                        continue;
                    }
                    PageKey key = pages.get(random.nextInt(pages.size()));
                    ChildPageService.Answer a = stack.page.get().read(key, lsn);
                    Phase ph = phase.get();
                    ph.byStatus.computeIfAbsent(a.status(), s -> new AtomicInteger()).incrementAndGet();
                    if (a.ok()) {
                        if (Arrays.equals(a.body(), model.pageAt(key, lsn).page())) {
                            ph.ok.incrementAndGet();
                            // Serving again: WAL acknowledged after the fault is readable, or, when the whole
                            // workload was acknowledged before the fault ended, its final LSN is read after it.
                            if (lsn > ackedAtEnd.get() || (ph.afterFault && lsn >= finalLsn)) {
                                firstOkAfterFault.compareAndSet(-1, System.nanoTime());
                            }
                        } else {
                            ph.wrong.incrementAndGet();
                        }
                        continue;
                    }
                    if (a.status() >= 500) {
                        ph.serverErrors.incrementAndGet();
                        ph.problems.computeIfAbsent(a.problemKind(), k -> new AtomicInteger()).incrementAndGet();
                    } else if (a.status() < 0) {
                        ph.noAnswer.incrementAndGet();
                    }
                    PacedWalIngest.sleepNanos(20_000_000L);
                }
            }));
        }

        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (before.ok.get() < 200) {
            assertThat(stack.page.get().alive()).as("page service alive (target/it-fault-*-page-*.log)").isTrue();
            assertThat(System.nanoTime()).as("serving before the fault: acked LSN %s, sends failed %s (first: %s), "
                    + "reads %s; page-service log tail:%n%s", ingest.ackedLsn(), ingest.sendFailures(), ingest.firstFailure(),
                    before, stack.page.get().logTail(40)).isLessThan(deadline);
            Thread.sleep(100);
        }
        stack.prometheus.awaitScraped("page-service", stack.adminTarget, Duration.ofSeconds(30));
        Phase during = new Phase(false);
        phase.set(during);
        long start = System.nanoTime();
        Instant startWall = Instant.now();
        fault.inject(stack);
        ackedAtEnd.set(ingest.ackedLsn());
        fault.end(stack);
        long end = System.nanoTime();
        Phase after = new Phase(true);
        phase.set(after);

        assertThat(ingest.await(LIVENESS.toMillis() + 120_000)).as("ingest finished").isTrue();
        assertThat(ingest.sendFailures()).as("failed sends (first: %s)", ingest.firstFailure()).isZero();
        deadline = System.nanoTime() + LIVENESS.toNanos();
        while (ingest.ackedLsn() < finalLsn || firstOkAfterFault.get() < 0) {
            assertThat(stack.page.get().alive()).as("page service alive (target/it-fault-*-page-*.log)").isTrue();
            if (System.nanoTime() > deadline) {
                fail("serving again after the fault: acked LSN %s of %s, reads after %s; page-service log tail:%n%s%n%s%n%s",
                        ingest.ackedLsn(), finalLsn, after, stack.page.get().logTail(40),
                        ChangelogTransactions.describe(stack.bootstrap), stack.page.get().streamThreadStacks());
            }
            Thread.sleep(100);
        }
        stop.set(true);
        for (Thread t : readers) {
            t.join(30_000);
        }
        // The alerts from the fault's start until serving again (+ PrometheusProcess.SETTLE).
        String alerts = stack.prometheus.alertsDuring(startWall,
                startWall.plusNanos(firstOkAfterFault.get() - start));

        // Nothing acknowledged was lost: the topic holds exactly what was sent, and every page at the end is right.
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            latest.put(new TopicPartition(TOPIC, p), OffsetSpec.latest());
        }
        long inTopic;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrap))) {
            inTopic = admin.listOffsets(latest).all().get(60, TimeUnit.SECONDS).values().stream()
                    .mapToLong(i -> i.offset()).sum();
        }
        long finalCheck = System.nanoTime();
        int wrongAtEnd = 0;
        for (PageKey key : pages) {
            ChildPageService.Answer a;
            while (!(a = stack.page.get().read(key, finalLsn)).ok()) {
                assertThat(System.nanoTime() - finalCheck).as("page %s at the final LSN", key).isLessThan(LIVENESS.toNanos());
                Thread.sleep(50);
            }
            if (!Arrays.equals(a.body(), model.pageAt(key, finalLsn).page())) {
                wrongAtEnd++;
            }
        }
        int wrong = before.wrong.get() + during.wrong.get() + after.wrong.get();
        long lost = Math.max(0, expectedRecords - inTopic);
        System.out.printf("FaultsUnderLoadIT [%s]: %d WAL records in %d events, %d in the topic; wrong pages at the "
                        + "final LSN: %d of %d%n  before: %s%n  during: %s%n  after:  %s%n  alerts during the fault: %s"
                        + "%n  every alert seen in the test: %s%n",
                name, expectedRecords, events.size(), inTopic, wrongAtEnd, pages.size(), before, during, after, alerts,
                stack.prometheus.alertsSeen());
        TABLE.add(String.format("%-36s %10d %6d %10d %9d %10d %10.1f s from start %9.1f s   %s", name, lost,
                wrong + wrongAtEnd, during.serverErrors.get(), after.serverErrors.get(),
                during.noAnswer.get() + after.noAnswer.get(), (firstOkAfterFault.get() - start) / 1e9,
                (firstOkAfterFault.get() - end) / 1e9, alerts));
        FaultTable.row(name, Long.toString(lost), Integer.toString(wrong + wrongAtEnd),
                during.serverErrors.get() + " 5xx, " + during.noAnswer.get() + " refused (after: "
                        + after.serverErrors.get() + " 5xx, " + after.noAnswer.get() + " refused)",
                String.format("%.1f s after its start, %.1f s after its end", (firstOkAfterFault.get() - start) / 1e9,
                        (firstOkAfterFault.get() - end) / 1e9), alerts);
        assertThat(inTopic).as("records in the wal topic (sent: %s)", expectedRecords).isEqualTo(expectedRecords);
        assertThat(wrong).as("wrong pages served").isZero();
        assertThat(wrongAtEnd).as("pages at the final LSN differing from the model").isZero();
    }

}
