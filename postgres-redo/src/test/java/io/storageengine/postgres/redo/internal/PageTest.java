package io.storageengine.postgres.redo.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

class PageTest {

    private static byte[] item(int size, int fill) {
        byte[] a = new byte[size];
        Arrays.fill(a, (byte) fill);
        return a;
    }

    private static Page heapPage() {
        Page p = new Page(new byte[Page.SIZE]);
        p.init(0);
        return p;
    }

    @Test
    void initSetsHeaderLikePageInit() {
        byte[] b = item(Page.SIZE, 0x55);
        Page p = new Page(b);
        p.init(16);
        assertThat(p.lower()).isEqualTo(24);
        assertThat(p.upper()).isEqualTo(8192 - 16);
        assertThat(p.special()).isEqualTo(8192 - 16);
        assertThat(p.pageSizeVersion()).isEqualTo(8192 | 4);
        assertThat(p.lsn()).isZero();
        assertThat(b[100]).isZero();
        p.init(5);
        assertThat(p.special()).as("special size is MAXALIGNed").isEqualTo(8192 - 8);
    }

    @Test
    void addItemAppendsAtTheEndAndAlignsUpper() {
        Page p = heapPage();
        assertThat(p.addItem(item(30, 1), 0, 30, 0, false, true)).isEqualTo(1);
        assertThat(p.upper()).isEqualTo(8192 - 32);
        assertThat(p.lpOff(1)).isEqualTo(8192 - 32);
        assertThat(p.lpLen(1)).isEqualTo(30);
        assertThat(p.lpFlags(1)).isEqualTo(Page.LP_NORMAL);
        assertThat(p.addItem(item(8, 2), 0, 8, 2, true, true)).isEqualTo(2);
        assertThat(p.lower()).isEqualTo(32);
        assertThat(p.bytes()[8192 - 40]).isEqualTo((byte) 2);
        // an offset beyond max+1 is refused, as a used slot with overwrite
        assertThat(p.addItem(item(8, 3), 0, 8, 4, true, true)).isZero();
        assertThat(p.addItem(item(8, 3), 0, 8, 1, true, true)).isZero();
    }

    @Test
    void addItemWithoutOverwriteShufflesLinePointers() {
        Page p = heapPage();
        p.addItem(item(8, 1), 0, 8, 0, false, false);
        p.addItem(item(8, 2), 0, 8, 0, false, false);
        int oldSecond = p.itemId(2);
        assertThat(p.addItem(item(16, 3), 0, 16, 1, false, false)).isEqualTo(1);
        assertThat(p.maxOffset()).isEqualTo(3);
        assertThat(p.itemId(3)).isEqualTo(oldSecond);
        assertThat(p.lpLen(1)).isEqualTo(16);
    }

    @Test
    void addItemReusesAFreeLinePointerWhenHinted() {
        Page p = heapPage();
        p.addItem(item(8, 1), 0, 8, 0, false, true);
        p.addItem(item(8, 2), 0, 8, 0, false, true);
        p.setUnused(1);
        p.setFlag(Page.PD_HAS_FREE_LINES);
        assertThat(p.addItem(item(8, 3), 0, 8, 0, false, true)).isEqualTo(1);
        p.setFlag(Page.PD_HAS_FREE_LINES);
        assertThat(p.addItem(item(8, 4), 0, 8, 0, false, true)).isEqualTo(3);
        assertThat(p.flags() & Page.PD_HAS_FREE_LINES).as("no free slot found: hint cleared").isZero();
    }

    @Test
    void addItemFailsWhenFull() {
        Page p = heapPage();
        assertThat(p.addItem(item(8200, 1), 0, 8170, 0, false, true)).isEqualTo(0);
    }

    @Test
    void repairFragmentationCompactsInLinePointerOrderAndTrimsTrailingUnused() {
        Page p = heapPage();
        for (int i = 1; i <= 4; i++) {
            p.addItem(item(10 * i, i), 0, 10 * i, 0, false, true);
        }
        p.setDead(2);          // no storage
        p.setUnused(4);        // trailing: line pointer array shrinks
        PageItems.repairFragmentation(p);
        assertThat(p.maxOffset()).isEqualTo(3);
        assertThat(p.lpOff(1)).isEqualTo(8192 - 16);
        assertThat(p.lpOff(3)).isEqualTo(8192 - 16 - 32);
        assertThat(p.upper()).isEqualTo(8192 - 48);
        assertThat(p.bytes()[p.lpOff(3)]).isEqualTo((byte) 3);
        assertThat(p.bytes()[p.lpOff(3) + 29]).isEqualTo((byte) 3);
        assertThat(p.flags() & Page.PD_HAS_FREE_LINES).isZero();
        p.setUnused(1);
        PageItems.repairFragmentation(p);
        assertThat(p.flags() & Page.PD_HAS_FREE_LINES).isNotZero();
        assertThat(p.lpOff(3)).isEqualTo(8192 - 32);
    }

    @Test
    void repairFragmentationRejectsCorruptPointers() {
        Page p = heapPage();
        p.setUpper(10);
        assertThatThrownBy(() -> PageItems.repairFragmentation(p)).isInstanceOf(PageException.class).hasMessageContaining("corrupted");
    }

    @Test
    void truncateLinePointerArrayKeepsFirstAndSetsHint() {
        Page p = heapPage();
        for (int i = 1; i <= 4; i++) {
            p.addItem(item(8, i), 0, 8, 0, false, true);
        }
        p.setUnused(2);
        p.setUnused(3);
        p.setUnused(4);
        PageItems.truncateLinePointerArray(p);
        assertThat(p.maxOffset()).isEqualTo(1);
        assertThat(p.flags() & Page.PD_HAS_FREE_LINES).isZero();
        Page q = heapPage();
        q.addItem(item(8, 1), 0, 8, 0, false, true);
        q.addItem(item(8, 2), 0, 8, 0, false, true);
        q.setUnused(1);
        q.setUnused(2);
        PageItems.truncateLinePointerArray(q);
        assertThat(q.maxOffset()).as("the first line pointer stays").isEqualTo(1);
        assertThat(q.flags() & Page.PD_HAS_FREE_LINES).isNotZero();
    }

    @Test
    void indexTupleDeleteClosesBothGaps() {
        Page p = new Page(new byte[Page.SIZE]);
        p.init(16);
        p.addItem(item(16, 1), 0, 16, 0, false, false);
        p.addItem(item(8, 2), 0, 8, 0, false, false);
        p.addItem(item(24, 3), 0, 24, 0, false, false);
        PageItems.indexTupleDelete(p, 2);
        assertThat(p.maxOffset()).isEqualTo(2);
        assertThat(p.upper()).isEqualTo(8176 - 40);
        assertThat(p.lpOff(1)).isEqualTo(8176 - 16);
        assertThat(p.lpOff(2)).isEqualTo(8176 - 16 - 24);
        assertThat(p.bytes()[p.lpOff(2)]).isEqualTo((byte) 3);
        assertThatThrownBy(() -> PageItems.indexTupleDelete(p, 5)).isInstanceOf(PageException.class);
    }

    @Test
    void indexMultiDeleteEqualsRepeatedSingleDeletesOnContent() {
        Page p = new Page(new byte[Page.SIZE]);
        p.init(16);
        for (int i = 1; i <= 6; i++) {
            p.addItem(item(8 * i, i), 0, 8 * i, 0, false, false);
        }
        PageItems.indexMultiDelete(p, new int[] {2, 3, 5}, 3);
        assertThat(p.maxOffset()).isEqualTo(3);
        assertThat(p.bytes()[p.lpOff(1)]).isEqualTo((byte) 1);
        assertThat(p.bytes()[p.lpOff(2)]).isEqualTo((byte) 4);
        assertThat(p.bytes()[p.lpOff(3)]).isEqualTo((byte) 6);
        assertThat(p.lpOff(3)).isEqualTo(p.upper());
        assertThat(p.upper()).isEqualTo(8176 - 8 - 32 - 48);
        assertThatThrownBy(() -> PageItems.indexMultiDelete(p, new int[] {1, 2, 9}, 3)).isInstanceOf(PageException.class);
    }

    @Test
    void indexTupleOverwriteShiftsEarlierItems() {
        Page p = new Page(new byte[Page.SIZE]);
        p.init(16);
        p.addItem(item(16, 1), 0, 16, 0, false, false);
        p.addItem(item(16, 2), 0, 16, 0, false, false);
        assertThat(PageItems.indexTupleOverwrite(p, 1, item(8, 9), 0, 8)).isTrue();
        assertThat(p.lpOff(1)).isEqualTo(8176 - 8);
        assertThat(p.lpLen(1)).isEqualTo(8);
        assertThat(p.lpOff(2)).isEqualTo(8176 - 8 - 16);
        assertThat(p.upper()).isEqualTo(8176 - 24);
        assertThat(p.bytes()[8176 - 8]).isEqualTo((byte) 9);
        assertThat(p.bytes()[p.lpOff(2)]).isEqualTo((byte) 2);
        assertThat(PageItems.indexTupleOverwrite(p, 2, item(9000, 1), 0, 8150)).isFalse();
    }

    @Test
    void freeSpace() {
        Page p = heapPage();
        assertThat(p.exactFreeSpace()).isEqualTo(8192 - 24);
        assertThat(p.freeSpace()).isEqualTo(8192 - 24 - 4);
        assertThat(p.heapFreeSpace()).isEqualTo(8192 - 24 - 4);
    }

    @Test
    void lsnAndPrunableFollowPostgres() {
        Page p = heapPage();
        p.setLsn(0x0000000100ABCDEFL);
        assertThat(p.lsn()).isEqualTo(0x0000000100ABCDEFL);
        assertThat(p.bytes()[0]).isEqualTo((byte) 1);
        assertThat(p.bytes()[4]).isEqualTo((byte) 0xEF);
        p.setPrunable(1000);
        p.setPrunable(2000);
        assertThat(p.pruneXid()).isEqualTo(1000);
        p.setPrunable(999);
        assertThat(p.pruneXid()).isEqualTo(999);
    }
}
