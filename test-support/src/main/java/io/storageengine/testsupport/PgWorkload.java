package io.storageengine.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.storageengine.schemas.wal.Lsn;
import io.storageengine.testsupport.internal.PgInstall;

/**
 * The PostgreSQL workload of the redo and end-to-end ITs and its plumbing: SQL covering every
 * record kind the redo engine implements (heap, HOT, TOAST, multixact locks, btree page deletion,
 * hash, GIN, GiST, BRIN, SP-GiST, a bloom index, sequences), pgbench runs, LSN queries, copying WAL
 * segment files out of the server through SQL ({@code pg_read_binary_file}). Stateless.
 */
public final class PgWorkload {

    /** Called between the workload's phases (to note an LSN and snapshot pages, say). */
    @FunctionalInterface
    public interface Pause {
        /** {@code phase}: 1 after the heap and btree part, 2 after the hash, GIN and GiST part. */
        void after(int phase) throws Exception;
    }

    private PgWorkload() {
    }

    /**
     * Runs the workload in the connected database: {@code s}/{@code c} and {@code s2}/{@code c2} are two
     * sessions (for the row locks that make a multixact). Needs the bloom extension (contrib).
     */
    public static void run(Statement s, Connection c, Statement s2, Connection c2) throws Exception {
        run(s, c, s2, c2, phase -> { });
    }

    /** As above, calling {@code pause} between phases. */
    public static void run(Statement s, Connection c, Statement s2, Connection c2, Pause pause) throws Exception {
        s.execute("CREATE SEQUENCE seq_a");
        s.execute("CREATE TABLE t (id int PRIMARY KEY, k int, v text, big text) WITH (fillfactor = 70, "
                + "autovacuum_enabled = off)");
        s.execute("CREATE INDEX t_k ON t (k)");
        s.execute("INSERT INTO t SELECT g, g % 50, md5(g::text), NULL FROM generate_series(1, 20000) g");
        // TOAST: incompressible values larger than the threshold
        s.execute("INSERT INTO t SELECT 100000 + g, 7, 'toast', (SELECT string_agg(md5(random()::text || k), '') "
                + "FROM generate_series(1, 400) k) FROM generate_series(1, 20) g");
        s.execute("SELECT nextval('seq_a') FROM generate_series(1, 200)");
        s.execute("UPDATE t SET v = v || 'h' WHERE id % 5 = 0");            // HOT (no indexed column changes)
        s.execute("UPDATE t SET k = k + 1000 WHERE id % 17 = 0");           // non-HOT
        s.execute("UPDATE t SET v = repeat('w', 900) WHERE id % 97 = 0");   // grows: moves to other pages
        s.execute("DELETE FROM t WHERE id % 13 = 0");
        s.execute("INSERT INTO t VALUES (1, 1, 'x', NULL) ON CONFLICT DO NOTHING");
        s.execute("INSERT INTO t VALUES (-1, 1, 'x', NULL) ON CONFLICT (id) DO UPDATE SET v = 'y'");
        s.execute("INSERT INTO t VALUES (-1, 1, 'x', NULL) ON CONFLICT (id) DO UPDATE SET v = 'z'");
        // row locks from two sessions: shared locks make a multixact
        c.setAutoCommit(false);
        c2.setAutoCommit(false);
        s.execute("SELECT * FROM t WHERE id BETWEEN 2 AND 40 FOR SHARE");
        s2.execute("SELECT * FROM t WHERE id BETWEEN 2 AND 40 FOR SHARE");
        c.commit();
        c2.commit();
        s.execute("SELECT * FROM t WHERE id BETWEEN 41 AND 60 FOR UPDATE");
        c.commit();
        s.execute("SELECT * FROM t WHERE id BETWEEN 61 AND 80 FOR KEY SHARE");
        s2.execute("UPDATE t SET v = 'locked-updated' WHERE id BETWEEN 61 AND 80");
        c.commit();
        c2.commit();
        // key-share lock of a row whose newer version an open transaction wrote: locks the update chain
        s2.execute("UPDATE t SET v = 'chain' WHERE id = 82");
        s.execute("SET lock_timeout = '5s'");
        try {
            s.execute("SELECT * FROM t WHERE id = 82 FOR KEY SHARE");
            c.commit();
        } catch (SQLException e) {
            c.rollback();
        }
        c2.commit();
        c.setAutoCommit(true);
        c2.setAutoCommit(true);
        s.execute("VACUUM t");
        s.execute("UPDATE t SET v = v || 'again' WHERE id % 7 = 1");
        s.execute("SELECT count(*) FROM t WHERE v LIKE '%again'");          // prunes on access
        // btree page deletion: mass delete, then VACUUM
        s.execute("CREATE TABLE d (id int, pad text) WITH (autovacuum_enabled = off)");
        s.execute("CREATE INDEX d_id ON d (id)");
        s.execute("INSERT INTO d SELECT g, repeat('p', 40) FROM generate_series(1, 60000) g");
        s.execute("DELETE FROM d WHERE id > 2000");
        s.execute("VACUUM d");
        s.execute("VACUUM FREEZE t");
        s.execute("SELECT nextval('seq_a') FROM generate_series(1, 100)");
        // btree simple and bottom-up deletion: non-HOT updates of full pages leave duplicates of unchanged keys
        s.execute("CREATE TABLE bu (id int PRIMARY KEY, v text) WITH (autovacuum_enabled = off)");
        s.execute("INSERT INTO bu SELECT g, 'v' FROM generate_series(1, 5000) g");
        for (int i = 0; i < 6; i++) {
            s.execute("UPDATE bu SET v = v || 'x' WHERE id <= 2000");
        }
        s.execute("SELECT count(*) FROM bu WHERE id BETWEEN 1 AND 3000");
        pause.after(1);
        s.execute("CREATE INDEX t_v_hash ON t USING hash (v)");
        s.execute("INSERT INTO t SELECT g, 1, md5(g::text), NULL FROM generate_series(200001, 200300) g");
        // hash index growing from empty: bucket splits, overflow pages; then deletes, VACUUM (squeeze)
        s.execute("CREATE TABLE h (id int, k int) WITH (autovacuum_enabled = off)");
        s.execute("CREATE INDEX h_k ON h USING hash (k)");
        s.execute("INSERT INTO h SELECT g, g % 700 FROM generate_series(1, 30000) g");
        s.execute("DELETE FROM h WHERE id % 3 <> 0");
        s.execute("SELECT count(*) FROM h WHERE k = 5");
        s.execute("INSERT INTO h SELECT g, 5 FROM generate_series(1, 200) g");
        s.execute("VACUUM h");
        // GIN: direct inserts (entry tree, posting trees), a fast-update pending list, deletes, VACUUM
        s.execute("CREATE TABLE g (id int, tags int[]) WITH (autovacuum_enabled = off)");
        s.execute("CREATE INDEX g_tags ON g USING gin (tags) WITH (fastupdate = off)");
        s.execute("CREATE INDEX g_tags_fu ON g USING gin (tags) WITH (fastupdate = on)");
        s.execute("INSERT INTO g SELECT g, ARRAY[g % 10, g % 1000, g] FROM generate_series(1, 20000) g");
        s.execute("DELETE FROM g WHERE id % 4 = 0");
        s.execute("VACUUM g");
        s.execute("INSERT INTO g SELECT g, ARRAY[g % 10, 7] FROM generate_series(20001, 23000) g");
        s.execute("DELETE FROM g WHERE id % 3 = 0");
        s.execute("VACUUM g");
        // GiST: splits while growing, deletes, VACUUM (page updates and page deletion)
        s.execute("CREATE TABLE pts (id int, p point) WITH (autovacuum_enabled = off)");
        s.execute("CREATE INDEX pts_p ON pts USING gist (p)");
        s.execute("INSERT INTO pts SELECT g, point(g % 200, g / 200) FROM generate_series(1, 20000) g");
        s.execute("DELETE FROM pts WHERE id > 4000 OR id % 5 = 0");
        s.execute("VACUUM pts");
        s.execute("INSERT INTO pts SELECT g, point(g % 50, g % 70) FROM generate_series(1, 2000) g");
        pause.after(2);
        // BRIN: build, inserts into summarized ranges, desummarize and summarize again
        s.execute("CREATE INDEX h_id_brin ON h USING brin (id) WITH (pages_per_range = 4)");
        s.execute("INSERT INTO h SELECT g, 1 FROM generate_series(40001, 42000) g");
        s.execute("SELECT brin_desummarize_range('h_id_brin', 0)");
        s.execute("SELECT brin_summarize_new_values('h_id_brin')");
        s.execute("UPDATE h SET id = id + 100000 WHERE id % 97 = 0");
        // SP-GiST: quad tree on points and radix tree on text, built then grown, deletes, VACUUM
        s.execute("CREATE INDEX pts_p_spg ON pts USING spgist (p)");
        s.execute("INSERT INTO pts SELECT g, point(g % 300, g % 170) FROM generate_series(1, 6000) g");
        s.execute("CREATE TABLE words (id int, w text) WITH (autovacuum_enabled = off)");
        s.execute("CREATE INDEX words_w_spg ON words USING spgist (w)");
        s.execute("INSERT INTO words SELECT g, md5((g % 3000)::text) || g FROM generate_series(1, 8000) g");
        s.execute("DELETE FROM words WHERE id % 2 = 0");
        s.execute("DELETE FROM pts WHERE id % 3 = 0");
        s.execute("VACUUM words");
        s.execute("VACUUM pts");
        s.execute("INSERT INTO words SELECT g, 'again' || g FROM generate_series(1, 2000) g");
        s.execute("INSERT INTO words SELECT g, 'common-prefix-' || g FROM generate_series(1, 3000) g");
        s.execute("INSERT INTO words SELECT g, 'common-other-' || g FROM generate_series(1, 300) g");
        s.execute("INSERT INTO words SELECT g, 'comet' || g FROM generate_series(1, 300) g");
        // a bloom index: generic WAL
        s.execute("CREATE EXTENSION IF NOT EXISTS bloom");
        s.execute("CREATE INDEX words_bloom ON words USING bloom (id)");
        s.execute("INSERT INTO words SELECT g, 'b' FROM generate_series(1, 3000) g");
        s.execute("DELETE FROM words WHERE id % 5 = 0");
        s.execute("VACUUM words");
    }

    public static void pgbench(LocalPostgres pg, String db, boolean consistencyChecking, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(PgInstall.binDir().resolve("pgbench").toString(), "-h", "127.0.0.1",
                "-p", Integer.toString(pg.port()), "-U", pg.user()));
        cmd.addAll(List.of(args));
        cmd.add(db);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("PGPASSWORD", pg.password());
        if (consistencyChecking) {
            pb.environment().put("PGOPTIONS", "-c wal_consistency_checking=all");
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("pgbench " + String.join(" ", args) + " failed: " + out);
        }
    }

    public static String string(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    public static long lsn(Statement s, String sql) throws SQLException {
        return Lsn.parse(string(s, sql)).value();
    }

    public static void waitFlushed(Statement s, long lsn) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (Long.compareUnsigned(lsn(s, "SELECT pg_current_wal_flush_lsn()"), lsn) < 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("WAL not flushed to " + Lsn.format(lsn));
            }
            Thread.sleep(50);
        }
    }

    /** Copies the segment files holding [start, end] out of the server, through SQL. */
    public static void copySegments(Connection c, long start, long end, Path dir) throws SQLException, IOException {
        String first = walFile(c, start);
        String last = walFile(c, end);
        String tli = first.substring(0, 8);
        // file name = timeline, then the segment number as (segno / segments per 4 GiB, segno % that)
        long perId = 0x1_0000_0000L / (16L << 20);
        long a = Long.parseLong(first.substring(8, 16), 16) * perId + Long.parseLong(first.substring(16), 16);
        long b = Long.parseLong(last.substring(8, 16), 16) * perId + Long.parseLong(last.substring(16), 16);
        for (long seg = a; seg <= b; seg++) {
            String name = tli + String.format("%08X%08X", seg / perId, seg % perId);
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_read_binary_file('pg_wal/' || ?)")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    Files.write(dir.resolve(name), rs.getBytes(1));
                }
            }
        }
    }

    public static String walFile(Connection c, long lsn) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_walfile_name(?::pg_lsn)")) {
            ps.setString(1, Lsn.format(lsn));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }
}
