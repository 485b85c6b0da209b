package io.storageengine.postgres.wal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The record decoder on records assembled as PostgreSQL lays them out, and on each kind of bad bytes. */
class DecodedRecordTest {

    static final long END = 0x2000040L;

    @Test
    void decodesHeaderBlocksDataOriginToplevelAndMainData() {
        byte[] page = RecordBuilder.page(64, 8000, 1);
        byte[] rec = new RecordBuilder(ResourceManager.HEAP, 0x20)
                .xid(1234).prev(0x1FFFF00L)
                .blockWithImage(0, 16384, 7, new byte[] {1, 2, 3}, page, 64, 7936, true)
                .block(1, 0, 16384, 9, new byte[] {9, 9}, true, true)
                .block(3, 2, 16390, 0, new byte[0], false, false)
                .origin(3).toplevelXid(777).main(new byte[] {42, 43, 44, 45})
                .build();
        ByteBuffer in = ByteBuffer.wrap(rec);
        DecodedRecord r = DecodedRecord.decode(in, END, true);
        assertThat(in.remaining()).isZero();
        assertThat(r.totalLength()).isEqualTo(rec.length);
        assertThat(r.xid()).isEqualTo(1234);
        assertThat(r.prevLsn().value()).isEqualTo(0x1FFFF00L);
        assertThat(r.rmgr()).isEqualTo(ResourceManager.HEAP);
        assertThat(r.rmid()).isEqualTo(10);
        assertThat(r.info()).isEqualTo(0x20);
        assertThat(r.recordName()).isEqualTo("UPDATE");
        assertThat(r.endLsn().value()).isEqualTo(END);
        assertThat(r.origin()).isEqualTo(3);
        assertThat(r.toplevelXid()).isEqualTo(777);
        assertThat(r.crcValid()).isTrue();
        ByteBuffer main = r.mainData();
        assertThat(main.isReadOnly()).isTrue();
        assertThat(main.order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
        assertThat(main.remaining()).isEqualTo(4);
        assertThat(main.get(0)).isEqualTo((byte) 42);

        assertThat(r.blocks()).extracting(BlockRef::id).containsExactly(0, 1, 3);
        assertThat(r.block(2)).isNull();
        assertThat(r.block(40)).isNull();
        assertThat(r.maxBlockId()).isEqualTo(3);
        BlockRef b0 = r.block(0);
        assertThat(b0.spcOid()).isEqualTo(1663);
        assertThat(b0.dbOid()).isEqualTo(5);
        assertThat(b0.relNumber()).isEqualTo(16384);
        assertThat(b0.fork()).isZero();
        assertThat(b0.blockNumber()).isEqualTo(7);
        assertThat(b0.hasData()).isTrue();
        assertThat(b0.data().remaining()).isEqualTo(3);
        assertThat(b0.willInit()).isFalse();
        assertThat(b0.startsPage()).isTrue();
        assertThat(b0.image().apply()).isTrue();
        assertThat(b0.image().compression()).isEqualTo(BlockImage.Compression.NONE);
        assertThat(b0.image().holeOffset()).isEqualTo(64);
        assertThat(b0.image().holeLength()).isEqualTo(7936);
        assertThat(b0.image().restorePage()).isEqualTo(page);
        assertThat(r.imageBytes()).isEqualTo(256);

        BlockRef b1 = r.block(1);
        assertThat(b1.sameRel()).isTrue();
        assertThat(b1.relNumber()).isEqualTo(16384);
        assertThat(b1.blockNumber()).isEqualTo(9);
        assertThat(b1.willInit()).isTrue();
        assertThat(b1.image()).isNull();
        BlockRef b3 = r.block(3);
        assertThat(b3.fork()).isEqualTo(2);
        assertThat(b3.relNumber()).isEqualTo(16390);
        assertThat(b3.hasData()).isFalse();
        assertThat(b3.data().remaining()).isZero();
        assertThat(b3.pageRef().forkNum()).isEqualTo(2);
    }

    @Test
    void blockNumberIsUnsigned() {
        byte[] rec = new RecordBuilder(ResourceManager.HEAP, 0).block(0, 0, 16384, 0xFFFFFFFEL, new byte[] {1}, false, false)
                .build();
        assertThat(DecodedRecord.decode(ByteBuffer.wrap(rec), END, true).block(0).blockNumber()).isEqualTo(0xFFFFFFFEL);
    }

    @Test
    void longMainDataHeader() {
        byte[] main = new byte[1000];
        main[999] = 7;
        DecodedRecord r = DecodedRecord.decode(ByteBuffer.wrap(new RecordBuilder(ResourceManager.TRANSACTION, 0)
                .main(main).build()), END, true);
        assertThat(r.mainData().remaining()).isEqualTo(1000);
        assertThat(r.mainData().get(999)).isEqualTo((byte) 7);
        assertThat(r.recordName()).isEqualTo("COMMIT");
        assertThat(r.blocks()).isEmpty();
    }

    @Test
    void crcMismatchNamesTheLsn() {
        byte[] rec = new RecordBuilder(ResourceManager.HEAP, 0).block(0, 0, 16384, 1, new byte[] {1}, false, false).build();
        rec[rec.length - 1] ^= 1;
        assertThatThrownBy(() -> DecodedRecord.decode(ByteBuffer.wrap(rec), END, true))
                .isInstanceOf(WalFormatException.class).hasMessageContaining("0/2000040").hasMessageContaining("checksum");
        assertThat(DecodedRecord.decode(ByteBuffer.wrap(rec), END, false).crcValid()).isFalse();
    }

    @Test
    void badBytesAreErrorsNamingTheLsn() {
        byte[] good = new RecordBuilder(ResourceManager.HEAP, 0).block(0, 0, 16384, 1, new byte[] {1}, false, false)
                .block(1, 0, 16384, 2, new byte[] {1}, false, true).build();
        // shorter than its xl_tot_len
        expectError(ByteBuffer.wrap(good, 0, good.length - 1), "xl_tot_len");
        // below the header size
        byte[] tiny = good.clone();
        ByteBuffer.wrap(tiny).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 10);
        expectError(ByteBuffer.wrap(tiny), "invalid record length");
        // unknown resource manager
        expectError(recrc(withByte(good, 17, 99)), "resource manager");
        // invalid block id (40)
        expectError(recrc(withByte(good, 24, 40)), "invalid block_id 40");
        // out-of-order block ids: second block id 0
        int second = 24 + 4 + 12 + 4;
        expectError(recrc(withByte(good, second, 0)), "out-of-order block_id");
        // HAS_DATA set with length 0
        byte[] noData = withByte(withByte(good, 26, 0), 27, 0);
        expectError(recrc(noData), "BKPBLOCK_HAS_DATA set, but no data");
        // SAME_REL on the first block
        byte[] sameRelFirst = new RecordBuilder(ResourceManager.HEAP, 0).block(0, 0, 1, 1, new byte[] {1}, false, true).build();
        expectError(ByteBuffer.wrap(sameRelFirst), "BKPBLOCK_SAME_REL set but no previous rel");
        // data lengths that do not add up
        byte[] longer = withByte(good, 26, 5);
        expectError(recrc(longer), "");
    }

    @Test
    void imageHeaderChecks() {
        byte[] page = RecordBuilder.page(100, 200, 3);
        // an uncompressed image without a hole must be 8192 bytes (PostgreSQL reports the implied hole)
        byte[] rec = new RecordBuilder(ResourceManager.XLOG, 0xB0).blockWithRawImage(0, 1, 1, new byte[100], 0, 0, 0x02).build();
        expectError(ByteBuffer.wrap(rec), "BKPIMAGE_HAS_HOLE not set, but hole offset 0 length 8092");
        // HAS_HOLE with offset 0
        rec = new RecordBuilder(ResourceManager.XLOG, 0xB0).blockWithRawImage(0, 1, 1, new byte[8092], 0, 100, 0x03).build();
        expectError(ByteBuffer.wrap(rec), "BKPIMAGE_HAS_HOLE set");
        // a pglz image that is garbage: decoding succeeds, restoring fails naming the LSN
        rec = new RecordBuilder(ResourceManager.XLOG, 0xB0).blockWithRawImage(0, 1, 1, new byte[] {(byte) 0xFF, 1, 2}, 0, 0,
                0x02 | 0x04).build();
        BlockImage img = DecodedRecord.decode(ByteBuffer.wrap(rec), END, true).block(0).image();
        assertThat(img.compression()).isEqualTo(BlockImage.Compression.PGLZ);
        assertThatThrownBy(img::restorePage).isInstanceOf(WalFormatException.class).hasMessageContaining("0/2000040")
                .hasMessageContaining("decompress");
        assertThat(page).hasSize(8192);
    }

    @Test
    void withoutImagesExceptKeepsOneImageAndEverythingElse() {
        byte[] p0 = RecordBuilder.page(80, 8000, 1);
        byte[] p1 = RecordBuilder.page(120, 7000, 2);
        byte[] p2 = RecordBuilder.page(40, 4000, 3);
        byte[] rec = new RecordBuilder(ResourceManager.BTREE, 0x40)
                .blockWithImage(0, 16384, 1, new byte[] {1, 2}, p0, 80, 7920, true)
                .blockWithImage(1, 16384, 2, new byte[0], p1, 120, 6880, true)
                .blockWithImage(2, 16385, 3, new byte[] {5}, p2, 40, 3960, false)
                .main(new byte[] {9, 8, 7})
                .build();
        DecodedRecord r = DecodedRecord.decode(ByteBuffer.wrap(rec), END, true);
        for (int keep = 0; keep < 3; keep++) {
            byte[] reduced = r.withoutImagesExcept(keep);
            DecodedRecord d = DecodedRecord.decode(ByteBuffer.wrap(reduced), END, false);
            assertThat(d.totalLength()).isEqualTo(reduced.length).isLessThan(r.totalLength());
            assertThat(d.mainData()).isEqualTo(r.mainData());
            assertThat(d.blocks()).hasSize(3);
            for (BlockRef b : d.blocks()) {
                BlockRef o = r.block(b.id());
                assertThat(b.pageRef()).isEqualTo(o.pageRef());
                assertThat(b.data()).isEqualTo(o.data());
                if (b.id() == keep) {
                    assertThat(b.image().restorePage()).isEqualTo(o.image().restorePage());
                    assertThat(b.flags()).isEqualTo(o.flags());
                } else {
                    assertThat(b.image()).isNull();
                    assertThat(b.flags()).isEqualTo(o.flags() & ~0x10);
                }
            }
        }
        byte[] noOther = new RecordBuilder(ResourceManager.HEAP, 0).blockWithImage(0, 1, 1, new byte[0], p0, 80, 7920, true)
                .build();
        assertThat(DecodedRecord.decode(ByteBuffer.wrap(noOther), END, true).withoutImagesExcept(0)).isEqualTo(noOther);
    }

    @Test
    void recordNamesAsPgWaldumpPrintsThem() {
        assertThat(ResourceManager.HEAP.identify(0x80)).isEqualTo("INSERT+INIT");
        assertThat(ResourceManager.HEAP.identify(0x40 | 0x80)).isEqualTo("HOT_UPDATE+INIT");
        assertThat(ResourceManager.HEAP2.identify(0x50 | 0x80)).isEqualTo("MULTI_INSERT+INIT");
        assertThat(ResourceManager.BTREE.identify(0x00)).isEqualTo("INSERT_LEAF");
        assertThat(ResourceManager.XLOG.identify(0xA0)).isEqualTo("FPI_FOR_HINT");
        assertThat(ResourceManager.XLOG.identify(0xB0 | 0x02)).isEqualTo("FPI");
        assertThat(ResourceManager.TRANSACTION.identify(0x80)).isEqualTo("COMMIT");
        assertThat(ResourceManager.TRANSACTION.identify(0x60)).isEqualTo("INVALIDATION");
        assertThat(ResourceManager.COMMIT_TS.identify(0x01)).isEqualTo("UNKNOWN (0)");
        assertThat(ResourceManager.GIST.identify(0x40)).isEqualTo("UNKNOWN (40)");
        assertThat(ResourceManager.GENERIC.identify(0x00)).isEqualTo("Generic");
        assertThat(ResourceManager.byId(21).waldumpName()).isEqualTo("LogicalMessage");
        assertThat(ResourceManager.byId(22)).isNull();
        List<String> names = java.util.Arrays.stream(ResourceManager.values()).map(ResourceManager::waldumpName).toList();
        assertThat(names).containsExactly("XLOG", "Transaction", "Storage", "CLOG", "Database", "Tablespace", "MultiXact",
                "RelMap", "Standby", "Heap2", "Heap", "Btree", "Hash", "Gin", "Gist", "Sequence", "SPGist", "BRIN",
                "CommitTs", "ReplicationOrigin", "Generic", "LogicalMessage");
    }

    private static void expectError(ByteBuffer in, String text) {
        assertThatThrownBy(() -> DecodedRecord.decode(in, END, true)).isInstanceOf(WalFormatException.class)
                .hasMessageContaining("0/2000040").hasMessageContaining(text);
    }

    private static byte[] withByte(byte[] b, int off, int v) {
        byte[] c = b.clone();
        c[off] = (byte) v;
        return c;
    }

    private static ByteBuffer recrc(byte[] rec) {
        ByteBuffer.wrap(rec).order(ByteOrder.LITTLE_ENDIAN).putInt(20, DecodedRecord.computeCrc(rec));
        return ByteBuffer.wrap(rec);
    }
}
