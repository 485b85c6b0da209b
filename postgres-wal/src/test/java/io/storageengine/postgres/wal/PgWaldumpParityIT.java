package io.storageengine.postgres.wal;

import io.storageengine.testsupport.PgWorkload;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.storageengine.postgres.wal.frame.PgRecordFrames;
import io.storageengine.postgres.wal.frame.PgRecordPayload;
import io.storageengine.schemas.wal.Lsn;
import io.storageengine.testsupport.LocalPostgres;
import io.storageengine.testsupport.internal.PgInstall;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reader against a real PostgreSQL 15: a workload (tables, TOAST, updates, deletes, index
 * build, VACUUM, TRUNCATE, DROP) right after a CHECKPOINT, with {@code wal_compression} set per run,
 * so full-page images come compressed with each method. The segment files are copied out of the
 * server ({@code pg_read_binary_file}), then every record {@code pg_waldump -b} lists in the range
 * must be decoded with the same LSN, lengths, xid, prev-link, rmgr, name and block references,
 * and every image must restore to a consistent 8192-byte page. Reading on to the end of the copied
 * WAL must stop cleanly (end of WAL, not an error).
 *
 * <p>With {@code -Dpgwal.fixtures.out=DIR}, it also writes the fixture files of
 * {@code src/test/resources/wal} (a few records of each kind) there.
 */
class PgWaldumpParityIT {

    static LocalPostgres pg;
    static final Map<String, DecodedRecord> FIXTURES = new LinkedHashMap<>();
    static final Map<String, String> FIXTURE_TEXT = new LinkedHashMap<>();

    @BeforeAll
    static void start() {
        pg = LocalPostgres.shared();
    }

    @ParameterizedTest
    @ValueSource(strings = {"off", "pglz", "lz4", "zstd", "lz4+consistency"})
    void everyRecordMatchesPgWaldump(String compression, @TempDir Path tmp) throws Exception {
        Path walDir = Files.createDirectories(tmp.resolve("pg_wal"));
        long start;
        long end;
        String table = "parity_" + compression.replace("+", "_");
        try (Connection c = pg.connect("postgres"); Statement s = c.createStatement()) {
            s.execute("SET wal_compression = '" + compression.replace("+consistency", "") + "'");
            if (compression.endsWith("+consistency")) {
                // every block reference then carries an image (not applied): records with several images
                s.execute("SET wal_consistency_checking = 'all'");
            }
            s.execute("DROP TABLE IF EXISTS " + table);
            // a slot keeps the server from recycling the segments before they are copied
            s.execute("SELECT pg_create_physical_replication_slot('" + table + "', true)");
            start = lsn(s, "SELECT pg_current_wal_insert_lsn()");
            s.execute("CREATE TABLE " + table + " (id int PRIMARY KEY, v text, pad text)");
            s.execute("INSERT INTO " + table + " SELECT g, md5(g::text), repeat('x', 200) FROM generate_series(1, 3000) g");
            s.execute("CHECKPOINT");
            s.execute("UPDATE " + table + " SET v = v || 'u' WHERE id % 3 = 0");
            s.execute("UPDATE " + table + " SET pad = 'y' WHERE id % 11 = 0");
            s.execute("DELETE FROM " + table + " WHERE id % 7 = 0");
            s.execute("INSERT INTO " + table + " SELECT g, (SELECT string_agg(md5(random()::text || k), '') "
                    + "FROM generate_series(1, 300) k), '' FROM generate_series(100001, 100005) g");
            s.execute("CREATE INDEX ON " + table + " (left(v, 30))");
            s.execute("VACUUM " + table);
            s.execute("CREATE TABLE " + table + "_tmp AS SELECT * FROM " + table + " WHERE id < 500");
            s.execute("TRUNCATE " + table + "_tmp");
            s.execute("DROP TABLE " + table + "_tmp");
            s.execute("BEGIN; INSERT INTO " + table + " VALUES (-1, 'a', 'b'); SAVEPOINT s1; "
                    + "INSERT INTO " + table + " VALUES (-2, 'a', 'b'); RELEASE s1; COMMIT");
            end = lsn(s, "SELECT pg_current_wal_insert_lsn()");
            waitFlushed(s, end);
            PgWorkload.copySegments(c, start, end, walDir);
            s.execute("SELECT pg_drop_replication_slot('" + table + "')");
        }
        String dump = pgWaldump(walDir, tmp.resolve("waldump.txt"), "-s", Lsn.format(start), "-e", Lsn.format(end));
        List<Waldump.Rec> expected = Waldump.parse(dump);
        assertThat(expected).as("pg_waldump lists records").hasSizeGreaterThan(1000);

        Map<BlockImage.Compression, Integer> images = new EnumMap<>(BlockImage.Compression.class);
        int multiImage = 0;
        try (XLogReader reader = XLogReader.open(WalSegmentSource.open(walDir), Lsn.of(start))) {
            for (Waldump.Rec d : expected) {
                DecodedRecord r = reader.next();
                assertThat(r).as("our reader ended before %s (%s)", d.line(), reader.endReason()).isNotNull();
                Waldump.assertSame(r, d);
                for (BlockRef b : r.blocks()) {
                    if (b.image() != null) {
                        images.merge(b.image().compression(), 1, Integer::sum);
                    }
                }
                keepFixture(r, d, compression);
                if (r.blocks().stream().filter(BlockRef::hasImage).count() > 1) {
                    assertReducedFrames(r, d.line());
                    multiImage++;
                }
            }
            // Read on to the end of the copied WAL: it ends cleanly at or after `end`.
            while (reader.next() != null) {
                // more records written by others after `end`
            }
            assertThat(reader.atEnd()).isTrue();
            assertThat(reader.endLsn().value()).isGreaterThanOrEqualTo(end);
            assertThat(reader.endReason()).isNotBlank();
        }
        BlockImage.Compression expectedMethod = switch (compression) {
            case "off" -> BlockImage.Compression.NONE;
            case "pglz" -> BlockImage.Compression.PGLZ;
            case "lz4", "lz4+consistency" -> BlockImage.Compression.LZ4;
            default -> BlockImage.Compression.ZSTD;
        };
        assertThat(images.getOrDefault(expectedMethod, 0)).as("images compressed with %s: %s", compression, images)
                .isGreaterThan(20);

        if (compression.endsWith("+consistency")) {
            assertThat(multiImage).as("records with several images").isGreaterThan(100);
        }

        // Default start: the first valid record of the oldest segment, as pg_waldump finds it.
        String firstSeg = Files.list(walDir).map(p -> p.getFileName().toString()).sorted().findFirst().orElseThrow();
        long segStart = segmentStart(firstSeg);
        String dump2 = pgWaldump(walDir, tmp.resolve("waldump2.txt"), "-s", Lsn.format(segStart), "-n", "5");
        List<Waldump.Rec> first = Waldump.parse(dump2);
        try (XLogReader reader = XLogReader.open(WalSegmentSource.open(walDir), null)) {
            for (Waldump.Rec d : first) {
                Waldump.assertSame(reader.next(), d);
            }
        }
        writeFixturesIfAsked();
    }

    /**
     * A short consecutive chain of records on one table with {@code wal_consistency_checking = 'all'}:
     * every block reference carries the page as it is after the record (not applied), so redo code
     * can check each record against PostgreSQL's own result. Decoded and compared with pg_waldump;
     * with {@code -Dpgwal.fixtures.out=DIR} written as {@code pg15-chain.records} (all records of the
     * range, in order) and {@code pg15-chain.waldump.txt}.
     */
    @org.junit.jupiter.api.Test
    void consecutiveChainWithConsistencyImages(@TempDir Path tmp) throws Exception {
        Path walDir = Files.createDirectories(tmp.resolve("pg_wal"));
        long start;
        long end;
        try (Connection c = pg.connect("postgres"); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS chain");
            s.execute("SELECT pg_create_physical_replication_slot('parity_chain', true)");
            s.execute("CREATE TABLE chain (id int PRIMARY KEY, v text)");
            s.execute("CHECKPOINT");
            s.execute("SET wal_compression = 'lz4'");
            s.execute("SET wal_consistency_checking = 'all'");
            start = lsn(s, "SELECT pg_current_wal_insert_lsn()");
            for (int i = 1; i <= 30; i++) {
                s.execute("INSERT INTO chain VALUES (" + i + ", repeat('v" + i + "', " + (5 + i % 7) + "))");
            }
            s.execute("UPDATE chain SET v = v || 'h' WHERE id % 5 = 0");      // HOT updates
            s.execute("UPDATE chain SET id = id + 1000 WHERE id % 9 = 0");    // non-HOT, index inserts
            s.execute("DELETE FROM chain WHERE id % 7 = 0");
            s.execute("VACUUM chain");
            end = lsn(s, "SELECT pg_current_wal_insert_lsn()");
            waitFlushed(s, end);
            PgWorkload.copySegments(c, start, end, walDir);
            s.execute("SELECT pg_drop_replication_slot('parity_chain')");
        }
        List<Waldump.Rec> expected = Waldump.parse(pgWaldump(walDir, tmp.resolve("chain.txt"), "-s", Lsn.format(start),
                "-e", Lsn.format(end)));
        assertThat(expected).hasSizeGreaterThan(40);
        List<DecodedRecord> chain = new ArrayList<>();
        try (XLogReader reader = XLogReader.open(WalSegmentSource.open(walDir), Lsn.of(start))) {
            for (Waldump.Rec d : expected) {
                DecodedRecord r = reader.next();
                Waldump.assertSame(r, d);
                chain.add(r);
            }
        }
        assertThat(chain.stream().flatMap(r -> r.blocks().stream()).filter(b -> b.hasImage() && !b.image().apply()))
                .hasSizeGreaterThan(40);
        String out = System.getProperty("pgwal.fixtures.out");
        if (out != null && !out.isBlank()) {
            Path dir = Files.createDirectories(Path.of(out));
            try (OutputStream o = Files.newOutputStream(dir.resolve("pg15-chain.records"))) {
                Fixtures.write(o, chain);
            }
            Files.copy(tmp.resolve("chain.txt"), dir.resolve("pg15-chain.waldump.txt"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Each block's PG_RECORD frame keeps its own image and drops the others', all else equal. */
    private static void assertReducedFrames(DecodedRecord r, String ctx) {
        List<byte[]> frames = new ArrayList<>();
        new PgRecordFrames().emit(r, new PgRecordFrames.Sink() {
            @Override
            public void frame(long lsn, io.storageengine.schemas.page.PageRef page, byte[] frame) {
                frames.add(frame);
            }

            @Override
            public void lsnAdvance(long lsn, DecodedRecord record) {
                throw new AssertionError(ctx);
            }
        });
        int vmFrames = io.storageengine.postgres.wal.heap.VmClearTargets.targets(r).size();
        assertThat(frames).as(ctx).hasSize(r.blocks().size() + vmFrames);
        for (int i = r.blocks().size(); i < frames.size(); i++) {
            // VM_OF_BLOCK frames (format 1.2) carry no image at all
            var f = io.storageengine.schemas.wal.FrameCodec.decodeExactly(frames.get(i));
            PgRecordPayload p = PgRecordPayload.parse(f.payload(), f.lsn());
            assertThat(p.vmOfBlock()).as(ctx).isTrue();
            assertThat(p.record().imageBytes()).as(ctx).isZero();
            assertThat(p.record().mainData()).as(ctx).isEqualTo(r.mainData());
        }
        for (int i = 0; i < r.blocks().size(); i++) {
            BlockRef orig = r.blocks().get(i);
            var f = io.storageengine.schemas.wal.FrameCodec.decodeExactly(frames.get(i));
            PgRecordPayload p = PgRecordPayload.parse(f.payload(), f.lsn());
            assertThat(p.reduced()).as(ctx).isTrue();
            assertThat(p.record().mainData()).as(ctx).isEqualTo(r.mainData());
            for (BlockRef b : p.record().blocks()) {
                BlockRef o = r.block(b.id());
                assertThat(b.pageRef()).as(ctx).isEqualTo(o.pageRef());
                assertThat(b.data()).as(ctx).isEqualTo(o.data());
                assertThat(b.hasImage()).as(ctx).isEqualTo(b.id() == orig.id() && o.hasImage());
            }
            if (orig.hasImage()) {
                assertThat(p.block().image().restorePage()).as(ctx).isEqualTo(orig.image().restorePage());
            }
        }
    }

    private static void keepFixture(DecodedRecord r, Waldump.Rec d, String compression) {
        if (r.totalLength() > 24_000) {
            return;
        }
        long imageCount = r.blocks().stream().filter(BlockRef::hasImage).count();
        String key = r.rmgr() + "/" + r.recordName() + (imageCount > 0 ? "/img" + Math.min(imageCount, 2) + "-" + compression : "")
                + (r.blocks().size() > 1 ? "/multi" : "");
        if (FIXTURES.containsKey(key)) {
            return;
        }
        FIXTURES.put(key, r);
        StringBuilder sb = new StringBuilder(d.line()).append('\n');
        for (Waldump.Block b : d.blocks()) {
            sb.append("\tblkref #").append(b.id()).append(": rel ").append(b.spc()).append('/').append(b.db())
                    .append('/').append(b.rel()).append(" fork ").append(b.fork()).append(" blk ").append(b.blk());
            if (b.image()) {
                sb.append(" (FPW").append(b.apply() ? "" : " for WAL verification").append("); hole: offset: ")
                        .append(b.holeOffset()).append(", length: ").append(b.holeLength());
                if (!"none".equals(b.method())) {
                    sb.append(", compression saved: 0, method: ").append(b.method());
                }
            }
            sb.append('\n');
        }
        FIXTURE_TEXT.put(key, sb.toString());
    }

    private static void writeFixturesIfAsked() throws IOException {
        String out = System.getProperty("pgwal.fixtures.out");
        if (out == null || out.isBlank()) {
            return;
        }
        Path dir = Files.createDirectories(Path.of(out));
        try (OutputStream o = Files.newOutputStream(dir.resolve("pg15.records"))) {
            Fixtures.write(o, new ArrayList<>(FIXTURES.values()));
        }
        Files.writeString(dir.resolve("pg15.waldump.txt"), String.join("", FIXTURE_TEXT.values()));
    }

    static long lsn(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return Lsn.parse(rs.getString(1)).value();
        }
    }

    static void waitFlushed(Statement s, long lsn) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (Long.compareUnsigned(lsn(s, "SELECT pg_current_wal_flush_lsn()"), lsn) < 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("WAL not flushed to " + Lsn.format(lsn));
            }
            Thread.sleep(50);
        }
    }

    /** Copies the segment files holding [start, end] out of the server, through SQL. */
    static long segmentStart(String fileName) {
        long hi = Long.parseLong(fileName.substring(8, 16), 16);
        long lo = Long.parseLong(fileName.substring(16, 24), 16);
        return (hi * 256 + lo) * (16L << 20);
    }

    static String pgWaldump(Path walDir, Path out, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(PgInstall.binDir().resolve("pg_waldump").toString(), "-b", "-p",
                walDir.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.PIPE).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = p.waitFor();
        String text = Files.readString(out);
        if (rc != 0 && !err.contains("error in WAL record")) {
            throw new AssertionError("pg_waldump " + cmd + " failed (" + rc + "): " + err);
        }
        return text;
    }
}
