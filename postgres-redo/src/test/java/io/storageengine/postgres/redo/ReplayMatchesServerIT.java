package io.storageengine.postgres.redo;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.storageengine.postgres.redo.internal.Masks;
import io.storageengine.postgres.redo.internal.Page;
import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.wal.Lsn;
import io.storageengine.testsupport.LocalPostgres;
import io.storageengine.testsupport.PgWorkload;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pages really replayed: the same workload with ordinary settings (no consistency images, so
 * every record after a page's first image is replayed by our engine), then every page of the
 * database's user relations that the WAL range touched, as our replay left it, is compared with
 * the server's page ({@code get_raw_page}, pageinspect) after masking: heap and btree pages with
 * their masks, hash, GIN, GiST, BRIN and SP-GiST index pages (not the SP-GiST metapage, whose
 * last-used-pages cache PostgreSQL writes without WAL), and visibility-map pages (LSN masked only, so the VM bits that
 * Heap2/VISIBLE sets and heap records clear implicitly are checked too).
 */
class ReplayMatchesServerIT {

    @Test
    void replayedPagesEqualTheServersPages(@TempDir Path tmp) throws Exception {
        LocalPostgres pg = LocalPostgres.shared();
        String db = pg.createDatabase("redo_replay");
        Path walDir = Files.createDirectories(tmp.resolve("pg_wal"));
        String slot = "redo_replay_" + ProcessHandle.current().pid();
        long start;
        long end;
        int dbOid;
        try (Connection c = pg.connect(db); Statement s = c.createStatement();
             Connection c2 = pg.connect(db); Statement s2 = c2.createStatement()) {
            s.execute("CREATE EXTENSION IF NOT EXISTS pageinspect");
            dbOid = Integer.parseInt(PgWorkload.string(s, "SELECT oid FROM pg_database WHERE datname = current_database()"));
            s.execute("SELECT pg_create_physical_replication_slot('" + slot + "', true)");
            try {
                s.execute("CHECKPOINT");
                start = PgWorkload.lsn(s, "SELECT pg_current_wal_insert_lsn()");
                PgWorkload.run(s, c, s2, c2);
                PgWorkload.pgbench(pg, db, false, "-i", "-s", "1", "-q");
                PgWorkload.pgbench(pg, db, false, "-n", "-T", "3", "-c", "2");
                s.execute("UPDATE t SET v = v || 'after-freeze' WHERE id % 101 = 0"); // clears VM bits
                s.execute("DELETE FROM pgbench_accounts WHERE aid % 997 = 0");
                end = PgWorkload.lsn(s, "SELECT pg_current_wal_insert_lsn()");
                s.execute("SELECT pg_switch_wal()");
                PgWorkload.waitFlushed(s, end);
                PgWorkload.copySegments(c, start, end, walDir);
            } finally {
                s.execute("SELECT pg_drop_replication_slot('" + slot + "')");
            }

            ConsistencyChecker replay = new ConsistencyChecker(new PgRedoEngine(false), 200_000);
            CheckReport report = PgVerify.verify(walDir, Lsn.of(start), Lsn.of(end), replay);
            assertThat(report.errors()).as(report.describe()).isEmpty();
            // pg-replay (the crash-recovery path, pages modified in place) must leave the same pages
            PgReplay fast = new PgReplay(false, 200_000);
            PgReplay.Result replayed = PgReplay.replay(walDir, Lsn.of(start), Lsn.of(end), fast);
            assertThat(replayed.errors()).as(replayed.describe()).isEmpty();
            assertThat(replayed.records()).isEqualTo(report.records());
            assertThat(fast.pages().keySet()).isEqualTo(replay.trackedPages().keySet());
            replay.trackedPages().forEach((ref, page) ->
                    assertThat(fast.pages().get(ref)).as("pg-replay's %s", ref).isEqualTo(page));

            Map<Integer, String[]> rels = relations(c);
            int compared = 0;
            int vmPages = 0;
            List<String> diffs = new ArrayList<>();
            for (Map.Entry<PageRef, byte[]> e : replay.trackedPages().entrySet()) {
                PageRef ref = e.getKey();
                String[] rel = rels.get(ref.relNumber());
                if (ref.dbOid() != dbOid || rel == null || ref.forkNum() == 1 || ref.forkNum() == 3) {
                    continue;
                }
                byte[] theirs = rawPage(c, rel[0], ref.forkNum() == 2 ? "vm" : "main", ref.blockNum());
                if (theirs == null || Long.compareUnsigned(new Page(theirs).lsn(), end) > 0) {
                    continue; // truncated away, or changed after the range
                }
                String kind = ref.forkNum() == 2 ? "vm" : rel[1];
                if (kind.equals("spgist") && ref.blockNum() == 0) {
                    continue; // the SP-GiST metapage's last-used-pages cache is written without WAL
                }
                byte[] ours = e.getValue().clone();
                if (!mask(kind, ours, ref.blockNum()) || !mask(kind, theirs, ref.blockNum())) {
                    continue;
                }
                compared++;
                vmPages += ref.forkNum() == 2 ? 1 : 0;
                if (!java.util.Arrays.equals(ours, theirs)) {
                    int i = java.util.Arrays.mismatch(ours, theirs);
                    diffs.add(rel[0] + " " + ref + " (" + kind + "): first difference at byte " + i);
                }
            }
            System.out.println("compared " + compared + " pages (" + vmPages + " VM pages), " + diffs.size()
                    + " differ; replay: " + report.records() + " records");
            assertThat(diffs).as("pages that differ from the server's").isEmpty();
            assertThat(compared).isGreaterThan(1_000);
            assertThat(vmPages).isGreaterThan(0);
        }
    }

    /** relfilenode → {name, kind}: heap or an index access method's name, or other (not compared). */
    private static Map<Integer, String[]> relations(Connection c) throws Exception {
        Map<Integer, String[]> out = new HashMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT pg_relation_filenode(c.oid), c.oid::regclass::text, c.relkind, coalesce(am.amname, '') "
                        + "FROM pg_class c LEFT JOIN pg_am am ON am.oid = c.relam "
                        + "WHERE c.relnamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace) "
                        + "AND pg_relation_filenode(c.oid) IS NOT NULL")) {
            while (rs.next()) {
                String relkind = rs.getString(3);
                String am = rs.getString(4);
                String kind = switch (relkind) {
                    case "r", "t", "m" -> "heap";
                    // nextval changes the sequence page in memory without WAL for values already logged
                    // ahead (a crash skips them), so the server's page is not what its WAL says: not compared
                    case "S" -> "other";
                    case "i" -> List.of("btree", "hash", "gin", "gist", "brin", "spgist").contains(am) ? am : "other";
                    default -> "other";
                };
                out.put((int) rs.getLong(1), new String[] {rs.getString(2), kind});
            }
        }
        return out;
    }

    private static boolean mask(String kind, byte[] page, int blk) {
        switch (kind) {
            case "heap" -> Masks.heapMask(page, blk);
            case "btree" -> Masks.btreeMask(page, blk);
            case "hash" -> Masks.hashMask(page, blk);
            case "gin" -> Masks.ginMask(page, blk);
            case "gist" -> Masks.gistMask(page, blk);
            case "brin" -> Masks.brinMask(page, blk);
            case "spgist" -> Masks.spgMask(page, blk);
            case "vm" -> Masks.maskLsnAndChecksum(page);
            default -> {
                return false;
            }
        }
        return true;
    }

    private static byte[] rawPage(Connection c, String rel, String fork, int blk) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT CASE WHEN ? < pg_relation_size(?::regclass, ?) / 8192 THEN get_raw_page(?, ?, ?) END")) {
            ps.setLong(1, Integer.toUnsignedLong(blk));
            ps.setString(2, rel);
            ps.setString(3, fork);
            ps.setString(4, rel);
            ps.setString(5, fork);
            ps.setLong(6, Integer.toUnsignedLong(blk));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBytes(1);
            }
        }
    }
}
