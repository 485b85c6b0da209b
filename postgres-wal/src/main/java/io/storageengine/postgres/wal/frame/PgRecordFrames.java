package io.storageengine.postgres.wal.frame;

import java.nio.ByteBuffer;
import java.util.List;

import io.storageengine.postgres.wal.BlockRef;
import io.storageengine.postgres.wal.DecodedRecord;
import io.storageengine.postgres.wal.WalFormatException;
import io.storageengine.postgres.wal.heap.VmClearTargets;
import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.wal.FrameCodec;
import io.storageengine.schemas.wal.WalFormat;

/**
 * Turns decoded PostgreSQL records into WAL-format frames: each block reference → one PG_RECORD
 * frame at the record's end LSN, keyed by its page; a record without block references → one
 * LSN advance. When other block references carry full-page images, they are stripped from the
 * frame's copy of the record (flag REDUCED) so one page's frame does not carry the others' images.
 * Then, for each visibility-map page the record changes implicitly ({@link VmClearTargets}: heap
 * records with {@code *_ALL_VISIBLE_CLEARED} / {@code XLH_LOCK_ALL_FROZEN_CLEARED}), one more
 * PG_RECORD frame keyed by that VM page with flag VM_OF_BLOCK (WAL format 1.2), its blockId the
 * lowest block reference whose heap block maps there, every image stripped (REDUCED if any).
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
        List<VmClearTargets.Target> vm = VmClearTargets.targets(r);
        if (r.blocks().isEmpty() && vm.isEmpty()) {
            stats.lsnAdvances++;
            stats.advancesByRmgr.merge(r.rmgr(), 1L, Long::sum);
            sink.lsnAdvance(lsn, r);
            return;
        }
        int nBlocks = r.blocks().size();
        byte[][] frames = new byte[nBlocks + vm.size()][];
        PageRef[] pages = new PageRef[frames.length];
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
            checkSize(r, payloadLen, "block " + b.id());
            int flags = (b.startsPage() ? PgRecordPayload.WILL_INIT : 0) | (strip ? PgRecordPayload.REDUCED : 0);
            frames[i] = frame(lsn, b.pageRef(), b.id(), flags, rec);
            pages[i] = b.pageRef();
            reduced[i] = strip;
            i++;
        }
        for (VmClearTargets.Target t : vm) {
            // the VM clears need no image: strip them all
            boolean strip = imageCount > 0;
            byte[] rec;
            if (strip) {
                rec = r.withoutImagesExcept(-1);
            } else {
                rec = new byte[r.totalLength()];
                r.bytes().get(rec);
            }
            checkSize(r, PgRecordPayload.HEADER_SIZE + rec.length, t.blockId() == VmClearTargets.NO_BLOCK
                    ? "the visibility-map tail page of a truncation" : "the visibility-map page of block " + t.blockId());
            int flags = PgRecordPayload.VM_OF_BLOCK | (strip ? PgRecordPayload.REDUCED : 0);
            frames[i] = frame(lsn, t.vmPage(), t.blockId(), flags, rec);
            pages[i] = t.vmPage();
            reduced[i] = strip;
            i++;
        }
        for (i = 0; i < frames.length; i++) {
            stats.frames++;
            stats.frameBytes += frames[i].length;
            if (reduced[i]) {
                stats.reducedFrames++;
            }
            if (i >= nBlocks) {
                stats.vmFrames++;
            }
            sink.frame(lsn, pages[i], frames[i]);
        }
    }

    private static byte[] frame(long lsn, PageRef page, int blockId, int flags, byte[] rec) {
        ByteBuffer payload = ByteBuffer.allocate(PgRecordPayload.HEADER_SIZE + rec.length);
        PgRecordPayload.writeHeader(payload, page, blockId, flags);
        payload.put(rec).flip();
        return FrameCodec.encode(lsn, PgRecordPayload.TYPE_CODE, payload);
    }

    private void checkSize(DecodedRecord r, int payloadLen, String what) {
        if (payloadLen > WalFormat.MAX_PAYLOAD) {
            stats.oversizedRecords++;
            throw new WalFormatException(r.startLsn() != null ? r.startLsn() : r.endLsn(),
                    "record at " + (r.startLsn() != null ? r.startLsn() : "?") + " ending at " + r.endLsn() + " ("
                            + r.rmgr() + " " + r.recordName() + ", " + r.totalLength() + " bytes) gives a PG_RECORD"
                            + " payload of " + payloadLen + " bytes for " + what + " even with other"
                            + " blocks' images removed; the limit is " + WalFormat.MAX_PAYLOAD);
        }
    }
}
