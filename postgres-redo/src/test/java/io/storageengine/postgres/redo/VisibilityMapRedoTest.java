package io.storageengine.postgres.redo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import io.storageengine.postgres.redo.internal.Page;
import io.storageengine.postgres.redo.internal.VisibilityMapPage;
import io.storageengine.postgres.wal.BlockRef;
import io.storageengine.postgres.wal.DecodedRecord;
import io.storageengine.schemas.page.PageRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The implicit visibility-map clears of heap records, on a real Heap/INSERT record; and pg-verify's usage errors. */
class VisibilityMapRedoTest {

    /** The captured Heap/INSERT with XLH_INSERT_ALL_VISIBLE_CLEARED set (xl_heap_insert.flags is the last byte). */
    private static DecodedRecord insertClearingVm() throws IOException {
        List<RedoFixtures.Entry> entries;
        try (InputStream in = VisibilityMapRedoTest.class.getResourceAsStream("/redo/pg15-redo.fixtures.gz")) {
            entries = RedoFixtures.read(in);
        }
        RedoFixtures.Entry e = entries.stream().filter(x -> x.name().equals("Heap/INSERT")).findFirst().orElseThrow();
        byte[] rec = e.record().clone();
        rec[rec.length - 1] |= 0x01;
        return DecodedRecord.decode(ByteBuffer.wrap(rec), e.endLsn(), false);
    }

    @Test
    void heapInsertClearsBothBitsOfItsBlockOnItsVmPage() throws IOException {
        DecodedRecord rec = insertClearingVm();
        BlockRef heap = rec.block(0);
        List<PageRef> vm = VisibilityMapRedo.vmPagesOf(rec);
        assertThat(vm).containsExactly(new PageRef(heap.spcOid(), heap.dbOid(), heap.relNumber(), 2,
                (int) (heap.blockNumber() / VisibilityMapPage.HEAPBLOCKS_PER_PAGE)));

        byte[] page = new byte[Page.SIZE];
        new Page(page).init(0);
        new Page(page).setLsn(0x100);
        Arrays.fill(page, Page.HEADER_SIZE, Page.SIZE, (byte) 0xFF);
        assertThat(VisibilityMapRedo.apply(page, vm.getFirst(), rec, rec.endLsn().value(), false)).isTrue();
        assertThat(VisibilityMapPage.bits(page, (int) heap.blockNumber())).isZero();
        assertThat(VisibilityMapPage.bits(page, (int) heap.blockNumber() + 1)).isEqualTo(3);
        assertThat(new Page(page).lsn()).as("PostgreSQL does not stamp the VM page here").isEqualTo(0x100);

        Arrays.fill(page, Page.HEADER_SIZE, Page.SIZE, (byte) 0xFF);
        VisibilityMapRedo.apply(page, vm.getFirst(), rec, rec.endLsn().value(), true);
        assertThat(new Page(page).lsn()).as("stamped when asked (Neon's choice)").isEqualTo(rec.endLsn().value());

        byte[] zero = new byte[Page.SIZE];
        assertThat(VisibilityMapRedo.apply(zero, vm.getFirst(), rec, rec.endLsn().value(), true)).isFalse();
        assertThat(Page.isAllZero(zero)).as("a new VM page stays all-zero").isTrue();
        assertThatThrownBy(() -> VisibilityMapRedo.apply(page, heapRef(heap), rec, 1, false))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static PageRef heapRef(BlockRef b) {
        return b.pageRef();
    }

    @Test
    void recordsWithoutTheFlagClearNothing() throws IOException {
        List<RedoFixtures.Entry> entries;
        try (InputStream in = VisibilityMapRedoTest.class.getResourceAsStream("/redo/pg15-redo.fixtures.gz")) {
            entries = RedoFixtures.read(in);
        }
        RedoFixtures.Entry e = entries.stream().filter(x -> x.name().equals("Btree/INSERT_LEAF")).findFirst().orElseThrow();
        assertThat(VisibilityMapRedo.vmPagesOf(e.decode())).isEmpty();
    }

    @Test
    void pgVerifyUsageAndUnreadableWal(@TempDir Path dir) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(PgVerify.run(new String[] {"--start-lsn", "0/10"}, new PrintStream(out), new PrintStream(err)))
                .isEqualTo(2);
        assertThat(err.toString()).contains("--pg-wal DIR is required");
        Files.writeString(dir.resolve("000000010000000000000001"), "not a WAL segment");
        err.reset();
        assertThat(PgVerify.run(new String[] {"--pg-wal", dir.toString()}, new PrintStream(out), new PrintStream(err)))
                .isEqualTo(2);
        assertThat(err.toString()).startsWith("pg-verify: ");
    }
}
