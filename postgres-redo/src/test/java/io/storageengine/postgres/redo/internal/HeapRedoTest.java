package io.storageengine.postgres.redo.internal;

import static io.storageengine.postgres.redo.internal.Records.block;
import static io.storageengine.postgres.redo.internal.Records.heapTupleData;
import static io.storageengine.postgres.redo.internal.Records.le;
import static io.storageengine.postgres.redo.internal.Records.rec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storageengine.postgres.redo.RedoException;
import io.storageengine.postgres.redo.RedoUnsupportedException;
import org.junit.jupiter.api.Test;

class HeapRedoTest {

    private static final int HEAP = 10;
    private static final int HEAP2 = 9;
    private final Redo redo = new Redo(false);

    private static byte[] body(int n, int fill) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) fill);
        b[0] = 0; // hoff 24: one padding byte after the 23-byte header
        return b;
    }

    private byte[] pageWithTwoTuples() {
        byte[] page = new byte[Page.SIZE];
        redo.apply(page, rec(HEAP, 0x80, 700, le().u16(1).u8(0).get(),
                block(0, 3, true, heapTupleData(2, 0x0802, 24, body(9, 0x11)))), 0, 0x1000);
        redo.apply(page, rec(HEAP, 0x00, 701, le().u16(2).u8(0).get(),
                block(0, 3, false, heapTupleData(2, 0x0802, 24, body(17, 0x22)))), 0, 0x2000);
        return page;
    }

    @Test
    void insertInitThenInsert() {
        byte[] page = pageWithTwoTuples();
        Page p = new Page(page);
        assertThat(p.maxOffset()).isEqualTo(2);
        assertThat(p.lsn()).isEqualTo(0x2000);
        int t1 = p.lpOff(1);
        assertThat(p.lpLen(1)).isEqualTo(32);
        assertThat(t1).isEqualTo(8192 - 32);
        assertThat(HeapTuple.xmin(page, t1)).isEqualTo(700);
        assertThat(HeapTuple.infomask(page, t1)).isEqualTo(0x0802);
        assertThat(HeapTuple.ctidOffset(page, t1)).isEqualTo(1);
        assertThat(Page.u16(page, t1 + 14)).as("ctid block low half").isEqualTo(3);
        assertThat(page[t1 + 24]).isEqualTo((byte) 0x11);
        assertThat(p.lpLen(2)).isEqualTo(40);
        assertThat(HeapTuple.xmin(page, p.lpOff(2))).isEqualTo(701);
    }

    @Test
    void deleteSetsXmaxCtidAndPrunable() {
        byte[] page = pageWithTwoTuples();
        redo.apply(page, rec(HEAP, 0x10, 702, le().u32(702).u16(1).u8(0x10 /* KEYS_UPDATED */).u8(0).get(),
                block(0, 3, false, new byte[0])), 0, 0x3000);
        Page p = new Page(page);
        int t = p.lpOff(1);
        assertThat(Page.i32(page, t + 4)).isEqualTo(702);
        assertThat(HeapTuple.infomask2(page, t) & HeapTuple.HEAP_KEYS_UPDATED).isNotZero();
        assertThat(HeapTuple.infomask(page, t) & HeapTuple.HEAP_XMAX_INVALID).as("xmax bits cleared").isZero();
        assertThat(p.pruneXid()).isEqualTo(702);
        assertThat(p.lsn()).isEqualTo(0x3000);
    }

    @Test
    void hotUpdateOnTheSamePageWithPrefixAndSuffix() {
        byte[] page = pageWithTwoTuples();
        // new tuple = old data with the middle changed: prefix 3 bytes, suffix 4 bytes from old tuple 2
        byte[] middle = {0, 0x33, 0x33}; // bitmap/padding byte (hoff 24 => 1 byte), then 2 new bytes
        byte[] data = le().u16(3).u16(4).u16(0x8002).u16(0x2802).u8(24).bytes(middle).get();
        redo.apply(page, rec(HEAP, 0x40, 703, le().u32(703).u16(2).u8(0).u8(0x60).u32(0).u16(3).get(),
                block(0, 3, false, data)), 0, 0x4000);
        Page p = new Page(page);
        assertThat(p.maxOffset()).isEqualTo(3);
        int old = p.lpOff(2);
        assertThat(HeapTuple.infomask2(page, old) & HeapTuple.HEAP_HOT_UPDATED).isNotZero();
        assertThat(HeapTuple.ctidOffset(page, old)).isEqualTo(3);
        int t = p.lpOff(3);
        assertThat(p.lpLen(3)).isEqualTo(23 + 3 + 3 + 4);
        assertThat(page[t + 24]).isEqualTo((byte) 0x22); // prefix from old
        assertThat(page[t + 27]).isEqualTo((byte) 0x33); // new bytes
        assertThat(page[t + 29]).isEqualTo((byte) 0x22); // suffix from old
        assertThat(HeapTuple.xmin(page, t)).isEqualTo(703);
    }

    @Test
    void pruneThenVacuum() {
        byte[] page = pageWithTwoTuples();
        // item 1 dead, item 2 unused
        redo.apply(page, rec(HEAP2, 0x10, 0, le().u32(700).u16(0).u16(1).get(),
                block(0, 3, false, le().u16(1).u16(2).get())), 0, 0x5000);
        Page p = new Page(page);
        assertThat(p.lpFlags(1)).isEqualTo(Page.LP_DEAD);
        assertThat(p.maxOffset()).as("trailing unused line pointer removed").isEqualTo(1);
        assertThat(p.upper()).isEqualTo(Page.SIZE);
        redo.apply(page, rec(HEAP2, 0x20, 0, le().u16(1).get(), block(0, 3, false, le().u16(1).get())), 0, 0x6000);
        assertThat(p.lpFlags(1)).isEqualTo(Page.LP_UNUSED);
        assertThat(p.flags() & Page.PD_HAS_FREE_LINES).isNotZero();
    }

    @Test
    void visibleSetsVmBitsAndHeapFlagWithoutStampingTheHeapPage() {
        byte[] heap = pageWithTwoTuples();
        byte[] vm = new byte[Page.SIZE];
        RedoRecord r = rec(HEAP2, 0x40, 0, le().u32(700).u8(3).get(),
                block(0, 0, false, new byte[0]), block(1, 5, false, new byte[0]));
        redo.apply(heap, r, 1, 0x7000);
        assertThat(new Page(heap).flags() & Page.PD_ALL_VISIBLE).isNotZero();
        assertThat(new Page(heap).lsn()).isEqualTo(0x2000);
        redo.apply(vm, r, 0, 0x7000);
        assertThat(new Page(vm).lsn()).isEqualTo(0x7000);
        assertThat(VisibilityMapPage.bits(vm, 5)).isEqualTo(3);
        assertThat(new Page(vm).upper()).isEqualTo(Page.SIZE);
        byte[] heap2 = pageWithTwoTuples();
        new Redo(true).apply(heap2, r, 1, 0x7000);
        assertThat(new Page(heap2).lsn()).as("stamped with wal_log_hints/checksums").isEqualTo(0x7000);
        // a heap insert that clears the bits
        RedoRecord ins = rec(HEAP, 0x00, 710, le().u16(3).u8(HeapRedo.INSERT_ALL_VISIBLE_CLEARED).get(),
                block(0, 5, false, heapTupleData(2, 0x0802, 24, body(9, 1))));
        assertThat(VmClears.apply(vm, ins, 1663, 5, 16384, 0, 0x8000, false)).isTrue();
        assertThat(VisibilityMapPage.bits(vm, 5)).isZero();
        assertThat(new Page(vm).lsn()).isEqualTo(0x7000);
    }

    @Test
    void imageIsRestoredAndStampedExceptANewPage() {
        byte[] img = pageWithTwoTuples();
        byte[] page = new byte[Page.SIZE];
        redo.apply(page, rec(0, 0xB0, 0, new byte[0], Records.imageBlock(0, 3, true, img)), 0, 0x9000);
        assertThat(new Page(page).lsn()).isEqualTo(0x9000);
        assertThat(new Page(page).maxOffset()).isEqualTo(2);
        byte[] zero = new byte[Page.SIZE];
        redo.apply(zero, rec(0, 0xB0, 0, new byte[0], Records.imageBlock(0, 3, true, new byte[Page.SIZE])), 0, 0x9000);
        assertThat(Page.isAllZero(zero)).isTrue();
    }

    @Test
    void recordsAtOrBeforeThePageLsnAreSkipped() {
        byte[] page = pageWithTwoTuples();
        byte[] before = page.clone();
        redo.apply(page, rec(HEAP, 0x10, 702, le().u32(702).u16(1).u8(0).u8(0).get(), block(0, 3, false, new byte[0])),
                0, 0x2000);
        assertThat(page).isEqualTo(before);
    }

    @Test
    void errorsNameThePageAndLsn() {
        byte[] page = pageWithTwoTuples();
        assertThatThrownBy(() -> redo.apply(page, rec(HEAP, 0x10, 702, le().u32(702).u16(9).u8(0).u8(0).get(),
                block(0, 3, false, new byte[0])), 0, 0x3000))
                .isInstanceOf(RedoException.class)
                .hasMessageContaining("item 9 does not exist")
                .hasMessageContaining("1663/5/16384 fork 0 block 3")
                .hasMessageContaining("0/3000");
        assertThatThrownBy(() -> redo.apply(new byte[Page.SIZE], rec(HEAP, 0x00, 1, le().u16(1).u8(0).get(),
                block(0, 3, false, heapTupleData(2, 0, 24, body(9, 1)))), 0, 0x3000))
                .isInstanceOf(RedoException.class).hasMessageContaining("not initialized");
        assertThatThrownBy(() -> redo.apply(page, rec(130, 0x00, 1, new byte[4], block(0, 3, false, new byte[0])), 0,
                0x3000))
                .isInstanceOf(RedoUnsupportedException.class).hasMessageContaining("rmgr 130");
        assertThatThrownBy(() -> redo.apply(page, rec(HEAP, 0x00, 1, le().u16(1).u8(0).get(),
                block(0, 3, false, new byte[0])), 0, 0x3000))
                .isInstanceOf(RedoException.class).hasMessageContaining("carries no data");
        // a built-in rmgr with a kind it does not have (Btree info 0xF0)
        assertThatThrownBy(() -> redo.apply(page, rec(11, 0xF0, 1, new byte[4], block(0, 3, false, new byte[0])), 0,
                0x3000))
                .isInstanceOf(RedoUnsupportedException.class).hasMessageContaining("Btree");
    }

    @Test
    void multiInsertInitAndFreeze() {
        byte[] page = new byte[Page.SIZE];
        byte[] tuples = le().u16(9).u16(2).u16(0x0802).u8(24).bytes(body(9, 5))
                .u8(0) // SHORTALIGN padding: 7 + 9 = 16, already aligned; this byte pads the next to even? no
                .get();
        // 16 bytes for tuple 1 (7 header + 9 data); tuple 2 starts at 16
        byte[] data = le().bytes(java.util.Arrays.copyOf(tuples, 16)).u16(9).u16(2).u16(0x0802).u8(24)
                .bytes(body(9, 6)).get();
        redo.apply(page, rec(HEAP2, 0xD0, 800, le().u8(0).u8(0).u16(2).get(), block(0, 0, true, data)), 0, 0x100);
        Page p = new Page(page);
        assertThat(p.maxOffset()).isEqualTo(2);
        assertThat(page[p.lpOff(2) + 24]).isEqualTo((byte) 6);
        // freeze tuple 2: xmax 0, infomask frozen
        byte[] frz = le().u32(0).u16(2).u16(2).u16(0x0B02).u8(0).u8(0).get();
        redo.apply(page, rec(HEAP2, 0x30, 0, le().u32(800).u16(1).get(), block(0, 0, false, frz)), 0, 0x200);
        assertThat(HeapTuple.infomask(page, p.lpOff(2))).isEqualTo(0x0B02);
        assertThat(p.lsn()).isEqualTo(0x200);
    }
}
