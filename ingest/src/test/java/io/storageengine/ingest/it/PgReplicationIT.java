package io.storageengine.ingest.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.storageengine.ingest.config.IngestConfig;
import io.storageengine.ingest.pgwal.DurableLsn;
import io.storageengine.ingest.pgwal.PgReplicationSource;
import io.storageengine.ingest.pgwal.PgWalResult;
import io.storageengine.ingest.publish.WalPublisher;
import io.storageengine.ingest.relations.RelationTracking;
import io.storageengine.postgres.wal.frame.PgRecordPayload;
import io.storageengine.schemas.kafka.RelationTopic;
import io.storageengine.schemas.page.Fork;
import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.relation.RelFork;
import io.storageengine.schemas.relation.RelationKey;
import io.storageengine.schemas.relation.RelationRecord;
import io.storageengine.schemas.timeline.TenantId;
import io.storageengine.schemas.timeline.TimelineId;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.Frame;
import io.storageengine.schemas.wal.FrameCodec;
import io.storageengine.schemas.wal.Lsn;
import io.storageengine.testsupport.FaultTable;
import io.storageengine.testsupport.KafkaTestBroker;
import io.storageengine.testsupport.LocalPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live ingest over physical replication, real PostgreSQL 15 and real Kafka: an ingest process
 * ({@code publish --pg-url --slot --create-slot}) is killed with SIGKILL mid-stream; a new one
 * resumes from the newest LSN durable in Kafka and rides through a server restart. Every block
 * reference {@code pg_waldump} lists in the range is in the topic exactly once, at its end LSN, and
 * the slot's restart LSN (what PostgreSQL may drop up to) never passes what Kafka holds. Relation
 * size changes (on by default in the CLI, resumed from the relations topic) are there exactly once
 * too, and the table's last size equals {@code pg_relation_size}.
 */
class PgReplicationIT {
    private static final KafkaTestBroker BROKER = KafkaTestBroker.shared();

    @Test
    void killedIngestResumesFromKafkaWithEveryBlockReferenceExactlyOnce(@TempDir Path tmp) throws Exception {
        LocalPostgres pg = LocalPostgres.shared();
        String id = "repl_" + System.nanoTime();
        String slot = id + "_ing";
        String topic = BROKER.createUniqueTopic("pgrepl-it", 4);
        BROKER.createTopic(RelationTopic.nameFor(topic), 1, Map.of("retention.ms", "-1"));
        TimelineKey tl = new TimelineKey(TenantId.random(), TimelineId.random());
        IngestConfig config = IngestConfig.load(Map.of()).withBootstrap(BROKER.bootstrapServers()).withTopic(topic);
        String url = "postgresql://" + pg.user() + ":" + pg.password() + "@127.0.0.1:" + pg.port() + "/postgres";
        long start;
        AtomicBoolean stop = new AtomicBoolean();
        try (Connection c = pg.connect("postgres"); Statement s = c.createStatement()) {
            s.execute("SELECT pg_create_physical_replication_slot('" + id + "_hold', true)"); // keeps WAL for pg_waldump
            s.execute("CREATE TABLE " + id + " (id int PRIMARY KEY, v text)");
            start = PgWalIngestIT.lsn(s, "SELECT pg_current_wal_insert_lsn()");
        }

        // 1. an ingest process, killed with SIGKILL while the workload runs
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.storageengine.ingest.cli.IngestCli", "publish",
                "--tenant", tl.tenant().toString(), "--timeline", tl.timeline().toString(),
                "--bootstrap", BROKER.bootstrapServers(), "--topic", topic, "--quiet",
                "--pg-url", url, "--slot", slot, "--create-slot", "--start-lsn", Lsn.format(start));
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile())
                .start();
        try (Connection c = pg.connect("postgres"); Statement s = c.createStatement()) {
            for (int i = 0; i < 20; i++) {
                s.execute("INSERT INTO " + id + " SELECT g, md5(g::text) FROM generate_series(" + (i * 500 + 1) + ", "
                        + (i * 500 + 500) + ") g");
                Thread.sleep(150);
            }
            // the child must have made some of it durable before it dies (its JVM may start slowly)
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (Lsn.compare(DurableLsn.newestWatermark(config, tl, 100_000), start) <= 0) {
                assertThat(child.isAlive()).as("child ingest running; log:\n%s", readLog(tmp)).isTrue();
                assertThat(System.nanoTime()).as("child publishes; log:\n%s", readLog(tmp)).isLessThan(deadline);
                Thread.sleep(200);
            }
            s.execute("CHECKPOINT");
            s.execute("UPDATE " + id + " SET v = v || 'x' WHERE id % 3 = 0");
        }
        assertThat(child.isAlive()).as("child ingest running; log:\n%s", readLog(tmp)).isTrue();
        child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        long killedAt = System.nanoTime();

        // 2. a new publisher fences the dead one; resume from what Kafka holds
        try (WalPublisher publisher = WalPublisher.create(config, tl, new SimpleMeterRegistry())) {
            long durable = DurableLsn.newestWatermark(config, tl, 1_000_000);
            assertThat(Lsn.compare(durable, start)).as("the killed process published; log:\n%s", readLog(tmp))
                    .isPositive();
            assertThat(Lsn.compare(slotRestartLsn(pg, slot), durable)).as("slot never passes Kafka")
                    .isLessThanOrEqualTo(0);
            PgReplicationSource source = new PgReplicationSource(PgReplicationSource.Target.parse(url), slot, false,
                    Duration.ofMillis(200));
            publisher.enableRelations(); // as the CLI does: relation sizes resume from the relations topic too
            RelationTracking relations = RelationTracking.fromTopic(BROKER.bootstrapServers(),
                    RelationTopic.nameFor(topic), tl);
            CompletableFuture<PgWalResult> run = CompletableFuture.supplyAsync(
                    () -> source.run(publisher, durable, null, null, stop::get, relations));
            try (Connection c = pg.connect("postgres"); Statement s = c.createStatement()) {
                s.execute("DELETE FROM " + id + " WHERE id % 7 = 0");
                s.execute("CREATE INDEX ON " + id + " (left(v, 20))");
            }
            pg.restart();
            long end;
            String relPath;
            long relBlocks;
            try (Connection c = pg.connect("postgres"); Statement s = c.createStatement()) {
                s.execute("VACUUM " + id);
                s.execute("INSERT INTO " + id + " SELECT g, (SELECT string_agg(md5(random()::text || k), '') "
                        + "FROM generate_series(1, 200) k) FROM generate_series(900001, 900003) g");
                end = PgWalIngestIT.lsn(s, "SELECT pg_current_wal_insert_lsn()");
                try (ResultSet rs = s.executeQuery("SELECT pg_relation_filepath('" + id + "'), pg_relation_size('"
                        + id + "') / 8192")) {
                    rs.next();
                    relPath = rs.getString(1);
                    relBlocks = rs.getLong(2);
                }
                s.execute("SELECT pg_switch_wal()");
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (Lsn.compare(publisher.watermarkLsn(), end) < 0) {
                assertThat(run.isDone()).as("source ended early: %s", run.isDone() ? run.join() : null).isFalse();
                assertThat(System.nanoTime()).as("watermark reaches %s", Lsn.format(end)).isLessThan(deadline);
                Thread.sleep(100);
            }
            double caughtUpSeconds = (System.nanoTime() - killedAt) / 1e9;
            stop.set(true);
            PgWalResult r = run.get(60, TimeUnit.SECONDS);
            assertThat(r.error()).isNull();
            assertThat(r.exitCode()).isZero();
            Thread.sleep(500); // one more status update
            assertThat(Lsn.compare(slotRestartLsn(pg, slot), publisher.watermarkLsn())).isLessThanOrEqualTo(0);

            // 3. exactly once against pg_waldump over [start, end]
            Path walDir = Files.createDirectories(tmp.resolve("pg_wal"));
            try (Connection c = pg.connect("postgres")) {
                io.storageengine.testsupport.PgWorkload.copySegments(c, start, end, walDir);
            }
            List<PgWalIngestIT.Expected> expected = PgWalIngestIT.waldump(walDir, tmp, start, end);
            assertThat(expected).hasSizeGreaterThan(500);
            Map<String, Integer> want = new HashMap<>();
            for (int i = 0; i + 1 < expected.size(); i++) {
                long e = PgWalIngestIT.endOf(expected.get(i), expected.get(i + 1).start());
                for (PageRef p : expected.get(i).pages()) {
                    want.merge(p + "@" + Lsn.format(e), 1, Integer::sum);
                }
            }
            long lastEnd = PgWalIngestIT.endOf(expected.get(expected.size() - 2), expected.getLast().start());
            Map<String, Integer> got = new HashMap<>();
            Map<String, Integer> vmGot = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> rec : TopicReader.readAll(BROKER, topic)) {
                if (rec.key().length == TimelineKey.SIZE) {
                    continue;
                }
                Frame f = FrameCodec.decodeExactly(rec.value());
                PgRecordPayload p = PgRecordPayload.parse(f.payload(), f.lsn());
                if (p.vmOfBlock()) {
                    // format 1.2: a VM page cleared implicitly, not a block reference pg_waldump lists
                    vmGot.merge(p.page() + "@" + Lsn.format(f.lsn()), 1, Integer::sum);
                } else if (Lsn.compare(f.lsn(), lastEnd) <= 0) {
                    got.merge(p.page() + "@" + Lsn.format(f.lsn()), 1, Integer::sum);
                }
            }
            assertThat(got).isEqualTo(want);
            assertThat(vmGot).allSatisfy((k, n) -> assertThat(n).as("VM_OF_BLOCK frame %s", k).isEqualTo(1));

            // 4. relation sizes: every change exactly once across the kill, and the table's size right
            RelFork table = RelFork.of(1663, Long.parseLong(relPath.split("/")[1]), Long.parseLong(relPath.split("/")[2]),
                    Fork.MAIN);
            Map<String, Integer> changes = new HashMap<>();
            long tableBlocks = -1;
            long tableLsn = 0;
            for (ConsumerRecord<byte[], byte[]> rec : TopicReader.readAll(BROKER, RelationTopic.nameFor(topic))) {
                RelationKey key = RelationKey.fromBytes(rec.key());
                if (RelationRecord.decode(rec.value()) instanceof RelationRecord.Size sz && !key.isWatermark()) {
                    changes.merge(key.fork() + "@" + Lsn.format(sz.lsn()), 1, Integer::sum);
                    if (key.fork().equals(table) && Lsn.compare(sz.lsn(), lastEnd) <= 0
                            && Lsn.compare(sz.lsn(), tableLsn) >= 0) {
                        tableLsn = sz.lsn();
                        tableBlocks = sz.nblocks();
                    }
                }
            }
            assertThat(changes).isNotEmpty();
            assertThat(changes).allSatisfy((k, n) -> assertThat(n).as("relation change %s", k).isEqualTo(1));
            assertThat(tableBlocks).as("main fork of %s", table).isEqualTo(relBlocks);
            // a row of ./se chaos's table: every block reference of the range exactly once across the kill
            FaultTable.row("kill -9 ingest mid-stream (open transaction), resume", "0 (" + want.size()
                    + " block references, each exactly once)", "- (no reads in this test)", "-",
                    String.format("caught up with the server %.1f s after the kill (a PostgreSQL restart included)",
                            caughtUpSeconds));
        } finally {
            stop.set(true);
            Thread.sleep(500);
            try (Connection c = pg.connect("postgres"); Statement s = c.createStatement()) {
                s.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name LIKE '"
                        + id + "%' AND NOT active");
            }
        }
    }

    @Test
    void walTheServerNoLongerHasIsAnErrorNamingTheLsn() throws Exception {
        LocalPostgres pg = LocalPostgres.shared();
        try (Connection c = pg.connect("postgres"); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_replication_slots")) {
                rs.next();
                org.junit.jupiter.api.Assumptions.assumeTrue(rs.getLong(1) == 0, "no slot holds old WAL");
            }
            for (int i = 0; i < 3; i++) {
                s.execute("CREATE TABLE IF NOT EXISTS gone (v text)");
                s.execute("INSERT INTO gone SELECT md5(g::text) FROM generate_series(1, 1000) g");
                s.execute("SELECT pg_switch_wal()");
                s.execute("CHECKPOINT");
            }
        }
        String topic = BROKER.createUniqueTopic("pgrepl-gone", 1);
        TimelineKey tl = new TimelineKey(TenantId.random(), TimelineId.random());
        IngestConfig config = IngestConfig.load(Map.of()).withBootstrap(BROKER.bootstrapServers()).withTopic(topic);
        String url = "postgresql://" + pg.user() + ":" + pg.password() + "@127.0.0.1:" + pg.port() + "/postgres";
        try (WalPublisher publisher = WalPublisher.create(config, tl, new SimpleMeterRegistry())) {
            PgWalResult r = new PgReplicationSource(PgReplicationSource.Target.parse(url), null, false, Duration.ofSeconds(1))
                    .run(publisher, 0, Lsn.parse("0/1000028"), null, () -> false);
            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.error()).contains("no longer has the WAL at 0/1000028");
        }
    }

    private static long slotRestartLsn(LocalPostgres pg, String slot) throws Exception {
        try (Connection c = pg.connect("postgres");
             PreparedStatement ps = c.prepareStatement("SELECT restart_lsn FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return rs.getString(1) == null ? 0 : Lsn.parse(rs.getString(1)).value();
            }
        }
    }

    private static String readLog(Path tmp) {
        try {
            String s = Files.readString(tmp.resolve("child.log"));
            return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
        } catch (Exception e) {
            return e.toString();
        }
    }
}
