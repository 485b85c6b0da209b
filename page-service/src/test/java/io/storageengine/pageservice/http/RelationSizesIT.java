package io.storageengine.pageservice.http;

import io.storageengine.testsupport.PgWorkload;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.WebServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.storageengine.ingest.config.IngestConfig;
import io.storageengine.ingest.pgwal.PgWalIngest;
import io.storageengine.ingest.pgwal.PgWalResult;
import io.storageengine.ingest.publish.WalPublisher;
import io.storageengine.ingest.relations.RelationTracking;
import io.storageengine.ingest.relations.RelationStateLoader;
import io.storageengine.pageservice.Main;
import io.storageengine.pageservice.http.internal.Json;
import io.storageengine.pageservice.relations.RelationFollower;
import io.storageengine.pageservice.relations.RelationHistory;
import io.storageengine.pageservice.relations.RelationReader;
import io.storageengine.schemas.kafka.RelationTopic;
import io.storageengine.schemas.page.Fork;
import io.storageengine.schemas.relation.RelFork;
import io.storageengine.schemas.relation.RelationKey;
import io.storageengine.schemas.relation.RelationRecord;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.Lsn;
import io.storageengine.testsupport.KafkaTestBroker;
import io.storageengine.testsupport.LocalPostgres;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Relation sizes end to end against a real PostgreSQL 15 and a real Kafka: a workload (CREATE
 * TABLE, inserts, CREATE INDEX, DELETE + VACUUM truncation, TRUNCATE, a rolled-back CREATE TABLE,
 * UNLOGGED tables, VACUUM FULL, hash/GIN/BRIN/GiST indexes, a sequence, a rolled-back
 * subtransaction, DROP TABLE, CREATE DATABASE with the WAL_LOG and FILE_COPY
 * strategies, DROP DATABASE) runs
 * while the test notes, after each step, {@code pg_current_wal_insert_lsn()} and the size of each
 * fork of its relations from the server's own files ({@code pg_stat_file}; absent = does not
 * exist). Its WAL is then published by {@link PgWalIngest} in two runs (the second restores its
 * tracker from the relations topic); a {@link RelationFollower} loads the topic and
 * the HTTP route must answer, at every noted LSN, exactly what the server had for main and init
 * forks, and no more than the server had for the FSM and VM, which PostgreSQL also extends without
 * WAL (docs/relations.md). Two invalid records
 * put on the topic by hand must be skipped and counted without losing the valid ones.
 */
class RelationSizesIT {
    private static final KafkaTestBroker BROKER = KafkaTestBroker.shared();
    private static final TimelineKey TL = new TimelineKey(
            io.storageengine.schemas.timeline.TenantId.parse(UUID.randomUUID().toString()),
            io.storageengine.schemas.timeline.TimelineId.parse(UUID.randomUUID().toString()));

    /** What the server had: fork state right after {@code lsn}. */
    private record Probe(String what, RelFork fork, long lsn, boolean exists, long nblocks) {
    }

    private final List<Probe> probes = new ArrayList<>();

    @Test
    void sizesAtEveryNotedLsnEqualThePrimarysFiles(@TempDir Path tmp) throws Exception {
        LocalPostgres pg = LocalPostgres.shared();
        String dbName = "relsizes_" + Long.toHexString(System.nanoTime());
        long start;
        long end;
        try (Connection admin = pg.connect("postgres"); Statement a = admin.createStatement()) {
            start = lsn(a);
            a.execute("CREATE DATABASE " + dbName);
            try (Connection c = pg.connect(dbName); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE t (id int, pad text) WITH (autovacuum_enabled = off)");
                note(s, "t created", "t");
                s.execute("INSERT INTO t SELECT g, repeat('x', 300) FROM generate_series(1, 2000) g");
                note(s, "t filled", "t");
                s.execute("CREATE INDEX t_id ON t (id)");
                note(s, "index built", "t", "t_id");
                s.execute("DELETE FROM t WHERE id > 700");
                s.execute("VACUUM t");
                note(s, "tail deleted and vacuumed (truncation)", "t", "t_id");
                s.execute("INSERT INTO t SELECT g, repeat('y', 300) FROM generate_series(1, 300) g");
                note(s, "refilled", "t", "t_id");
                List<RelFork> oldT = forks(s, "t");
                s.execute("TRUNCATE t");
                note(s, "truncated (new relfilenode)", "t", "t_id");
                noteForks(s, "old relfilenode of t after TRUNCATE", oldT);
                s.execute("INSERT INTO t SELECT g, repeat('z', 100) FROM generate_series(1, 500) g");
                note(s, "after truncate refill", "t", "t_id");

                s.execute("BEGIN");
                s.execute("CREATE TABLE r (id int, pad text) WITH (autovacuum_enabled = off)");
                s.execute("INSERT INTO r SELECT g, repeat('r', 500) FROM generate_series(1, 200) g");
                note(s, "r inside its transaction", "r");
                List<RelFork> rForks = forks(s, "r");
                s.execute("ROLLBACK");
                noteForks(s, "r after ROLLBACK", rForks);

                s.execute("CREATE UNLOGGED TABLE u (id int PRIMARY KEY) WITH (autovacuum_enabled = off)");
                noteInit(s, "unlogged table init forks", "u", "u_pkey");

                List<RelFork> beforeFull = forks(s, "t");
                beforeFull.addAll(forks(s, "t_id"));
                s.execute("VACUUM FULL t");
                note(s, "rewritten by VACUUM FULL", "t", "t_id");
                noteForks(s, "old relfilenodes after VACUUM FULL", beforeFull);

                s.execute("CREATE TABLE k (id int PRIMARY KEY, pad text, tags int[], p point) "
                        + "WITH (autovacuum_enabled = off)");
                s.execute("INSERT INTO k SELECT g, repeat('k', 400), ARRAY[g % 7, g % 11], point(g, g % 13) "
                        + "FROM generate_series(1, 400) g");
                s.execute("CREATE INDEX k_hash ON k USING hash (id)");
                s.execute("CREATE INDEX k_gin ON k USING gin (tags)");
                s.execute("CREATE INDEX k_brin ON k USING brin (id)");
                s.execute("CREATE INDEX k_gist ON k USING gist (p)");
                s.execute("CREATE SEQUENCE k_seq");
                s.execute("SELECT nextval('k_seq')");
                s.execute("VACUUM k");
                note(s, "k and its indexes (hash, gin, brin, gist), a sequence", "k", "k_pkey", "k_hash", "k_gin",
                        "k_brin", "k_gist", "k_seq");

                s.execute("BEGIN");
                s.execute("SAVEPOINT sp");
                s.execute("CREATE TABLE sub (id int) WITH (autovacuum_enabled = off)");
                s.execute("INSERT INTO sub SELECT generate_series(1, 1000)");
                note(s, "sub inside its subtransaction", "sub");
                List<RelFork> subForks = forks(s, "sub");
                s.execute("ROLLBACK TO SAVEPOINT sp");
                noteForks(s, "sub after ROLLBACK TO SAVEPOINT", subForks);
                s.execute("COMMIT");

                List<RelFork> tForks = forks(s, "t");
                tForks.addAll(forks(s, "t_id"));
                s.execute("DROP TABLE t");
                noteForks(s, "t after DROP", tForks);
            }
            String copy = dbName + "_copy";
            a.execute("CREATE DATABASE " + copy + " TEMPLATE " + dbName + " STRATEGY WAL_LOG");
            List<RelFork> copied = new ArrayList<>();
            try (Connection c = pg.connect(copy); Statement s = c.createStatement()) {
                note(s, "catalogs of a WAL_LOG copy", "pg_class", "pg_attribute");
                noteInit(s, "unlogged table of a WAL_LOG copy", "u", "u_pkey");
                copied.addAll(forks(s, "pg_class"));
                copied.addAll(forks(s, "u"));
            }
            a.execute("DROP DATABASE " + copy);
            noteForks(a, "copy after DROP DATABASE", copied);
            String fileCopy = dbName + "_fc";
            a.execute("CREATE DATABASE " + fileCopy + " TEMPLATE " + dbName + " STRATEGY FILE_COPY");
            List<RelFork> fileCopied = new ArrayList<>();
            try (Connection c = pg.connect(fileCopy); Statement s = c.createStatement()) {
                note(s, "FILE_COPY database", "k", "k_pkey", "k_hash", "k_gin", "k_gist", "pg_class", "pg_attribute");
                noteInit(s, "unlogged table of a FILE_COPY database", "u", "u_pkey");
                fileCopied.addAll(forks(s, "k"));
                fileCopied.addAll(forks(s, "pg_class"));
            }
            a.execute("DROP DATABASE " + fileCopy);
            noteForks(a, "FILE_COPY database after DROP DATABASE", fileCopied);
            a.execute("CHECKPOINT"); // a record after the last noted LSN
            end = lsn(a);
            waitFlushed(a, end);
            PgWorkload.copySegments(admin, start, end, Files.createDirectories(tmp.resolve("pg_wal")));
            a.execute("DROP DATABASE " + dbName);
        }
        assertThat(probes).hasSizeGreaterThan(20);

        String walTopic = BROKER.uniqueTopic("wal-rel");
        BROKER.createTopic(walTopic, 1);
        BROKER.createTopic(RelationTopic.nameFor(walTopic), 2, Map.of("retention.ms", "-1"));
        Path walDir = tmp.resolve("pg_wal");
        // built directly: this module's application.yaml shadows ingest's on the test class path
        IngestConfig ingest = new IngestConfig(
                new IngestConfig.Kafka(BROKER.bootstrapServers(), walTopic, "lz4", 5, 256 << 10, 32L << 20, 120_000),
                new IngestConfig.Publisher(50, 8L << 20, 60_000), new IngestConfig.Decoder(4 << 20, 1),
                new IngestConfig.Metrics(0));
        // Two ingest runs, as PgWalIngest runs them (PG_RECORD frames too): the second resumes after the
        // first and restores its tracker from the relations topic, so changes to relations the first run
        // created (truncation, drop) must come out right.
        long split = probes.stream().filter(p -> p.what().startsWith("index built")).findFirst().orElseThrow().lsn();
        PgWalResult first;
        PgWalResult second;
        RelationTracking run1 = RelationTracking.fromTopic(BROKER.bootstrapServers(), RelationTopic.nameFor(walTopic), TL);
        RelationTracking run2 = RelationTracking.fromTopic(BROKER.bootstrapServers(), RelationTopic.nameFor(walTopic), TL);
        try (WalPublisher pub = WalPublisher.create(ingest, TL, new SimpleMeterRegistry())) {
            pub.enableRelations();
            first = PgWalIngest.publishSegments(pub, walDir, Lsn.of(start), Lsn.of(split), run1);
        }
        try (WalPublisher pub = WalPublisher.create(ingest, TL, new SimpleMeterRegistry())) {
            pub.enableRelations();
            second = PgWalIngest.publishSegments(pub, walDir, Lsn.of(first.lastLsn()), null, run2);
        }
        assertThat(first.exitCode()).as(first.toString()).isZero();
        assertThat(second.exitCode()).as(second.toString()).isZero();
        assertThat(Lsn.compare(second.watermarkLsn(), end)).isGreaterThanOrEqualTo(0);
        assertThat(run1.changes()).isGreaterThan(10);
        assertThat(run2.changes()).isGreaterThan(100);
        assertThat(run1.malformed() + run2.malformed()).isZero();

        // what a third run would restore equals where the second one ended
        RelationStateLoader.Result state = RelationStateLoader.load(BROKER.bootstrapServers(),
                RelationTopic.nameFor(walTopic), TL, Lsn.MAX, Duration.ofSeconds(30));
        assertThat(state.invalid()).isZero();
        assertThat(state.sizes()).hasSize(run2.forks());

        // bad input on the topic: skipped and counted by the follower, the valid records around it kept
        try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(BROKER.producerConfig())) {
            String relTopic = RelationTopic.nameFor(walTopic);
            raw.send(new ProducerRecord<>(relTopic, 0, new byte[7], new byte[18])).get();
            byte[] corrupt = new RelationRecord.Size(end, 1, true).encode();
            corrupt[5] ^= 0x40;
            raw.send(new ProducerRecord<>(relTopic, 0, new RelationKey(TL, RelFork.of(1663, 1, 2, Fork.MAIN)).toBytes(),
                    corrupt)).get();
        }
        SimpleMeterRegistry followerMetrics = new SimpleMeterRegistry();
        RelationHistory history = new RelationHistory();
        try (TestServer base = new TestServer();
             RelationFollower follower = RelationFollower.start(BROKER.bootstrapServers(),
                RelationTopic.nameFor(walTopic), history, t -> Lsn.ZERO, followerMetrics)) {
            WebServer server = Main.start(base.config.http(), base.services, new RelationService(base.services,
                    new RelationReader(history, t -> Lsn.ZERO, Duration.ofSeconds(20))));
            try {
                List<String> mismatches = new ArrayList<>();
                long mapBlocksSeen = 0;
                for (Probe p : probes) {
                    JsonNode n = get(server, p);
                    boolean exists = n.get("exists").asBoolean();
                    long nblocks = n.get("nblocks").asLong();
                    boolean ok = exact(p.fork().fork())
                            ? exists == p.exists() && nblocks == p.nblocks()
                            : (!exists || p.exists()) && nblocks <= p.nblocks(); // maps: extended without WAL too
                    if (!exact(p.fork().fork())) {
                        mapBlocksSeen += nblocks;
                    }
                    if (!ok) {
                        mismatches.add(p + " → engine says exists=" + exists + " nblocks=" + nblocks);
                    }
                }
                LoggerFactory.getLogger(RelationSizesIT.class).info("{} probes ({} of main/init forks) at {} LSNs, "
                        + "{} WAL records, {} + {} size changes published: {} mismatches", probes.size(),
                        probes.stream().filter(p -> exact(p.fork().fork())).count(),
                        probes.stream().mapToLong(Probe::lsn).distinct().count(),
                        first.stats().records() + second.stats().records(), run1.changes(), run2.changes(),
                        mismatches.size());
                assertThat(mismatches).as("probes where the engine differs from the primary").isEmpty();
                assertThat(mapBlocksSeen).as("visibility map / FSM blocks known from WAL").isPositive();
                assertThat(followerMetrics.get("se_relation_skipped_total").counter().count()).isEqualTo(2);
            } finally {
                server.stop();
            }
        }
    }

    /**
     * Main and init forks must match the server's files exactly. The maps only up to the server's
     * length: PostgreSQL extends the FSM, and the VM with empty pages (VACUUM pins a VM page before
     * it knows it will set a bit), without WAL; a standby replaying the WAL has what the engine has.
     */
    private static boolean exact(Fork fork) {
        return fork == Fork.MAIN || fork == Fork.INIT;
    }

    // ---- the primary's view

    private void note(Statement s, String what, String... relations) throws SQLException {
        long lsn = lsn(s);
        for (String rel : relations) {
            for (RelFork f : forks(s, rel)) {
                if (f.fork() != Fork.INIT) {
                    probe(s, what + ": " + rel, f, lsn);
                }
            }
        }
    }

    private void noteInit(Statement s, String what, String... relations) throws SQLException {
        long lsn = lsn(s);
        for (String rel : relations) {
            for (RelFork f : forks(s, rel)) {
                if (f.fork() == Fork.INIT) {
                    probe(s, what + ": " + rel, f, lsn);
                }
            }
        }
    }

    private void noteForks(Statement s, String what, List<RelFork> forks) throws SQLException {
        long lsn = lsn(s);
        for (RelFork f : forks) {
            probes.add(new Probe(what, f, lsn, false, 0));
        }
    }

    private void probe(Statement s, String what, RelFork f, long lsn) throws SQLException {
        String path = f.spc() == 1663 ? "base/" + f.db() + "/" + f.rel() : null;
        String suffix = switch (f.fork()) {
            case MAIN -> "";
            case FSM -> "_fsm";
            case VM -> "_vm";
            case INIT -> "_init";
        };
        try (ResultSet rs = s.executeQuery("SELECT (pg_stat_file('" + path + suffix + "', true)).size")) {
            rs.next();
            long size = rs.getLong(1);
            boolean exists = !rs.wasNull();
            probes.add(new Probe(what, f, lsn, exists, exists ? size / 8192 : 0));
        }
    }

    /** The four forks of a relation of the connected database (default tablespace). */
    private static List<RelFork> forks(Statement s, String relation) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT pg_relation_filepath('" + relation + "')")) {
            rs.next();
            String[] parts = rs.getString(1).split("/"); // base/<db>/<relfilenode>
            List<RelFork> out = new ArrayList<>();
            for (Fork f : Fork.values()) {
                out.add(RelFork.of(1663, Long.parseLong(parts[1]), Long.parseLong(parts[2]), f));
            }
            return out;
        }
    }

    private static long lsn(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT pg_current_wal_insert_lsn()")) {
            rs.next();
            return Lsn.parse(rs.getString(1)).value();
        }
    }

    private static void waitFlushed(Statement s, long lsn) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try (ResultSet rs = s.executeQuery("SELECT pg_current_wal_flush_lsn()")) {
                rs.next();
                if (Lsn.compare(Lsn.parse(rs.getString(1)).value(), lsn) >= 0) {
                    return;
                }
            }
            assertThat(System.nanoTime()).as("WAL flushed to %s", Lsn.format(lsn)).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    /** Copies the segment files holding [start, end] out of the server through SQL. */
    // ---- the engine's view

    private static JsonNode get(WebServer server, Probe p) throws Exception {
        String path = "/v1/tenants/" + TL.tenant() + "/timelines/" + TL.timeline() + "/relations/" + p.fork().spc()
                + "/" + p.fork().db() + "/" + p.fork().rel() + "?fork=" + p.fork().fork().label() + "&lsn="
                + Lsn.format(p.lsn());
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).GET().build();
        HttpResponse<byte[]> r = TestServer.CLIENT.send(req, HttpResponse.BodyHandlers.ofByteArray());
        // as a client does: 503 not-ready (the follower still loading the topic) means retry after a while
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (r.statusCode() == 503 && new String(r.body()).contains("/problems/not-ready") && System.nanoTime() < deadline) {
            Thread.sleep(200);
            r = TestServer.CLIENT.send(req, HttpResponse.BodyHandlers.ofByteArray());
        }
        assertThat(r.statusCode()).as("%s: %s", p, new String(r.body())).isEqualTo(200);
        return Json.MAPPER.readTree(r.body());
    }
}
