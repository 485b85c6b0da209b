package io.storageengine.postgres.wal.heap;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageengine.schemas.page.PageRef;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** The VM tail page a Storage TRUNCATE changes ({@link VmClearTargets#truncateTarget}). */
class VmClearTargetsTest {
    private static final int PER_PAGE = VmClearTargets.HEAP_BLOCKS_PER_VM_PAGE;

    /** xl_smgr_truncate: u32 blkno, spc, db, rel, i32 flags (little-endian). */
    private static ByteBuffer truncate(long newBlocks, int flags) {
        ByteBuffer b = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt((int) newBlocks).putInt(1663).putInt(5).putInt(16384).putInt(flags);
        return b.flip();
    }

    @Test
    void aTruncationInsideAVmPageTargetsThatPage() {
        assertThat(VmClearTargets.truncateTarget(2, 0x20, truncate(17, 0x07)))
                .isEqualTo(new PageRef(1663, 5, 16384, 2, 0));
        assertThat(VmClearTargets.truncateTarget(2, 0x20, truncate(PER_PAGE + 3L, 0x02)))
                .isEqualTo(new PageRef(1663, 5, 16384, 2, 1));
    }

    @Test
    void noTargetOnAPageBoundaryWithoutTheVmFlagOrForAnotherRecord() {
        assertThat(VmClearTargets.truncateTarget(2, 0x20, truncate(PER_PAGE, 0x07))).isNull();
        assertThat(VmClearTargets.truncateTarget(2, 0x20, truncate(0, 0x07))).isNull();
        assertThat(VmClearTargets.truncateTarget(2, 0x20, truncate(17, 0x05))).isNull(); // heap and FSM only
        assertThat(VmClearTargets.truncateTarget(2, 0x10, truncate(17, 0x07))).isNull(); // Storage CREATE
        assertThat(VmClearTargets.truncateTarget(10, 0x20, truncate(17, 0x07))).isNull(); // Heap
        assertThat(VmClearTargets.truncateTarget(2, 0x20, ByteBuffer.allocate(8))).isNull(); // short main data
    }
}
