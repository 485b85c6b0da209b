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
            assertThat(got).hasSize(r.blocks().size());
            for (int i = 0; i < got.size(); i++) {
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
        assertThat(frames.stats().frames()).isEqualTo(blocks);
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
}
