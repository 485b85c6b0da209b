package io.storageengine.postgres.wal.frame;

import java.nio.ByteBuffer;

import io.storageengine.postgres.wal.BlockRef;
import io.storageengine.postgres.wal.DecodedRecord;
import io.storageengine.postgres.wal.WalFormatException;
import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.wal.FrameCodec;
import io.storageengine.schemas.wal.WalFormat;

/**
 * Turns decoded PostgreSQL records into WAL-format frames: each block reference → one PG_RECORD
 * frame at the record's end LSN, keyed by its page; a record without block references → one
 * LSN advance. When other block references carry full-page images, they are stripped from the
 * frame's copy of the record (flag REDUCED) so one page's frame does not carry the others' images.
 *
 * <p>A frame whose payload would still exceed {@link WalFormat#MAX_PAYLOAD} is an error
 * ({@link WalFormatException} naming the record's LSN), counted in {@link FrameStats}. Not
 * thread-safe (the stats).
 */
public final class PgRecordFrames {

    /** Receives the frames of one record, in block order. */
    public interface Sink {
        /** One PG_RECORD frame: {@code frame} is the whole frame (header, CRC, payload). */
        void frame(long lsn, PageRef page, byte[] frame);

        /** A record that touches no relation page, ending at {@code lsn}. */
        void lsnAdvance(long lsn, DecodedRecord record);
    }

    private final FrameStats stats = new FrameStats();

    public FrameStats stats() {
        return stats;
    }

    /**
     * Emits the frames of {@code r} to {@code sink}. All frames of the record are built before the
     * first is emitted, so an oversized record emits nothing.
     */
    public void emit(DecodedRecord r, Sink sink) {
        stats.records++;
        long lsn = r.endLsn().value();
        if (r.blocks().isEmpty()) {
            stats.lsnAdvances++;
            stats.advancesByRmgr.merge(r.rmgr(), 1L, Long::sum);
            sink.lsnAdvance(lsn, r);
            return;
        }
        byte[][] frames = new byte[r.blocks().size()][];
        boolean[] reduced = new boolean[frames.length];
        long imageCount = r.blocks().stream().filter(BlockRef::hasImage).count();
        int i = 0;
        for (BlockRef b : r.blocks()) {
            boolean strip = imageCount > (b.hasImage() ? 1 : 0);
            byte[] rec;
            if (strip) {
                rec = r.withoutImagesExcept(b.id());
            } else {
                rec = new byte[r.totalLength()];
                r.bytes().get(rec);
            }
            int payloadLen = PgRecordPayload.HEADER_SIZE + rec.length;
            if (payloadLen > WalFormat.MAX_PAYLOAD) {
                stats.oversizedRecords++;
                throw new WalFormatException(r.startLsn() != null ? r.startLsn() : r.endLsn(),
                        "record at " + (r.startLsn() != null ? r.startLsn() : "?") + " ending at " + r.endLsn() + " ("
                                + r.rmgr() + " " + r.recordName() + ", " + r.totalLength() + " bytes) gives a PG_RECORD"
                                + " payload of " + payloadLen + " bytes for block " + b.id() + " even with other"
                                + " blocks' images removed; the limit is " + WalFormat.MAX_PAYLOAD);
            }
            int flags = (b.startsPage() ? PgRecordPayload.WILL_INIT : 0) | (strip ? PgRecordPayload.REDUCED : 0);
            ByteBuffer payload = ByteBuffer.allocate(payloadLen);
            PgRecordPayload.writeHeader(payload, b.pageRef(), b.id(), flags);
            payload.put(rec).flip();
            frames[i] = FrameCodec.encode(lsn, PgRecordPayload.TYPE_CODE, payload);
            reduced[i] = strip;
            i++;
        }
        i = 0;
        for (BlockRef b : r.blocks()) {
            stats.frames++;
            stats.frameBytes += frames[i].length;
            if (reduced[i]) {
                stats.reducedFrames++;
            }
            sink.frame(lsn, b.pageRef(), frames[i]);
            i++;
        }
    }
}
