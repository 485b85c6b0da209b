package io.storageengine.postgres.wal.frame;

import java.io.IOException;
import java.io.InputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import io.storageengine.postgres.wal.BlockRef;
import io.storageengine.postgres.wal.DecodedRecord;
import io.storageengine.postgres.wal.WalFormatException;
import io.storageengine.postgres.wal.heap.VmClearTargets;
import io.storageengine.schemas.page.PgRecordFormat;
import io.storageengine.schemas.wal.BadRecordException;
import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.wal.Frame;
import io.storageengine.schemas.wal.FrameCodec;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** PG_RECORD frames from real PostgreSQL 15 records (the fixtures) and from assembled ones. */
class PgRecordFramesTest {

    record Out(long lsn, PageRef page, byte[] frame) {
    }

    static List<DecodedRecord> fixtures() throws IOException {
        List<DecodedRecord> out = new ArrayList<>();
        try (InputStream in = PgRecordFramesTest.class.getResourceAsStream("/wal/pg15.records")) {
            DataInputStream d = new DataInputStream(in);
            while (true) {
                try {
                    d.readLong();
                } catch (EOFException e) {
                    return out;
                }
                long end = d.readLong();
                byte[] b = new byte[d.readInt()];
                d.readFully(b);
                out.add(DecodedRecord.decode(ByteBuffer.wrap(b), end, true));
            }
        }
    }

    @Test
    void oneFramePerBlockReferenceAtTheEndLsnAndAnAdvanceOtherwise() throws Exception {
        PgRecordFrames frames = new PgRecordFrames();
        long blocks = 0;
        long advances = 0;
        long vmFrames = 0;
        for (DecodedRecord r : fixtures()) {
            List<Out> got = new ArrayList<>();
            List<Long> adv = new ArrayList<>();
            frames.emit(r, new PgRecordFrames.Sink() {
                @Override
                public void frame(long lsn, PageRef page, byte[] frame) {
                    got.add(new Out(lsn, page, frame));
                }

                @Override
                public void lsnAdvance(long lsn, DecodedRecord record) {
                    adv.add(lsn);
                }
            });
            blocks += r.blocks().size();
            if (r.blocks().isEmpty()) {
                advances++;
                assertThat(got).isEmpty();
                assertThat(adv).containsExactly(r.endLsn().value());
                continue;
            }
            List<VmClearTargets.Target> vm = VmClearTargets.targets(r);
            vmFrames += vm.size();
            assertThat(got).hasSize(r.blocks().size() + vm.size());
            for (int j = 0; j < vm.size(); j++) {
                Out o = got.get(r.blocks().size() + j);
                assertThat(o.lsn()).isEqualTo(r.endLsn().value());
                assertThat(o.page()).isEqualTo(vm.get(j).vmPage());
                PgRecordPayload p = PgRecordPayload.parse(FrameCodec.decodeExactly(o.frame()).payload(), o.lsn());
                assertThat(p.vmOfBlock()).isTrue();
                assertThat(p.willInit()).isFalse();
                assertThat(p.blockId()).isEqualTo(vm.get(j).blockId());
                assertThat(p.record().imageBytes()).isZero();
            }
            for (int i = 0; i < r.blocks().size(); i++) {
                BlockRef b = r.blocks().get(i);
                Out o = got.get(i);
                assertThat(o.lsn()).isEqualTo(r.endLsn().value());
                assertThat(o.page()).isEqualTo(b.pageRef());
                Frame f = FrameCodec.decodeExactly(o.frame());
                assertThat(f.typeCode()).isEqualTo(0x04);
                assertThat(f.lsn()).isEqualTo(r.endLsn().value());
                PgRecordPayload p = PgRecordPayload.parse(f.payload(), f.lsn());
                // the schemas module's header checks (every reader applies them) accept it too
                ByteBuffer body = f.payload().duplicate();
                body.position(body.position() + PageRef.SIZE);
                io.storageengine.schemas.page.PgRecordFormat.validateBody(f.lsn(), body);
                assertThat(p.page()).isEqualTo(b.pageRef());
                assertThat(p.blockId()).isEqualTo(b.id());
                assertThat(p.pgMajor()).isEqualTo(15);
                assertThat(p.willInit()).isEqualTo(b.willInit() || (b.hasImage() && b.image().apply()));
                long otherImages = r.blocks().stream().filter(x -> x != b && x.hasImage()).count();
                assertThat(p.reduced()).isEqualTo(otherImages > 0);
                if (!p.reduced()) {
                    assertThat(p.record().bytes()).isEqualTo(r.bytes());
                }
                assertThat(p.block().data()).isEqualTo(b.data());
            }
        }
        assertThat(frames.stats().frames()).isEqualTo(blocks + vmFrames);
        assertThat(frames.stats().vmFrames()).isEqualTo(vmFrames).isPositive();
        assertThat(frames.stats().snapshot().lsnAdvances()).isEqualTo(advances).isPositive();
        assertThat(frames.stats().snapshot().lsnAdvancesByRmgr()).isNotEmpty();
    }

    @Test
    void reducedFramesDropTheOtherBlocksImages() {
        byte[] rec = TestRecords.twoImages();
        DecodedRecord r = DecodedRecord.decode(ByteBuffer.wrap(rec), 0x3000000L, true);
        PgRecordFrames frames = new PgRecordFrames();
        List<byte[]> out = new ArrayList<>();
        frames.emit(r, new PgRecordFrames.Sink() {
            @Override
            public void frame(long lsn, PageRef page, byte[] frame) {
                out.add(frame);
            }

            @Override
            public void lsnAdvance(long lsn, DecodedRecord record) {
                throw new AssertionError();
            }
        });
        assertThat(out).hasSize(2);
        for (int i = 0; i < 2; i++) {
            PgRecordPayload p = PgRecordPayload.parse(FrameCodec.decodeExactly(out.get(i)).payload(), 0x3000000L);
            assertThat(p.reduced()).isTrue();
            assertThat(p.willInit()).isTrue();
            assertThat(p.block().image().restorePage()).isEqualTo(r.block(i).image().restorePage());
            assertThat(p.record().block(1 - i).image()).isNull();
            assertThat(p.record().totalLength()).isLessThan(r.totalLength());
        }
        assertThat(frames.stats().snapshot().reducedFrames()).isEqualTo(2);
    }

    @Test
    void recordTooLargeForOneFrameIsAnErrorNamingTheLsnAndCounted() {
        byte[] rec = TestRecords.huge();
        DecodedRecord r = DecodedRecord.decode(ByteBuffer.wrap(rec), 0x3000000L, true);
        PgRecordFrames frames = new PgRecordFrames();
        List<byte[]> out = new ArrayList<>();
        assertThatThrownBy(() -> frames.emit(r, new PgRecordFrames.Sink() {
            @Override
            public void frame(long lsn, PageRef page, byte[] frame) {
                out.add(frame);
            }

            @Override
            public void lsnAdvance(long lsn, DecodedRecord record) {
            }
        })).isInstanceOf(WalFormatException.class).hasMessageContaining("0/3000000").hasMessageContaining("1048576");
        assertThat(out).isEmpty();
        assertThat(frames.stats().oversizedRecords()).isEqualTo(1);
    }

    @Test
    void payloadWhoseBlockNamesAnotherPageIsRejected() {
        byte[] rec = TestRecords.twoImages();
        ByteBuffer payload = ByteBuffer.allocate(PgRecordPayload.HEADER_SIZE + rec.length);
        PgRecordPayload.writeHeader(payload, new PageRef(1663, 5, 99999, 0, 1), 0, 0);
        payload.put(rec).flip();
        assertThatThrownBy(() -> PgRecordPayload.parse(payload, 0x3000000L)).isInstanceOf(WalFormatException.class)
                .hasMessageContaining("0/3000000").hasMessageContaining("names");
        ByteBuffer p2 = ByteBuffer.allocate(PgRecordPayload.HEADER_SIZE + rec.length);
        PgRecordPayload.writeHeader(p2, new PageRef(1663, 5, 16384, 0, 1), 7, 0);
        p2.put(rec).flip();
        assertThatThrownBy(() -> PgRecordPayload.parse(p2, 0x3000000L)).isInstanceOf(WalFormatException.class)
                .hasMessageContaining("no block reference 7");
    }

    static List<Out> emit(PgRecordFrames frames, DecodedRecord r) {
        List<Out> got = new ArrayList<>();
        frames.emit(r, new PgRecordFrames.Sink() {
            @Override
            public void frame(long lsn, PageRef page, byte[] frame) {
                got.add(new Out(lsn, page, frame));
            }

            @Override
            public void lsnAdvance(long lsn, DecodedRecord record) {
                throw new AssertionError("no advance expected");
            }
        });
        return got;
    }

    static PgRecordPayload parse(Out o) {
        return PgRecordPayload.parse(FrameCodec.decodeExactly(o.frame()).payload(), o.lsn());
    }

    @Test
    void aRealHeapInsertThatClearsAllVisibleAlsoGivesAVmOfBlockFrame() throws Exception {
        // pg15.waldump.txt: "Heap INSERT off 10 flags 0x01" at 0/015011D0, blkref #0 1663/5/1247 main blk 14 (FPW)
        DecodedRecord r = fixtures().stream()
                .filter(x -> x.rmid() == 10 && x.info() == 0x00 && x.block(0) != null
                        && x.block(0).pageRef().equals(new PageRef(1663, 5, 1247, 0, 14)) && x.block(0).hasImage())
                .findFirst().orElseThrow();
        assertThat(r.mainData().get(r.mainData().position() + 2) & 0x01).isEqualTo(1);
        PgRecordFrames frames = new PgRecordFrames();
        List<Out> got = emit(frames, r);
        assertThat(got).extracting(Out::page).containsExactly(new PageRef(1663, 5, 1247, 0, 14),
                new PageRef(1663, 5, 1247, 2, 0));
        PgRecordPayload heap = parse(got.get(0));
        assertThat(heap.vmOfBlock()).isFalse();
        assertThat(heap.willInit()).isTrue();
        PgRecordPayload vm = parse(got.get(1));
        assertThat(vm.flags()).isEqualTo(PgRecordPayload.VM_OF_BLOCK | PgRecordPayload.REDUCED);
        assertThat(vm.blockId()).isZero();
        assertThat(vm.block().pageRef()).isEqualTo(new PageRef(1663, 5, 1247, 0, 14));
        assertThat(vm.record().block(0).hasImage()).isFalse();
        assertThat(vm.record().totalLength()).isLessThan(r.totalLength());
        assertThat(got.get(1).lsn()).isEqualTo(r.endLsn().value());
        Frame f = FrameCodec.decodeExactly(got.get(1).frame());
        io.storageengine.schemas.page.PageRecords.validate(f.lsn(), io.storageengine.schemas.wal.RecordType.PG_RECORD,
                f.payload());
        assertThat(frames.stats().vmFrames()).isEqualTo(1);
        assertThat(frames.stats().snapshot().vmFrames()).isEqualTo(1);
    }

    @Test
    void anInsertWithoutTheClearFlagGivesNoVmFrame() {
        DecodedRecord r = DecodedRecord.decode(ByteBuffer.wrap(TestRecords.insert(3, 0x00)), 0x3000000L, true);
        assertThat(emit(new PgRecordFrames(), r)).extracting(Out::page).containsExactly(new PageRef(1663, 5, 16384, 0, 3));
    }

    @Test
    void anUpdateWhoseHeapBlocksShareAVmPageGivesOneVmFrameForTheLowestBlockId() {
        DecodedRecord r = DecodedRecord.decode(ByteBuffer.wrap(TestRecords.update(5, 9, 0x03)), 0x3000000L, true);
        List<Out> got = emit(new PgRecordFrames(), r);
        assertThat(got).extracting(Out::page).containsExactly(new PageRef(1663, 5, 16384, 0, 9),
                new PageRef(1663, 5, 16384, 0, 5), new PageRef(1663, 5, 16384, 2, 0));
        PgRecordPayload vm = parse(got.get(2));
        assertThat(vm.blockId()).isZero();
        assertThat(vm.flags()).isEqualTo(PgRecordPayload.VM_OF_BLOCK);
        // only the old block's clear: it is named by block 1
        DecodedRecord old = DecodedRecord.decode(ByteBuffer.wrap(TestRecords.update(5, 9, 0x01)), 0x3000000L, true);
        assertThat(parse(emit(new PgRecordFrames(), old).get(2)).blockId()).isEqualTo(1);
    }

    @Test
    void anUpdateAcrossVmPagesGivesOneVmFramePerPage() {
        int perPage = VmClearTargets.HEAP_BLOCKS_PER_VM_PAGE;
        assertThat(perPage).isEqualTo(32672);
        DecodedRecord r = DecodedRecord.decode(ByteBuffer.wrap(TestRecords.update(perPage + 1, 2, 0x03)), 0x3000000L, true);
        List<Out> got = emit(new PgRecordFrames(), r);
        assertThat(got).hasSize(4);
        assertThat(got.subList(2, 4)).extracting(Out::page).containsExactly(new PageRef(1663, 5, 16384, 2, 1),
                new PageRef(1663, 5, 16384, 2, 0));
        assertThat(parse(got.get(2)).blockId()).isEqualTo(1);
        assertThat(parse(got.get(3)).blockId()).isZero();
    }

    static ByteBuffer vmPayload(byte[] rec, PageRef page, int blockId, int flags) {
        ByteBuffer payload = ByteBuffer.allocate(PgRecordPayload.HEADER_SIZE + rec.length);
        PgRecordPayload.writeHeader(payload, page, blockId, flags);
        return payload.put(rec).flip();
    }

    @Test
    void aVmOfBlockPayloadMustNameTheVmPageOfItsBlock() throws BadRecordException {
        long lsn = 0x3000000L;
        int vmFlag = PgRecordPayload.VM_OF_BLOCK;
        byte[] upd = TestRecords.update(32672 + 1, 2, 0x03);
        PageRef vm0 = new PageRef(1663, 5, 16384, 2, 0);
        PageRef vm1 = new PageRef(1663, 5, 16384, 2, 1);
        assertThat(PgRecordPayload.parse(vmPayload(upd, vm0, 0, vmFlag), lsn).vmOfBlock()).isTrue();
        assertThat(PgRecordPayload.parse(vmPayload(upd, vm1, 1, vmFlag), lsn).page()).isEqualTo(vm1);
        // the VM page of another block, a heap page, another relation's VM page
        assertThatThrownBy(() -> PgRecordPayload.parse(vmPayload(upd, vm1, 0, vmFlag), lsn))
                .isInstanceOf(WalFormatException.class).hasMessageContaining("0/3000000")
                .hasMessageContaining("the visibility-map page of");
        assertThatThrownBy(() -> PgRecordPayload.parse(vmPayload(upd, new PageRef(1663, 5, 16384, 0, 2), 0, vmFlag), lsn))
                .isInstanceOf(WalFormatException.class).hasMessageContaining("the visibility-map page of");
        assertThatThrownBy(() -> PgRecordPayload.parse(vmPayload(upd, new PageRef(1663, 5, 16385, 2, 0), 0, vmFlag), lsn))
                .isInstanceOf(WalFormatException.class).hasMessageContaining("the visibility-map page of");
        // not the lowest block id of a shared VM page
        byte[] shared = TestRecords.update(5, 9, 0x03);
        assertThatThrownBy(() -> PgRecordPayload.parse(vmPayload(shared, vm0, 1, vmFlag), lsn))
                .isInstanceOf(WalFormatException.class).hasMessageContaining("clears no visibility-map bits");
        // a record that clears nothing, a missing block, WILL_INIT with it
        byte[] noClear = TestRecords.update(5, 9, 0x00);
        assertThatThrownBy(() -> PgRecordPayload.parse(vmPayload(noClear, vm0, 0, vmFlag), lsn))
                .isInstanceOf(WalFormatException.class).hasMessageContaining("clears no visibility-map bits");
        assertThatThrownBy(() -> PgRecordPayload.parse(vmPayload(upd, vm0, 4, vmFlag), lsn))
                .isInstanceOf(WalFormatException.class).hasMessageContaining("no block reference 4");
        assertThatThrownBy(() -> PgRecordPayload.parse(vmPayload(upd, vm0, 0, vmFlag | PgRecordPayload.WILL_INIT), lsn))
                .isInstanceOf(WalFormatException.class).hasMessageContaining("WILL_INIT");
        // unknown bits are still rejected
        assertThatThrownBy(() -> PgRecordPayload.parse(vmPayload(upd, vm0, 0, 0x08), lsn))
                .isInstanceOf(WalFormatException.class).hasMessageContaining("flag bits 0x8");
        // the schemas checks agree on what they can see
        ByteBuffer good = vmPayload(upd, vm0, 0, vmFlag);
        io.storageengine.schemas.page.PageRecords.validate(lsn, io.storageengine.schemas.wal.RecordType.PG_RECORD, good);
        assertThatThrownBy(() -> io.storageengine.schemas.page.PageRecords.validate(lsn,
                io.storageengine.schemas.wal.RecordType.PG_RECORD, vmPayload(upd, new PageRef(1663, 5, 16384, 0, 0), 0, vmFlag)))
                .isInstanceOf(BadRecordException.class).hasMessageContaining("not a visibility-map page");
        assertThat(PgRecordFormat.VM_OF_BLOCK).isEqualTo(0x04);
    }
}
