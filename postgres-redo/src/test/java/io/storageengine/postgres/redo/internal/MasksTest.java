package io.storageengine.postgres.redo.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MasksTest {

    private static byte[] tuple(int len, int infomask, int cid) {
        byte[] t = new byte[len];
        HeapTuple.setXmin(t, 0, 700);
        HeapTuple.setCid(t, 0, cid);
        HeapTuple.setInfomask(t, 0, infomask);
        HeapTuple.setHoff(t, 0, 24);
        HeapTuple.setCtid(t, 0, 0, 1);
        return t;
    }

    @Test
    void heapMaskIgnoresHintsCidPaddingAndUnusedSpace() {
        Page a = new Page(new byte[Page.SIZE]);
        a.init(0);
        a.addItem(tuple(27, 0x0002, 0), 0, 27, 0, false, true);
        byte[] b = a.bytes().clone();
        Page pb = new Page(b);
        pb.setLsn(12345);
        pb.setFlag(Page.PD_ALL_VISIBLE | Page.PD_PAGE_FULL);
        pb.setPruneXid(77);
        int t = pb.lpOff(1);
        HeapTuple.setInfomask(b, t, 0x0002 | HeapTuple.HEAP_XMIN_COMMITTED | HeapTuple.HEAP_XMAX_INVALID);
        HeapTuple.setCid(b, t, 5);
        b[t + 27] = 9;                 // padding after the 27-byte tuple
        b[200] = 1;                    // unused space
        byte[] ma = a.bytes().clone();
        Masks.heapMask(ma, 0);
        Masks.heapMask(b, 0);
        assertThat(b).isEqualTo(ma);
    }

    @Test
    void heapMaskKeepsRealDifferences() {
        Page a = new Page(new byte[Page.SIZE]);
        a.init(0);
        a.addItem(tuple(32, 0, 0), 0, 32, 0, false, true);
        byte[] b = a.bytes().clone();
        HeapTuple.setXmax(b, new Page(b).lpOff(1), 900);
        byte[] ma = a.bytes().clone();
        Masks.heapMask(ma, 0);
        Masks.heapMask(b, 0);
        assertThat(b).isNotEqualTo(ma);
    }

    @Test
    void frozenXminKeepsXminHintsButMasksXmaxHints() {
        Page a = new Page(new byte[Page.SIZE]);
        a.init(0);
        a.addItem(tuple(32, HeapTuple.HEAP_XMIN_FROZEN | HeapTuple.HEAP_XMAX_INVALID, 0), 0, 32, 0, false, true);
        Masks.heapMask(a.bytes(), 0);
        int t = a.lpOff(1);
        assertThat(HeapTuple.infomask(a.bytes(), t)).isEqualTo(HeapTuple.HEAP_XMIN_FROZEN);
    }

    @Test
    void speculativeCtidIsSetToSelf() {
        Page a = new Page(new byte[Page.SIZE]);
        a.init(0);
        byte[] tup = tuple(32, 0, 0);
        HeapTuple.setCtid(tup, 0, 1234, HeapTuple.SPEC_TOKEN_OFFSET);
        a.addItem(tup, 0, 32, 0, false, true);
        Masks.heapMask(a.bytes(), 7);
        assertThat(HeapTuple.ctidOffset(a.bytes(), a.lpOff(1))).isEqualTo(1);
        assertThat(Page.u16(a.bytes(), a.lpOff(1) + 14)).isEqualTo(7);
    }

    @Test
    void btreeMaskClearsLeafLpFlagsGarbageSplitEndAndCycleId() {
        Page a = new Page(new byte[Page.SIZE]);
        a.init(16);
        a.addItem(new byte[16], 0, 16, 0, false, false);
        BtreePage.setFlags(a.bytes(), BtreePage.BTP_LEAF);
        byte[] b = a.bytes().clone();
        new Page(b).markDead(1);
        BtreePage.setFlags(b, BtreePage.BTP_LEAF | BtreePage.BTP_HAS_GARBAGE | BtreePage.BTP_SPLIT_END);
        BtreePage.setCycleId(b, 33);
        byte[] ma = a.bytes().clone();
        Masks.btreeMask(ma, 1);
        Masks.btreeMask(b, 1);
        assertThat(b).isEqualTo(ma);
        assertThat(new Page(ma).lpLen(1)).as("offset and length stay").isEqualTo(16);
    }

    @Test
    void maskUnusedSpaceRejectsImpossiblePointers() {
        assertThatThrownBy(() -> Masks.maskUnusedSpace(new byte[Page.SIZE])).isInstanceOf(PageException.class);
    }

    @Test
    void maskPageContentKeepsOnlyTheHeader() {
        Page a = new Page(new byte[Page.SIZE]);
        a.init(16);
        a.addItem(new byte[] {1, 2, 3}, 0, 3, 0, false, false);
        a.setLsn(5);
        Masks.maskPageContent(a.bytes());
        assertThat(a.lower()).isZero();
        assertThat(a.upper()).isZero();
        assertThat(a.lsn()).isEqualTo(5);
        assertThat(a.bytes()[8000]).isZero();
    }
}
