package io.storageengine.pageservice;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageengine.pageservice.topology.ReferenceModel;
import io.storageengine.pageservice.topology.SyntheticWal;
import io.storageengine.schemas.kafka.Partitioning;
import io.storageengine.schemas.page.PageKey;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.testsupport.KafkaBrokerProcess;
import io.storageengine.testsupport.TcpProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Kafka broker unreachable for 30 s under continuous ingest and continuous reads. The broker
 * runs in its own JVM ({@link KafkaBrokerProcess}) and advertises a {@link TcpProxy} in front of it,
 * so every connection of every client (the ingest producer of this test, the page service's
 * consumers, producers and admin) goes through the proxy; {@code partition()} then stops all
 * forwarding (clients see timeouts, not resets), {@code heal()} resumes it. The page service is a
 * real {@link Main} in a child JVM.
 *
 * <p>The WAL is generated up front, so the reference model is complete and read-only while
 * threads use it. Ingest sends it paced with an idempotent acks=all producer and tracks the newest
 * acknowledged watermark (acknowledged on every partition); readers ask random pages at that LSN
 * and compare every 200 with the model. Asserted: no wrong page at any time, no acknowledged
 * record lost (the topic holds exactly the records sent, and every page at the final LSN equals
 * the model), and serving again within a liveness bound after the heal. Printed: answers by kind
 * during the outage and the time from heal to the first correct page at an LSN acknowledged after
 * the heal.
 */
class BrokerOutageIT {
    private static final TimelineKey T = TimelineKey.of("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "0000000000000000000000000000b0b0");
    private static final int PARTITIONS = 4;
    private static final Duration OUTAGE = Duration.ofSeconds(30);
    private static final Duration LIVENESS = Duration.ofSeconds(120);

    private final ItResources resources = new ItResources();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        resources.close();
    }

    /** Counts of read answers in one phase of the test. */
    private static final class Phase {
        final AtomicInteger ok = new AtomicInteger();
        final AtomicInteger wrong = new AtomicInteger();
        final AtomicInteger serverErrors = new AtomicInteger();
        final AtomicInteger otherStatus = new AtomicInteger();
        final AtomicInteger noAnswer = new AtomicInteger();
        final Map<Integer, AtomicInteger> byStatus = new ConcurrentHashMap<>();

        @Override
        public String toString() {
            return "200 correct " + ok + ", 200 wrong " + wrong + ", 5xx " + serverErrors + ", other " + otherStatus
                    + ", no answer " + noAnswer + " " + byStatus;
        }
    }

    @Test
    void brokerUnreachableFor30sLosesNothingAndServesNoWrongPage() throws Exception {
        String topic = "wal";
        int brokerPort = KafkaBrokerProcess.freePort();
        TcpProxy proxy = TcpProxy.start(brokerPort);
        toClose.add(proxy);
        String bootstrap = "127.0.0.1:" + proxy.port();
        KafkaBrokerProcess broker = KafkaBrokerProcess.create(resources.tempDir("outage-broker"), brokerPort, bootstrap);
        toClose.add(broker);
        broker.start();
        KafkaBrokerProcess.createTopics(bootstrap, Map.of(topic, PARTITIONS, topic + "-relations", 1));

        // The whole WAL up front: 12,000 page records over 150 pages, a watermark every 100.
        SyntheticWal wal = new SyntheticWal(4242, 7_000_000);
        wal.randomRun(T, 150, 12_000, 0.2, 100);
        long finalLsn = wal.lsn() + 10;
        wal.watermark(T, finalLsn);
        List<SyntheticWal.Event> events = wal.drain();
        ReferenceModel model = wal.model();
        List<PageKey> pages = model.pageKeys();
        long expectedRecords = events.stream().mapToLong(e -> e.key().length == TimelineKey.SIZE ? PARTITIONS : 1).sum();

        Map<String, String> env = new HashMap<>(Map.of(
                "SE_HTTP_HOST", "127.0.0.1", "SE_ADMIN_PORT", "0", "SE_ADVERTISED_HOST", "127.0.0.1",
                "SE_KAFKA_BOOTSTRAP", bootstrap, "SE_KAFKA_TOPIC", topic, "SE_KAFKA_APPLICATION_ID", "page-outage",
                "SE_STATE_DIR", resources.tempDir("outage-state").toString(), "SE_ROCKSDB_MEMORY_MB", "64",
                "SE_COLD_ENABLED", "false", "SE_WAIT_TIMEOUT", "1s"));
        ChildPageService page = ChildPageService.start("outage-page", ChildPageService.freePort(), env);
        toClose.add(page);

        AtomicLong ackedLsn = new AtomicLong();
        AtomicInteger sendFailures = new AtomicInteger();
        AtomicReference<Exception> firstSendFailure = new AtomicReference<>();
        AtomicInteger sent = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        Map<String, Object> pc = new HashMap<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 180_000, ProducerConfig.MAX_BLOCK_MS_CONFIG, 180_000));
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pc);
        toClose.add(producer);
        // Ingest: about 200 events/s (a minute), so the run spans the outage with ingest before, during and after it.
        Thread ingest = Thread.ofPlatform().name("outage-ingest").start(() -> {
            long t0 = System.nanoTime();
            for (int i = 0; i < events.size() && !stop.get(); i++) {
                SyntheticWal.Event e = events.get(i);
                long due = t0 + i * 5_000_000L;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    try {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
                if (e.key().length == TimelineKey.SIZE) {
                    AtomicInteger left = new AtomicInteger(PARTITIONS);
                    for (int p = 0; p < PARTITIONS; p++) {
                        producer.send(new ProducerRecord<>(topic, p, e.key(), e.value()), (md, ex) -> {
                            if (ex != null) {
                                sendFailures.incrementAndGet();
                                firstSendFailure.compareAndSet(null, ex);
                            } else if (left.decrementAndGet() == 0) {
                                ackedLsn.accumulateAndGet(e.lsn(), Math::max);
                            }
                        });
                    }
                } else {
                    producer.send(new ProducerRecord<>(topic, Partitioning.partitionOf(e.key(), PARTITIONS), e.key(),
                            e.value()), (md, ex) -> {
                        if (ex != null) {
                            sendFailures.incrementAndGet();
                            firstSendFailure.compareAndSet(null, ex);
                        }
                    });
                }
                sent.incrementAndGet();
            }
            producer.flush();
        });

        // Readers: random pages at the newest acknowledged watermark, every 200 checked.
        AtomicReference<Phase> phase = new AtomicReference<>(new Phase());
        Phase before = phase.get();
        AtomicLong firstOkAfterHeal = new AtomicLong(-1);
        AtomicLong ackedAtHeal = new AtomicLong(Long.MAX_VALUE);
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            int seed = r;
            readers.add(Thread.ofPlatform().name("outage-reader-" + r).start(() -> {
                Random random = new Random(seed);
                while (!stop.get()) {
                    long lsn = ackedLsn.get();
                    if (lsn == 0) {
                        sleep(50);
                        continue;
                    }
                    PageKey key = pages.get(random.nextInt(pages.size()));
                    ChildPageService.Answer a = page.read(key, lsn);
                    Phase ph = phase.get();
                    ph.byStatus.computeIfAbsent(a.status(), s -> new AtomicInteger()).incrementAndGet();
                    if (a.ok()) {
                        if (java.util.Arrays.equals(a.body(), model.pageAt(key, lsn).page())) {
                            ph.ok.incrementAndGet();
                            if (lsn > ackedAtHeal.get()) {
                                firstOkAfterHeal.compareAndSet(-1, System.nanoTime());
                            }
                        } else {
                            ph.wrong.incrementAndGet();
                        }
                    } else if (a.status() >= 500) {
                        ph.serverErrors.incrementAndGet();
                        sleep(20);
                    } else if (a.status() < 0) {
                        ph.noAnswer.incrementAndGet();
                        sleep(20);
                    } else {
                        ph.otherStatus.incrementAndGet();
                        sleep(20);
                    }
                }
            }));
        }

        // Before: serving normally for a while.
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (before.ok.get() < 200) {
            assertThat(page.alive()).as("page service alive (target/it-outage-page.log)").isTrue();
            assertThat(System.nanoTime()).as("serving before the outage").isLessThan(deadline);
            Thread.sleep(100);
        }
        Phase during = new Phase();
        phase.set(during);
        long cut = System.nanoTime();
        proxy.partition();
        Thread.sleep(OUTAGE.toMillis());
        Phase after = new Phase();
        phase.set(after);
        ackedAtHeal.set(ackedLsn.get());
        long heal = System.nanoTime();
        proxy.heal();
        int sentDuring = sent.get();

        ingest.join(LIVENESS.toMillis() + 60_000);
        assertThat(ingest.isAlive()).as("ingest finished").isFalse();
        assertThat(sendFailures.get()).as("failed sends (first: %s)", firstSendFailure.get()).isZero();
        deadline = System.nanoTime() + LIVENESS.toNanos();
        while (ackedLsn.get() < finalLsn || firstOkAfterHeal.get() < 0) {
            assertThat(page.alive()).as("page service alive (target/it-outage-page.log)").isTrue();
            assertThat(System.nanoTime()).as("serving again after the heal").isLessThan(deadline);
            Thread.sleep(100);
        }
        stop.set(true);
        for (Thread t : readers) {
            t.join(30_000);
        }

        // Nothing acknowledged was lost: the topic holds exactly what was sent, and every page at the end is right.
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        long inTopic;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            inTopic = admin.listOffsets(latest).all().get(60, TimeUnit.SECONDS).values().stream()
                    .mapToLong(i -> i.offset()).sum();
        }
        assertThat(inTopic).as("records in the wal topic").isEqualTo(expectedRecords);
        long finalCheck = System.nanoTime();
        int wrongAtEnd = 0;
        for (PageKey key : pages) {
            ChildPageService.Answer a;
            while (!(a = page.read(key, finalLsn)).ok()) {
                assertThat(System.nanoTime() - finalCheck).as("page %s at the final LSN", key)
                        .isLessThan(LIVENESS.toNanos());
                Thread.sleep(50);
            }
            if (!java.util.Arrays.equals(a.body(), model.pageAt(key, finalLsn).page())) {
                wrongAtEnd++;
            }
        }
        System.out.printf("BrokerOutageIT: %d WAL records (%d events, %d of them sent by the heal), outage %d s;%n"
                        + "  before: %s%n  during: %s%n  after:  %s%n"
                        + "  heal to first correct page at an LSN acknowledged after the heal: %d ms; "
                        + "wrong pages at the final LSN: %d of %d%n",
                expectedRecords, events.size(), sentDuring, (heal - cut) / 1_000_000_000L, before, during, after,
                (firstOkAfterHeal.get() - heal) / 1_000_000, wrongAtEnd, pages.size());
        assertThat(before.wrong.get() + during.wrong.get() + after.wrong.get()).as("wrong pages served").isZero();
        assertThat(wrongAtEnd).as("pages at the final LSN differing from the model").isZero();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
