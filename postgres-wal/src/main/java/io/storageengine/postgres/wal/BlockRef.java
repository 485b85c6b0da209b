package io.storageengine.postgres.wal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import io.storageengine.postgres.wal.internal.XLog;
import io.storageengine.schemas.page.PageRef;

/**
 * One block reference of a PostgreSQL WAL record ({@code XLogRecordBlockHeader}): which page
 * (tablespace, database, relfilenode, fork, block: PostgreSQL's {@code BufferTag}), its flags,
 * the block's redo data and its full-page image if any. With {@code BKPBLOCK_SAME_REL} the
 * relation is the previous block reference's, already filled in here.
 *
 * <p>OIDs and the block number are unsigned 32-bit values; {@code blockNumber} is a {@code long}
 * (0..2^32-1), the OIDs are {@code int}s holding the unsigned bits (use
 * {@link Integer#toUnsignedLong}). Immutable; {@link #data()} returns a fresh read-only
 * little-endian view on each call.
 *
 * @param id         block id in the record (0..32)
 * @param flags      the {@code fork_flags} byte (fork in the low 4 bits, then HAS_IMAGE, HAS_DATA, WILL_INIT, SAME_REL)
 * @param image      the full-page image, or {@code null}
 */
public record BlockRef(int id, int spcOid, int dbOid, int relNumber, int fork, long blockNumber, int flags,
                       ByteBuffer data, BlockImage image) {

    public BlockRef {
        data = data.asReadOnlyBuffer();
    }

    /** {@code BKPBLOCK_WILL_INIT}: the redo initializes the page (e.g. a {@code +INIT} record). */
    public boolean willInit() {
        return (flags & XLog.BKPBLOCK_WILL_INIT) != 0;
    }

    /** {@code BKPBLOCK_HAS_DATA}. */
    public boolean hasData() {
        return (flags & XLog.BKPBLOCK_HAS_DATA) != 0;
    }

    public boolean hasImage() {
        return image != null;
    }

    /** {@code BKPBLOCK_SAME_REL}: the relation was omitted in the record (same as the previous block's). */
    public boolean sameRel() {
        return (flags & XLog.BKPBLOCK_SAME_REL) != 0;
    }

    /** The page starts over at this record: WILL_INIT, or an image that redo applies. */
    public boolean startsPage() {
        return willInit() || (image != null && image.apply());
    }

    /** The block's redo data (empty if none): read-only, little-endian, position 0. */
    @Override
    public ByteBuffer data() {
        return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A copy of the block's redo data (no buffer allocated on the way: the redo hot path). */
    public byte[] dataBytes() {
        byte[] a = new byte[data.remaining()];
        data.get(data.position(), a);
        return a;
    }

    public int dataLength() {
        return data.remaining();
    }

    /** This block as the engine's page reference. */
    public PageRef pageRef() {
        return new PageRef(spcOid, dbOid, relNumber, fork, (int) blockNumber);
    }

    @Override
    public String toString() {
        return "blkref #" + id + ": rel " + Integer.toUnsignedString(spcOid) + "/" + Integer.toUnsignedString(dbOid)
                + "/" + Integer.toUnsignedString(relNumber) + " fork " + fork + " blk " + blockNumber
                + " flags 0x" + Integer.toHexString(flags) + " data " + dataLength()
                + (image != null ? " " + image : "");
    }
}
