package io.storageengine.postgres.redo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import io.storageengine.pagecore.PageApplyException;
import io.storageengine.pagecore.PageReplay;
import io.storageengine.pagecore.StoredVersion;
import io.storageengine.postgres.redo.internal.Masks;
import io.storageengine.postgres.redo.internal.Page;
import io.storageengine.postgres.wal.DecodedRecord;
import io.storageengine.postgres.wal.WalSegmentSource;
import io.storageengine.postgres.wal.XLogReader;
import io.storageengine.postgres.wal.frame.PgRecordFrames;
import io.storageengine.postgres.wal.frame.PgRecordPayload;
import io.storageengine.postgres.wal.rel.RelationTracker;
import io.storageengine.schemas.page.Fork;
import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.relation.RelFork;
import io.storageengine.schemas.wal.Frame;
import io.storageengine.schemas.wal.FrameCodec;
import io.storageengine.schemas.wal.Lsn;
import io.storageengine.schemas.wal.RecordType;
import io.storageengine.testsupport.LocalPostgres;
import io.storageengine.testsupport.PgWorkload;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Visibility-map pages served through the frame path (WAL format 1.2): a table is made
 * all-visible and all-frozen by VACUUM (FREEZE), then heap INSERT, COPY (MULTI_INSERT), UPDATE and
 * HOT_UPDATE, DELETE and SELECT FOR UPDATE (LOCK) clear its VM bits implicitly. The WAL range is
 * turned into frames by ingest's {@link PgRecordFrames}, each page's frames become page-core stored
 * versions replayed by page-core's {@link PageReplay} with this module's {@code PgRedoProvider}
 * (found by ServiceLoader), and the VM page must equal the server's byte for byte (checksum
 * masked), the heap pages after the heap mask. Without the VM_OF_BLOCK frames the VM page differs
 * (the frames are what makes it right). The relation tracker's VM fork size equals the server's.
 */
class VmFramesMatchServerIT {

    /** One page's versions in LSN order: stored values (page-core's encoding) and their LSNs. */
    private record Versions(List<Long> lsns, List<byte[]> stored, List<Boolean> vmOfBlock) {
        Versions() {
            this(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        }
    }

    @Test
    void vmPagesReplayedFromFramesEqualTheServersPages(@TempDir Path tmp) throws Exception {
        LocalPostgres pg = LocalPostgres.shared();
        String db = pg.createDatabase("vm_frames");
        Path walDir = Files.createDirectories(tmp.resolve("pg_wal"));
        String slot = "vm_frames_" + ProcessHandle.current().pid();
        long start;
        long end;
        int dbOid;
        int relNode;
        try (Connection c = pg.connect(db); Statement s = c.createStatement()) {
            s.execute("CREATE EXTENSION IF NOT EXISTS pageinspect");
            dbOid = Integer.parseInt(PgWorkload.string(s, "SELECT oid FROM pg_database WHERE datname = current_database()"));
            s.execute("SELECT pg_create_physical_replication_slot('" + slot + "', true)");
            try {
                s.execute("CHECKPOINT");
                start = PgWorkload.lsn(s, "SELECT pg_current_wal_insert_lsn()");
                s.execute("CREATE TABLE vt (id int, v text) WITH (autovacuum_enabled = off)");
                relNode = Integer.parseInt(PgWorkload.string(s, "SELECT pg_relation_filenode('vt')"));
                s.execute("INSERT INTO vt SELECT g, repeat('x', 100) FROM generate_series(1, 3000) g");
                s.execute("DELETE FROM vt WHERE id % 3 = 0"); // free space in every page
                String vacuum = "VACUUM (FREEZE, TRUNCATE false) vt";
                s.execute(vacuum); // all-visible and all-frozen
                s.execute("INSERT INTO vt SELECT g, 'inserted' FROM generate_series(3001, 3200) g"); // INSERT clears
                s.execute(vacuum);
                StringBuilder rows = new StringBuilder();
                for (int i = 4001; i <= 4300; i++) {
                    rows.append(i).append("\tcopied\n");
                }
                c.unwrap(org.postgresql.PGConnection.class).getCopyAPI()
                        .copyIn("COPY vt FROM STDIN", new StringReader(rows.toString())); // MULTI_INSERT clears
                s.execute(vacuum);
                s.execute("UPDATE vt SET v = v || 'u' WHERE id % 7 = 1"); // HOT_UPDATE and UPDATE clears
                s.execute(vacuum);
                s.execute("DELETE FROM vt WHERE id % 11 = 2"); // DELETE clears
                s.execute(vacuum);
                c.setAutoCommit(false);
                s.execute("SELECT id FROM vt WHERE id % 13 = 4 FOR UPDATE"); // LOCK clears ALL_FROZEN
                c.commit();
                c.setAutoCommit(true);
                end = PgWorkload.lsn(s, "SELECT pg_current_wal_insert_lsn()");
                s.execute("CHECKPOINT");
                s.execute("SELECT pg_switch_wal()");
                PgWorkload.waitFlushed(s, end);
                PgWorkload.copySegments(c, start, end, walDir);
            } finally {
                s.execute("SELECT pg_drop_replication_slot('" + slot + "')");
            }

            // ingest's path: records -> PG_RECORD frames -> stored versions per page; and the relation tracker
            Map<PageRef, Versions> pages = new LinkedHashMap<>();
            TreeSet<String> vmFrameKinds = new TreeSet<>();
            RelationTracker tracker = new RelationTracker();
            PgRecordFrames frames = new PgRecordFrames();
            try (WalSegmentSource src = WalSegmentSource.open(walDir); XLogReader reader = XLogReader.open(src, Lsn.of(start))) {
                DecodedRecord rec;
                while ((rec = reader.next()) != null && Long.compareUnsigned(rec.endLsn().value(), end) <= 0) {
                    tracker.apply(rec);
                    frames.emit(rec, new PgRecordFrames.Sink() {
                        @Override
                        public void frame(long lsn, PageRef page, byte[] frame) {
                            if (page.dbOid() != dbOid || page.relNumber() != relNode) {
                                return;
                            }
                            Frame f = FrameCodec.decodeExactly(frame);
                            PgRecordPayload p = PgRecordPayload.parse(f.payload(), f.lsn());
                            if (p.vmOfBlock()) {
                                vmFrameKinds.add(p.record().rmgr() + "/" + p.record().recordName());
                            }
                            Versions v = pages.computeIfAbsent(page, k -> new Versions());
                            v.lsns().add(lsn);
                            v.stored().add(StoredVersion.fromPayload(RecordType.PG_RECORD, f.payload()));
                            v.vmOfBlock().add(p.vmOfBlock());
                        }

                        @Override
                        public void lsnAdvance(long lsn, DecodedRecord record) {
                        }
                    });
                }
            }
            System.out.println("VM_OF_BLOCK frames of vt: " + frames.stats().vmFrames() + " of " + vmFrameKinds);
            assertThat(vmFrameKinds).as("every kind of implicit clear is exercised")
                    .anyMatch(k -> k.endsWith("/INSERT")).anyMatch(k -> k.contains("MULTI_INSERT"))
                    .anyMatch(k -> k.contains("UPDATE")).anyMatch(k -> k.endsWith("/DELETE"))
                    .anyMatch(k -> k.endsWith("/LOCK"));

            int vmCompared = 0;
            int heapCompared = 0;
            List<String> diffs = new ArrayList<>();
            for (Map.Entry<PageRef, Versions> e : pages.entrySet()) {
                PageRef ref = e.getKey();
                if (ref.forkNum() != 0 && ref.forkNum() != 2) {
                    continue;
                }
                byte[] theirs = rawPage(c, ref.forkNum() == 2 ? "vm" : "main", ref.blockNum());
                assertThat(theirs).as("server page " + ref).isNotNull();
                byte[] ours = replay(ref, e.getValue(), true);
                if (ref.forkNum() == 2) {
                    vmCompared++;
                    maskChecksum(ours);
                    maskChecksum(theirs);
                    if (!Arrays.equals(ours, theirs)) {
                        diffs.add(ref + " (vm): first difference at byte " + Arrays.mismatch(ours, theirs));
                    }
                    byte[] withoutVmFrames = replay(ref, e.getValue(), false);
                    maskChecksum(withoutVmFrames);
                    assertThat(withoutVmFrames).as("without the VM_OF_BLOCK frames the VM page is wrong")
                            .isNotEqualTo(theirs);
                } else {
                    heapCompared++;
                    Masks.heapMask(ours, ref.blockNum());
                    Masks.heapMask(theirs, ref.blockNum());
                    if (!Arrays.equals(ours, theirs)) {
                        diffs.add(ref + " (heap): first difference at byte " + Arrays.mismatch(ours, theirs));
                    }
                }
            }
            System.out.println("compared " + vmCompared + " VM pages and " + heapCompared + " heap pages, "
                    + diffs.size() + " differ");
            assertThat(diffs).as("pages that differ from the server's").isEmpty();
            assertThat(vmCompared).isEqualTo(1);
            assertThat(heapCompared).isGreaterThan(20);

            long serverVm = Long.parseLong(PgWorkload.string(s, "SELECT pg_relation_size('vt', 'vm') / 8192"));
            long serverMain = Long.parseLong(PgWorkload.string(s, "SELECT pg_relation_size('vt', 'main') / 8192"));
            assertThat(tracker.size(new RelFork(1663, dbOid, relNode, Fork.VM.number()))).isEqualTo(serverVm).isEqualTo(1);
            assertThat(tracker.size(new RelFork(1663, dbOid, relNode, Fork.MAIN.number()))).isEqualTo(serverMain);
        }
    }

    /** The page as of its last version: from the newest chain start, oldest first, as page-core reads it. */
    private static byte[] replay(PageRef ref, Versions v, boolean withVmFrames) throws PageApplyException {
        int from = 0;
        for (int i = 0; i < v.stored().size(); i++) {
            if (StoredVersion.kind(v.stored().get(i)).initializesPage(v.stored().get(i))) {
                from = i;
            }
        }
        PageReplay replay = new PageReplay();
        replay.reset(ref);
        for (int i = from; i < v.stored().size(); i++) {
            if (withVmFrames || !v.vmOfBlock().get(i)) {
                replay.apply(v.lsns().get(i), v.stored().get(i));
            }
        }
        return replay.page().clone();
    }

    private static void maskChecksum(byte[] page) {
        new Page(page).setChecksum(0);
    }

    private static byte[] rawPage(Connection c, String fork, int blk) throws Exception {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT CASE WHEN ? < pg_relation_size('vt', ?) / 8192 THEN get_raw_page('vt', ?, ?) END")) {
            ps.setLong(1, Integer.toUnsignedLong(blk));
            ps.setString(2, fork);
            ps.setString(3, fork);
            ps.setLong(4, Integer.toUnsignedLong(blk));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBytes(1);
            }
        }
    }
}
