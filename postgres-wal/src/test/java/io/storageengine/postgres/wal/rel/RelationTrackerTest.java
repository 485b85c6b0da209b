package io.storageengine.postgres.wal.rel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storageengine.schemas.page.Fork;
import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.relation.RelFork;
import io.storageengine.schemas.relation.RelationSize;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The tracker against main data laid out as PostgreSQL 15 writes it (little-endian structs built
 * here from the header layouts); RelationTrackerIT checks it against a live server.
 */
class RelationTrackerTest {
    private static final int SPC = 1663;
    private static final int DB = 5;
    private static final RelFile T = new RelFile(SPC, DB, 16384);
    private static final RelFork MAIN = T.fork(0);
    private static final RelFork FSM = T.fork(1);
    private static final RelFork VM = T.fork(2);
    private static final ByteBuffer NONE = ByteBuffer.allocate(0);

    private final RelationTracker tracker = new RelationTracker();

    @Test
    void writesCreateAndExtendForksAndGapsCount() {
        assertThat(write(0x100, MAIN, 4)).containsExactly(RelationSize.of(MAIN, 5));
        assertThat(write(0x200, MAIN, 2)).isEmpty();
        assertThat(write(0x300, MAIN, 5)).containsExactly(RelationSize.of(MAIN, 6));
        List<RelationSize> two = tracker.apply(0x400, 10, 0x00, NONE,
                List.of(page(MAIN, 9), page(MAIN, 7), page(VM, 0)));
        assertThat(two).containsExactly(RelationSize.of(MAIN, 10), RelationSize.of(VM, 1));
        assertThat(tracker.size(MAIN)).isEqualTo(10);
        assertThat(tracker.size(FSM)).isEqualTo(-1);
    }

    @Test
    void smgrCreateMakesAnEmptyForkOnce() {
        assertThat(smgrCreate(0x10, MAIN)).containsExactly(RelationSize.of(MAIN, 0));
        assertThat(smgrCreate(0x20, MAIN)).isEmpty();
        write(0x30, MAIN, 2);
        assertThat(smgrCreate(0x40, MAIN)).isEmpty();
        assertThat(tracker.size(MAIN)).isEqualTo(3);
    }

    @Test
    void truncateCutsTheFlaggedForksAndNeverExtends() {
        write(0x10, MAIN, 99_999);
        write(0x20, FSM, 30);
        write(0x30, VM, 3);
        // heap to 40,000 blocks: the FSM keeps leaf page 9 (40000 / 4069) plus its upper pages,
        // the VM keeps page 1 (40000 / 32672, partly)
        assertThat(smgrTruncate(0x40, T, 40_000, 0x7)).containsExactly(RelationSize.of(MAIN, 40_000),
                RelationSize.of(FSM, ForkTruncation.fsmBlocks(40_000)), RelationSize.of(VM, 2));
        assertThat(ForkTruncation.fsmBlocks(40_000)).isEqualTo(12); // root, one level-1 page, leaves 0..9
        // growing is not truncating
        assertThat(smgrTruncate(0x50, T, 50_000, 0x7)).isEmpty();
        // HEAP only: the maps stay
        assertThat(smgrTruncate(0x60, T, 0, 0x1)).containsExactly(RelationSize.of(MAIN, 0));
        assertThat(tracker.size(FSM)).isEqualTo(12);
        // the maps only; a missing map fork is left missing
        RelFile other = new RelFile(SPC, DB, 777);
        assertThat(smgrTruncate(0x70, other, 0, 0x6)).containsExactly(RelationSize.of(other.fork(0), 0));
        assertThat(tracker.size(other.fork(1))).isEqualTo(-1);
    }

    @Test
    void mapLengthsFollowPostgresLayouts() {
        // FSM: root (0), level-1 page (1), leaves from 2; a leaf covers 4069 heap blocks
        assertThat(ForkTruncation.fsmBlocks(0)).isEqualTo(2);
        assertThat(ForkTruncation.fsmBlocks(1)).isEqualTo(3);
        assertThat(ForkTruncation.fsmBlocks(4069)).isEqualTo(3);
        assertThat(ForkTruncation.fsmBlocks(4070)).isEqualTo(4);
        assertThat(ForkTruncation.fsmLeafToPhysical(4069)).isEqualTo(4072); // after leaves 0..4068 and a second level-1 page
        assertThat(ForkTruncation.vmBlocks(0)).isZero();
        assertThat(ForkTruncation.vmBlocks(1)).isEqualTo(1);
        assertThat(ForkTruncation.vmBlocks(32_672)).isEqualTo(1);
        assertThat(ForkTruncation.vmBlocks(32_673)).isEqualTo(2);
    }

    @Test
    void commitAndAbortDropEveryForkOfTheirRelfilenodes() {
        write(0x10, MAIN, 3);
        write(0x20, VM, 0);
        RelFork keep = new RelFile(SPC, DB, 99).fork(0);
        write(0x30, keep, 0);
        // commit with dbinfo, 2 subxacts and 2 relfilenodes (one never seen)
        ByteBuffer commit = xact(0x1 | 0x2 | 0x4, 2, List.of(T, new RelFile(SPC, DB, 12345)));
        assertThat(tracker.apply(0x40, 1, 0x80, commit, List.of()))
                .containsExactlyInAnyOrder(RelationSize.dropped(MAIN), RelationSize.dropped(VM));
        assertThat(tracker.size(keep)).isEqualTo(1);
        // abort prepared (0x40 | HAS_INFO) of the other one
        assertThat(tracker.apply(0x50, 1, 0xC0, xact(0x4, 0, List.of(RelFile.of(keep))),
                List.of())).containsExactly(RelationSize.dropped(keep));
        // commit without HAS_INFO, prepare, and a commit without relfilenodes change nothing
        write(0x60, MAIN, 0);
        assertThat(tracker.apply(0x70, 1, 0x00, ByteBuffer.allocate(8), List.of())).isEmpty();
        assertThat(tracker.apply(0x80, 1, 0x10, ByteBuffer.allocate(3), List.of())).isEmpty();
        assertThat(tracker.apply(0x90, 1, 0x80, xact(0x1 | 0x8, 0, List.of()), List.of())).isEmpty();
        assertThat(tracker.size(MAIN)).isEqualTo(1);
    }

    @Test
    void databaseDropAndFileCopy() {
        write(0x10, MAIN, 1);
        write(0x20, VM, 0);
        RelFork elsewhere = new RelFork(SPC, 6, 16384, 0);
        write(0x30, elsewhere, 0);
        ByteBuffer copy = le(16).putInt(7).putInt(SPC).putInt(DB).putInt(SPC).flip();
        assertThat(tracker.apply(0x40, 4, 0x00, copy, List.of())).containsExactlyInAnyOrder(
                RelationSize.of(new RelFork(SPC, 7, 16384, 0), 2), RelationSize.of(new RelFork(SPC, 7, 16384, 2), 1));
        ByteBuffer walLog = le(8).putInt(8).putInt(SPC).flip();
        assertThat(tracker.apply(0x50, 4, 0x10, walLog, List.of())).isEmpty();
        ByteBuffer drop = le(12).putInt(DB).putInt(1).putInt(SPC).flip();
        assertThat(tracker.apply(0x60, 4, 0x20, drop, List.of()))
                .containsExactlyInAnyOrder(RelationSize.dropped(MAIN), RelationSize.dropped(VM));
        assertThat(tracker.forks()).isEqualTo(3);
    }

    @Test
    void malformedMainDataIsAnErrorNamingTheLsnAndChangesNothing() {
        write(0x10, MAIN, 0);
        Map<RelFork, Long> before = tracker.snapshot();
        assertThatThrownBy(() -> tracker.apply(0x1_0000_0020L, 2, 0x10, le(12).putInt(1).flip(), List.of()))
                .isInstanceOf(MalformedRelationRecordException.class)
                .hasMessageContaining("1/20").hasMessageContaining("Storage CREATE");
        ByteBuffer badFork = le(16).putInt(SPC).putInt(DB).putInt(1).putInt(9).flip();
        assertThatThrownBy(() -> tracker.apply(0x30, 2, 0x10, badFork, List.of())).hasMessageContaining("fork 9");
        ByteBuffer shortRels = xact(0x4, 0, List.of(T)).limit(20);
        assertThatThrownBy(() -> tracker.apply(0x40, 1, 0x80, shortRels, List.of()))
                .hasMessageContaining("1 relfilenodes");
        ByteBuffer negative = le(16).putLong(0).putInt(0x4).putInt(-3).flip();
        assertThatThrownBy(() -> tracker.apply(0x50, 1, 0xA0, negative, List.of())).hasMessageContaining("negative");
        assertThat(tracker.snapshot()).isEqualTo(before);
    }

    @Test
    void restoreStartsFromPublishedState() {
        tracker.restore(Map.of(MAIN, 10L));
        assertThat(write(0x10, MAIN, 5)).isEmpty();
        assertThat(smgrTruncate(0x20, T, 4, 0x1)).containsExactly(RelationSize.of(MAIN, 4));
        assertThat(tracker.records()).isEqualTo(2);
        assertThat(tracker.changes()).isEqualTo(1);
    }

    private List<RelationSize> write(long lsn, RelFork fork, long block) {
        return tracker.apply(lsn, 10, 0x00, NONE, List.of(page(fork, block)));
    }

    private List<RelationSize> smgrCreate(long lsn, RelFork f) {
        ByteBuffer d = le(16).putInt(f.spcOid()).putInt(f.dbOid()).putInt(f.relNumber()).putInt(f.forkNum()).flip();
        return tracker.apply(lsn, 2, 0x10, d, List.of());
    }

    private List<RelationSize> smgrTruncate(long lsn, RelFile r, long blkno, int flags) {
        ByteBuffer d = le(20).putInt((int) blkno).putInt(r.spcOid()).putInt(r.dbOid()).putInt(r.relNumber())
                .putInt(flags).flip();
        return tracker.apply(lsn, 2, 0x20, d, List.of());
    }

    /** xl_xact_commit/abort main data: xact_time, xinfo, [dbinfo], [subxacts], [relfilenodes], trailing bytes. */
    private static ByteBuffer xact(int xinfo, int subxacts, List<RelFile> rels) {
        ByteBuffer b = le(256).putLong(123456789L).putInt(xinfo);
        if ((xinfo & 0x1) != 0) {
            b.putInt(DB).putInt(SPC);
        }
        if ((xinfo & 0x2) != 0) {
            b.putInt(subxacts);
            for (int i = 0; i < subxacts; i++) {
                b.putInt(1000 + i);
            }
        }
        if ((xinfo & 0x4) != 0) {
            b.putInt(rels.size());
            for (RelFile r : rels) {
                b.putInt(r.spcOid()).putInt(r.dbOid()).putInt(r.relNumber());
            }
        }
        b.putInt(0).putInt(0); // stats / invalidations that follow: not read
        return b.flip();
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static PageRef page(RelFork f, long block) {
        return PageRef.of(f.spc(), f.db(), f.rel(), Fork.ofNumber(f.forkNum()), block);
    }
}
