package io.storageengine.postgres.redo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.ServiceLoader;

import io.storageengine.pagecore.ApplyContext;
import io.storageengine.pagecore.PgRecordKind;
import io.storageengine.pagecore.StoredVersion;
import io.storageengine.postgres.redo.internal.Page;
import io.storageengine.postgres.redo.internal.VisibilityMapPage;
import io.storageengine.postgres.wal.DecodedRecord;
import io.storageengine.schemas.page.PgRecordFormat;
import io.storageengine.pagecore.PgRedo;
import io.storageengine.schemas.page.PageRef;
import org.junit.jupiter.api.Test;

/** The page-core SPI provider: discovery, replay, and the mapping of errors to page-core's exceptions. */
class PgRedoProviderTest {

    private static RedoFixtures.Entry entry(String name) throws IOException {
        List<RedoFixtures.Entry> entries;
        try (InputStream in = PgRedoProviderTest.class.getResourceAsStream("/redo/pg15-redo.fixtures.gz")) {
            entries = RedoFixtures.read(in);
        }
        return entries.stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void serviceLoaderFindsTheProvider() {
        assertThat(ServiceLoader.load(PgRedo.class).findFirst()).get().isInstanceOf(PgRedoProvider.class);
        assertThat(PgRecordKind.redoAvailable()).isTrue();
    }

    @Test
    void replaysLikeTheEngine() throws Exception {
        RedoFixtures.Entry e = entry("Heap/INSERT");
        byte[] viaProvider = e.before().clone();
        byte[] viaEngine = e.before().clone();
        PageRef ref = e.decode().block(e.blockId()).pageRef();
        new PgRedoProvider().apply(viaProvider, ByteBuffer.wrap(e.record()).asReadOnlyBuffer(), e.blockId(), 0,
                e.endLsn(), ref);
        new PgRedoEngine().apply(viaEngine, e.decode(), e.blockId(), e.endLsn());
        assertThat(viaProvider).isEqualTo(viaEngine);
    }

    @Test
    void errorsBecomePageCoreExceptions() throws Exception {
        RedoFixtures.Entry b = entry("Btree/INSERT_LEAF");
        byte[] rec = b.record().clone();
        rec[16] = (byte) (0xF0 | (rec[16] & 0x0F)); // xl_info: a Btree kind PostgreSQL 15 does not have
        PageRef bref = b.decode().block(b.blockId()).pageRef();
        assertThatThrownBy(() -> new PgRedoProvider().apply(b.before().clone(), ByteBuffer.wrap(rec), b.blockId(),
                0, b.endLsn(), bref))
                .isInstanceOfSatisfying(io.storageengine.pagecore.RedoUnsupportedException.class, x -> {
                    assertThat(x.rmgrId()).isEqualTo(11);
                    assertThat(x.info() & 0xF0).isEqualTo(0xF0);
                });
        RedoFixtures.Entry e = entry("Heap/DELETE");
        PageRef ref = e.decode().block(e.blockId()).pageRef();
        assertThatThrownBy(() -> new PgRedoProvider().apply(new byte[8192], ByteBuffer.wrap(e.record()), e.blockId(),
                0, e.endLsn(), ref))
                .isInstanceOf(io.storageengine.pagecore.RedoException.class)
                .hasMessageContaining("not initialized");
    }

    /** The captured Heap/INSERT with XLH_INSERT_ALL_VISIBLE_CLEARED set (xl_heap_insert.flags is the last byte). */
    private static byte[] insertClearingVm() throws IOException {
        byte[] rec = entry("Heap/INSERT").record().clone();
        rec[rec.length - 1] |= 0x01;
        return rec;
    }

    private static PageRef vmPageOf(byte[] rec) {
        PageRef heap = DecodedRecord.decode(ByteBuffer.wrap(rec), 0, false).block(0).pageRef();
        return new PageRef(heap.spcOid(), heap.dbOid(), heap.relNumber(), 2, heap.blockNum() / 32672);
    }

    @Test
    void aVmOfBlockFrameClearsTheHeapBlocksBitsWithoutStampingTheLsn() throws Exception {
        byte[] rec = insertClearingVm();
        long end = entry("Heap/INSERT").endLsn();
        PageRef vm = vmPageOf(rec);
        int heapBlk = DecodedRecord.decode(ByteBuffer.wrap(rec), end, false).block(0).pageRef().blockNum();
        byte[] page = new byte[Page.SIZE];
        new Page(page).init(0);
        new Page(page).setLsn(0x100);
        Arrays.fill(page, Page.HEADER_SIZE, Page.SIZE, (byte) 0xFF);
        byte[] expected = page.clone();
        assertThat(VisibilityMapRedo.apply(expected, vm, DecodedRecord.decode(ByteBuffer.wrap(rec), end, false), end,
                false)).isTrue();

        new PgRedoProvider().apply(page, ByteBuffer.wrap(rec).asReadOnlyBuffer(), 0, PgRecordFormat.VM_OF_BLOCK, end, vm);
        assertThat(page).isEqualTo(expected);
        assertThat(VisibilityMapPage.bits(page, heapBlk)).isZero();
        assertThat(VisibilityMapPage.bits(page, heapBlk ^ 1)).isEqualTo(3);
        assertThat(new Page(page).lsn()).as("visibilitymap_clear does not stamp").isEqualTo(0x100);
    }

    @Test
    void aVmOfBlockFrameOnANewPageGivesThePageVmReadbufInitializes() throws Exception {
        byte[] rec = insertClearingVm();
        long end = entry("Heap/INSERT").endLsn();
        PageRef vm = vmPageOf(rec);
        // PageInit(page, BLCKSZ, 0): pd_lower 24, pd_upper 8192, pd_special 8192, pd_pagesize_version 8192 | 4
        byte[] expected = new byte[8192];
        ByteBuffer.wrap(expected).order(ByteOrder.LITTLE_ENDIAN).putShort(12, (short) 24).putShort(14, (short) 8192)
                .putShort(16, (short) 8192).putShort(18, (short) (8192 | 4));
        byte[] page = new byte[8192];
        new PgRedoProvider().apply(page, ByteBuffer.wrap(rec).asReadOnlyBuffer(), 0, PgRecordFormat.VM_OF_BLOCK, end, vm);
        assertThat(page).isEqualTo(expected);

        // the same through page-core's PG_RECORD kind, from the stored version
        byte[] stored = StoredVersion.pgRecord(0, PgRecordFormat.VM_OF_BLOCK | PgRecordFormat.REDUCED, ByteBuffer.wrap(rec));
        StoredVersion.validate(end, stored);
        byte[] viaKind = new byte[8192];
        PgRecordKind kind = PgRecordKind.withRedo(new PgRedoProvider());
        assertThat(kind.initializesPage(stored)).isFalse();
        kind.apply(viaKind, stored, ApplyContext.of(end, vm, stored));
        assertThat(viaKind).isEqualTo(expected);
    }

    @Test
    void aVmOfBlockFrameForAnotherPageOrBlockIsCorruptHistory() throws Exception {
        byte[] rec = insertClearingVm();
        long end = entry("Heap/INSERT").endLsn();
        PageRef vm = vmPageOf(rec);
        PageRef other = new PageRef(vm.spcOid(), vm.dbOid(), vm.relNumber(), 2, vm.blockNum() + 1);
        assertThatThrownBy(() -> new PgRedoProvider().apply(new byte[8192], ByteBuffer.wrap(rec), 0,
                PgRecordFormat.VM_OF_BLOCK, end, other))
                .isInstanceOf(io.storageengine.pagecore.RedoException.class).hasMessageContaining(other.toString());
        assertThatThrownBy(() -> new PgRedoProvider().apply(new byte[8192], ByteBuffer.wrap(rec), 3,
                PgRecordFormat.VM_OF_BLOCK, end, vm))
                .isInstanceOf(io.storageengine.pagecore.RedoException.class).hasMessageContaining("#3");
        byte[] noClear = entry("Heap/INSERT").record();
        assertThat(noClear[noClear.length - 1] & 0x01).as("the captured INSERT clears nothing").isZero();
        assertThatThrownBy(() -> new PgRedoProvider().apply(new byte[8192], ByteBuffer.wrap(noClear), 0,
                PgRecordFormat.VM_OF_BLOCK, end, vm))
                .isInstanceOf(io.storageengine.pagecore.RedoException.class).hasMessageContaining("none");
    }
}
