package io.storageengine.ingest.it;

import io.storageengine.testsupport.PgWorkload;
import static org.assertj.core.api.Assertions.assertThat;

import io.storageengine.ingest.cli.IngestCli;
import io.storageengine.postgres.wal.frame.PgRecordPayload;
import io.storageengine.schemas.kafka.RelationTopic;
import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.relation.RelationRecord;
import io.storageengine.schemas.timeline.TenantId;
import io.storageengine.schemas.timeline.TimelineId;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.Frame;
import io.storageengine.schemas.wal.FrameCodec;
import io.storageengine.schemas.wal.Lsn;
import io.storageengine.schemas.wal.RecordType;
import io.storageengine.testsupport.KafkaTestBroker;
import io.storageengine.testsupport.LocalPostgres;
import io.storageengine.testsupport.internal.PgInstall;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code publish --pg-wal DIR} against a real PostgreSQL 15 and a real Kafka broker: WAL written by
 * a workload (tables, TOAST, updates, deletes, index, VACUUM, TRUNCATE, DROP, CREATE DATABASE) is
 * copied out of the server; every block reference {@code pg_waldump -b} lists in the range must land
 * in the topic exactly once, as a PG_RECORD frame keyed by its page at the record's end LSN; records
 * without block references are not published; the final WATERMARK covers the range. A corrupt page in
 * the middle of the copied WAL stops the run with exit 1 and nothing at or after the bad record published.
 */
class PgWalIngestIT {
    private static final KafkaTestBroker BROKER = KafkaTestBroker.shared();
    private static LocalPostgres pg;

    private static final Pattern REC = Pattern.compile("^rmgr: \\S+\\s+len \\(rec/tot\\):\\s+\\d+/\\s*\\d+, tx:\\s+\\d+, "
            + "lsn: ([0-9A-F]+/[0-9A-F]+), prev [0-9A-F]+/[0-9A-F]+, desc: (\\S+).*$");
    private static final Pattern BLK = Pattern.compile("^\\tblkref #(\\d+): rel (\\d+)/(\\d+)/(\\d+) fork (\\w+) blk (\\d+).*$");

    record Expected(long start, List<PageRef> pages, String name) {
    }

    @BeforeAll
    static void start() {
        pg = LocalPostgres.shared();
    }

    @Test
    void everyBlockReferenceReachesTheTopicOnceAtItsEndLsn(@TempDir Path tmp) throws Exception {
        Path walDir = Files.createDirectories(tmp.resolve("pg_wal"));
        long[] range = workload(walDir);
        List<Expected> expected = waldump(walDir, tmp, range[0], range[1]);
        assertThat(expected).hasSizeGreaterThan(1000);

        String topic = BROKER.createUniqueTopic("pgwal-it", 4);
        BROKER.createTopic(RelationTopic.nameFor(topic), 1, Map.of("retention.ms", "-1"));
        TimelineKey tl = new TimelineKey(TenantId.random(), TimelineId.random());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = IngestCli.run(new String[] {"publish", "--tenant", tl.tenant().toString(), "--timeline",
                tl.timeline().toString(), "--bootstrap", BROKER.bootstrapServers(), "--topic", topic, "--quiet",
                "--pg-wal", walDir.toString(), "--start-lsn", Lsn.format(range[0]), "--end-lsn", Lsn.format(range[1])},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String summary = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as("exit; stdout %s stderr %s", summary, err).isZero();
        assertThat(summary).contains("stream=pg-wal:").contains("advances_by_rmgr=").contains("Transaction:");

        // (page, end LSN) of every block reference, from pg_waldump's starts: a record ends where the next
        // one starts, less the page header when the next one is the first on its page.
        Map<String, Integer> want = new HashMap<>();
        long blocks = 0;
        for (int i = 0; i + 1 < expected.size(); i++) {
            long end = endOf(expected.get(i), expected.get(i + 1).start());
            for (PageRef p : expected.get(i).pages()) {
                want.merge(p + "@" + Lsn.format(end), 1, Integer::sum);
                blocks++;
            }
        }
        Map<String, Integer> got = new HashMap<>();
        long watermark = 0;
        long vmFrames = 0;
        for (ConsumerRecord<byte[], byte[]> r : TopicReader.readAll(BROKER, topic)) {
            Frame f = FrameCodec.decodeExactly(r.value());
            if (r.key().length == TimelineKey.SIZE) {
                assertThat(f.typeCode()).isEqualTo(RecordType.WATERMARK.code());
                watermark = Math.max(watermark, f.lsn());
                continue;
            }
            assertThat(f.typeCode()).isEqualTo(PgRecordPayload.TYPE_CODE);
            PgRecordPayload p = PgRecordPayload.parse(f.payload(), f.lsn());
            assertThat(PageRef.read(ByteBuffer.wrap(r.key(), TimelineKey.SIZE, PageRef.SIZE))).isEqualTo(p.page());
            if (p.vmOfBlock()) {
                // format 1.2: the VM page a heap record clears implicitly; pg_waldump lists no block for it
                assertThat(p.page().forkNum()).isEqualTo(2);
                vmFrames++;
                continue;
            }
            if (f.lsn() <= endOf(expected.get(expected.size() - 2), expected.getLast().start())) {
                got.merge(p.page() + "@" + Lsn.format(f.lsn()), 1, Integer::sum);
            }
        }
        assertThat(got).as("block references in the topic vs pg_waldump (%d)", blocks).isEqualTo(want);
        assertThat(summary).contains("vm_frames=" + vmFrames);
        // relation metadata went along (RelationSizesIT checks its values against the server)
        List<RelationRecord> relations = TopicReader.readAll(BROKER, RelationTopic.nameFor(topic)).stream()
                .map(r -> RelationRecord.decode(r.value())).toList();
        assertThat(relations).hasAtLeastOneElementOfType(RelationRecord.Size.class)
                .hasAtLeastOneElementOfType(RelationRecord.Watermark.class);
        assertThat(Lsn.compare(watermark, endOf(expected.get(expected.size() - 2), expected.getLast().start())))
                .isGreaterThanOrEqualTo(0);
    }

    @Test
    void corruptWalInTheMiddleStopsWithNothingAfterItPublished(@TempDir Path tmp) throws Exception {
        Path walDir = Files.createDirectories(tmp.resolve("pg_wal"));
        long[] range = workload(walDir);
        // garbage over one page in the middle of the range
        long bad = ((range[0] + range[1]) / 2) & ~8191L;
        String file = Files.list(walDir).map(p -> p.getFileName().toString()).sorted()
                .filter(n -> segStart(n) <= bad && bad < segStart(n) + (16L << 20)).findFirst().orElseThrow();
        byte[] seg = Files.readAllBytes(walDir.resolve(file));
        for (int i = 0; i < 8192; i++) {
            seg[(int) (bad - segStart(file)) + i] = (byte) (i * 7 + 1);
        }
        Files.write(walDir.resolve(file), seg);

        String topic = BROKER.createUniqueTopic("pgwal-bad", 2);
        BROKER.createTopic(RelationTopic.nameFor(topic), 1, Map.of("retention.ms", "-1"));
        TimelineKey tl = new TimelineKey(TenantId.random(), TimelineId.random());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = IngestCli.run(new String[] {"publish", "--tenant", tl.tenant().toString(), "--timeline",
                tl.timeline().toString(), "--bootstrap", BROKER.bootstrapServers(), "--topic", topic, "--quiet",
                "--pg-wal", walDir.toString(), "--start-lsn", Lsn.format(range[0])},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("corrupt WAL record at").contains(file);
        long maxLsn = 0;
        int frames = 0;
        for (ConsumerRecord<byte[], byte[]> r : TopicReader.readAll(BROKER, topic)) {
            long lsn = FrameCodec.decodeExactly(r.value()).lsn();
            maxLsn = Math.max(maxLsn, lsn);
            frames++;
        }
        assertThat(frames).isPositive();
        assertThat(maxLsn).isLessThanOrEqualTo(bad);
        for (ConsumerRecord<byte[], byte[]> r : TopicReader.readAll(BROKER, RelationTopic.nameFor(topic))) {
            assertThat(RelationRecord.decode(r.value()).lsn()).isLessThanOrEqualTo(bad);
        }
    }

    static long endOf(Expected rec, long nextStart) {
        if ("SWITCH".equals(rec.name())) {
            return (rec.start() / (16L << 20) + 1) * (16L << 20);
        }
        if (nextStart % (16L << 20) == 40) {
            return nextStart - 40;
        }
        return nextStart % 8192 == 24 ? nextStart - 24 : nextStart;
    }

    static long segStart(String name) {
        return (Long.parseLong(name.substring(8, 16), 16) * 256 + Long.parseLong(name.substring(16), 16)) * (16L << 20);
    }

    /** Runs the workload; copies the segments holding it to {@code walDir}; returns {start, end}. */
    static long[] workload(Path walDir) throws Exception {
        try (Connection c = pg.connect("postgres"); Statement s = c.createStatement()) {
            String t = "ing_" + System.nanoTime();
            // a slot keeps the server from recycling the segments before they are copied
            s.execute("SELECT pg_create_physical_replication_slot('" + t + "', true)");
            long start = lsn(s, "SELECT pg_current_wal_insert_lsn()");
            s.execute("CREATE TABLE " + t + " (id int PRIMARY KEY, v text)");
            s.execute("INSERT INTO " + t + " SELECT g, md5(g::text) FROM generate_series(1, 5000) g");
            s.execute("CHECKPOINT");
            s.execute("UPDATE " + t + " SET v = v || 'x' WHERE id % 4 = 0");
            s.execute("DELETE FROM " + t + " WHERE id % 9 = 0");
            s.execute("INSERT INTO " + t + " SELECT g, (SELECT string_agg(md5(random()::text || k), '') "
                    + "FROM generate_series(1, 200) k) FROM generate_series(900001, 900004) g");
            s.execute("CREATE INDEX ON " + t + " (left(v, 20))");
            s.execute("VACUUM " + t);
            s.execute("CREATE TABLE " + t + "_b AS SELECT * FROM " + t);
            s.execute("TRUNCATE " + t + "_b");
            s.execute("DROP TABLE " + t + "_b");
            s.execute("CREATE DATABASE " + t + "_db");
            s.execute("DROP DATABASE " + t + "_db");
            long end = lsn(s, "SELECT pg_current_wal_insert_lsn()");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (Lsn.compare(lsn(s, "SELECT pg_current_wal_flush_lsn()"), end) < 0) {
                assertThat(System.nanoTime()).as("WAL flushed").isLessThan(deadline);
                Thread.sleep(50);
            }
            PgWorkload.copySegments(c, start, end, walDir);
            s.execute("SELECT pg_drop_replication_slot('" + t + "')");
            return new long[] {start, end};
        }
    }

    static long lsn(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return Lsn.parse(rs.getString(1)).value();
        }
    }

    static List<Expected> waldump(Path walDir, Path tmp, long start, long end) throws Exception {
        Path out = tmp.resolve("waldump.txt");
        List<String> cmd = List.of(PgInstall.binDir().resolve("pg_waldump").toString(), "-b", "-p", walDir.toString(),
                "-s", Lsn.format(start), "-e", Lsn.format(end));
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectErrorStream(false).start();
        String errText = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("pg_waldump: %s", errText).isZero();
        List<Expected> recs = new ArrayList<>();
        List<PageRef> pages = null;
        for (String line : Files.readAllLines(out)) {
            Matcher m = REC.matcher(line);
            if (m.matches()) {
                pages = new ArrayList<>();
                recs.add(new Expected(Lsn.parse(m.group(1)).value(), pages, m.group(2)));
                continue;
            }
            Matcher b = BLK.matcher(line);
            if (b.matches()) {
                int fork = switch (b.group(5)) {
                    case "main" -> 0;
                    case "fsm" -> 1;
                    case "vm" -> 2;
                    default -> 3;
                };
                pages.add(new PageRef((int) Long.parseLong(b.group(2)), (int) Long.parseLong(b.group(3)),
                        (int) Long.parseLong(b.group(4)), fork, (int) Long.parseLong(b.group(6))));
            }
        }
        return recs;
    }
}
