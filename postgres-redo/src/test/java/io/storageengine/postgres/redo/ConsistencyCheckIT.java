package io.storageengine.postgres.redo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;

import io.storageengine.schemas.wal.Lsn;
import io.storageengine.testsupport.LocalPostgres;
import io.storageengine.testsupport.PgWorkload;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our redo against PostgreSQL 15's own pages: a workload in sessions with
 * {@code wal_consistency_checking = all} (every record carries an image of each page it touches
 * as PostgreSQL left it), right after a CHECKPOINT with {@code full_page_writes = on}; then the
 * {@link ConsistencyChecker} replays the WAL range with our engine and compares every such page
 * after masking. Workload: tables with and without TOAST, inserts, HOT and non-HOT updates,
 * deletes, INSERT ON CONFLICT, row locks from two sessions (multixacts), VACUUM, VACUUM FREEZE,
 * indexes (splits, dedup, deletion), mass delete + VACUUM (btree page deletion), sequences,
 * {@code pgbench -i} and a short {@code pgbench -T}. Unsupported kinds are reported, not failures.
 *
 * <p>With {@code -Dpgredo.fixtures.out=DIR} it writes {@code pg15-redo.fixtures.gz} there (one
 * checked block per record kind) for {@code RecordFixturesTest}.
 */
class ConsistencyCheckIT {

    @Test
    void ourRedoEqualsPostgresOnTheWorkload(@TempDir Path tmp) throws Exception {
        LocalPostgres pg = LocalPostgres.shared();
        String db = pg.createDatabase("redo_check");
        Path walDir = Files.createDirectories(tmp.resolve("pg_wal"));
        String slot = "redo_check_" + ProcessHandle.current().pid();
        long start;
        long end;
        boolean hints;
        try (Connection c = pg.connect(db); Statement s = c.createStatement();
             Connection c2 = pg.connect(db); Statement s2 = c2.createStatement()) {
            s.execute("SET wal_consistency_checking = 'all'");
            s2.execute("SET wal_consistency_checking = 'all'");
            s2.execute("SET wal_compression = 'lz4'"); // images of the second session come compressed
            hints = "on".equals(PgWorkload.string(s, "SHOW wal_log_hints"))
                    || "on".equals(PgWorkload.string(s, "SHOW data_checksums"));
            s.execute("SELECT pg_create_physical_replication_slot('" + slot + "', true)");
            try {
                s.execute("CHECKPOINT");
                start = PgWorkload.lsn(s, "SELECT pg_current_wal_insert_lsn()");
                PgWorkload.run(s, c, s2, c2);
                PgWorkload.pgbench(pg, db, true, "-i", "-s", "1", "-q");
                PgWorkload.pgbench(pg, db, true, "-n", "-T", "3", "-c", "2");
                s.execute("VACUUM FREEZE pgbench_accounts");
                end = PgWorkload.lsn(s, "SELECT pg_current_wal_insert_lsn()");
                s.execute("SELECT pg_switch_wal()");
                PgWorkload.waitFlushed(s, end);
                PgWorkload.copySegments(c, start, end, walDir);
            } finally {
                s.execute("SELECT pg_drop_replication_slot('" + slot + "')");
            }
        }
        ConsistencyChecker checker = new ConsistencyChecker(new PgRedoEngine(hints), PgVerify.DEFAULT_MAX_PAGES);
        Map<String, RedoFixtures.Entry> fixtures = new LinkedHashMap<>();
        checker.onChecked(ch -> {
            String name = ch.record().rmgr() + "/" + ch.record().recordName();
            if (ch.equal() && !fixtures.containsKey(name) && ch.record().totalLength() < 40_000) {
                byte[] bytes = new byte[ch.record().totalLength()];
                ch.record().bytes().get(bytes);
                fixtures.put(name, new RedoFixtures.Entry(name, ch.record().endLsn().value(), ch.blockId(), ch.before(),
                        bytes));
            }
        });
        CheckReport report = PgVerify.verify(walDir, Lsn.of(start), Lsn.of(end), checker);
        System.out.println(report.describe());
        writeFixturesIfAsked(fixtures);

        assertThat(report.errors()).as("records that could not apply:\n%s", report.describe()).isEmpty();
        assertThat(report.differ()).as("pages that differ:\n%s", report.describe()).isZero();
        assertThat(report.recordsChecked()).isGreaterThan(2_000);
        assertThat(report.perKind().keySet()).contains(
                "Heap/INSERT", "Heap/INSERT+INIT", "Heap/UPDATE", "Heap/HOT_UPDATE", "Heap/DELETE", "Heap/LOCK",
                "Heap/INPLACE", "Heap/HEAP_CONFIRM", "Heap2/PRUNE", "Heap2/VACUUM", "Heap2/FREEZE_PAGE", "Heap2/VISIBLE",
                "Heap2/MULTI_INSERT", "Heap2/MULTI_INSERT+INIT", "Heap2/LOCK_UPDATED", "Btree/INSERT_LEAF", "Btree/INSERT_UPPER",
                "Btree/SPLIT_L", "Btree/SPLIT_R", "Btree/NEWROOT", "Btree/VACUUM", "Btree/MARK_PAGE_HALFDEAD",
                "Btree/UNLINK_PAGE", "Btree/DEDUP", "Btree/DELETE", "Sequence/LOG");
        assertThat(report.perKind().keySet()).contains("Hash/INIT_META_PAGE", "Hash/INIT_BITMAP_PAGE", "Hash/INSERT",
                "Hash/ADD_OVFL_PAGE", "Hash/SPLIT_ALLOCATE_PAGE", "Hash/SPLIT_COMPLETE", "Hash/DELETE",
                "Hash/SQUEEZE_PAGE", "Hash/UPDATE_META_PAGE", "Gin/INSERT", "Gin/CREATE_PTREE",
                "Gin/INSERT_LISTPAGE", "Gin/UPDATE_META_PAGE", "Gin/DELETE_LISTPAGE", "Gin/VACUUM_DATA_LEAF_PAGE",
                "Gist/PAGE_UPDATE", "Gist/PAGE_SPLIT", "Gist/PAGE_DELETE", "BRIN/CREATE_INDEX", "BRIN/INSERT",
                "BRIN/REVMAP_EXTEND", "BRIN/SAMEPAGE_UPDATE", "BRIN/DESUMMARIZE");
        assertThat(report.perKind().keySet()).contains("SPGist/ADD_LEAF", "SPGist/PICKSPLIT", "SPGist/ADD_NODE",
                "SPGist/MOVE_LEAFS", "SPGist/VACUUM_LEAF", "SPGist/VACUUM_REDIRECT");
        assertThat(report.perKind().keySet()).contains("Generic/Generic");
        assertThat(report.unsupported()).as("every kind the workload writes is implemented").isEmpty();
    }

    private static void writeFixturesIfAsked(Map<String, RedoFixtures.Entry> fixtures) throws IOException {
        String dir = System.getProperty("pgredo.fixtures.out");
        if (dir == null) {
            return;
        }
        try (OutputStream out = Files.newOutputStream(Path.of(dir).resolve("pg15-redo.fixtures.gz"))) {
            RedoFixtures.write(out, new ArrayList<>(fixtures.values()));
        }
        System.out.println("wrote " + fixtures.size() + " fixtures: " + fixtures.keySet());
    }

}
