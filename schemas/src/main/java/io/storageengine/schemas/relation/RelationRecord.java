package io.storageengine.schemas.relation;

import io.storageengine.schemas.wal.Lsn;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The value of a record in the relations topic. Wire form, 18 bytes big-endian:
 *
 * <pre>
 * u8  type     0x01 SIZE, 0x10 WATERMARK
 * u64 lsn      SIZE: end LSN of the WAL record that made the change; WATERMARK: see below
 * u32 nblocks  SIZE: the fork's block count after the change (0 when it does not exist); else 0
 * u8  flags    SIZE: bit 0 EXISTS; else 0. Other bits zero.
 * u32 crc      CRC-32C of the 14 bytes before it
 * </pre>
 *
 * A WATERMARK (key: the 32-byte timeline key, sent to every partition of the topic) means: every
 * size change of this timeline with an LSN ≤ {@code lsn} that belongs to this partition has already
 * been written to it. Immutable; sealed so readers switch over both kinds exhaustively.
 */
public sealed interface RelationRecord {
    int SIZE = 18;
    int TYPE_SIZE = 0x01;
    int TYPE_WATERMARK = 0x10;
    int FLAG_EXISTS = 0x01;

    long lsn();

    /** A fork's state after the record at {@code lsn}. */
    record Size(long lsn, long nblocks, boolean exists) implements RelationRecord {
        public Size {
            if (nblocks < 0 || nblocks > RelationSize.MAX_BLOCKS) {
                throw new IllegalArgumentException("nblocks " + nblocks + " out of range");
            }
        }
    }

    /** The partition is complete for the timeline up to {@code lsn}. */
    record Watermark(long lsn) implements RelationRecord {
    }

    static Size size(long lsn, RelationSize s) {
        return new Size(lsn, s.nblocks(), s.exists());
    }

    default byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(SIZE);
        switch (this) {
            case Size s -> b.put((byte) TYPE_SIZE).putLong(s.lsn()).putInt((int) s.nblocks())
                    .put((byte) (s.exists() ? FLAG_EXISTS : 0));
            case Watermark w -> b.put((byte) TYPE_WATERMARK).putLong(w.lsn()).putInt(0).put((byte) 0);
        }
        b.putInt(crc(b.array()));
        return b.array();
    }

    /** @throws IllegalArgumentException naming what is wrong (length, CRC, type, flags) */
    static RelationRecord decode(byte[] bytes) {
        if (bytes == null || bytes.length != SIZE) {
            throw new IllegalArgumentException("relation record must be " + SIZE + " bytes, got "
                    + (bytes == null ? "null" : bytes.length));
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int type = b.get() & 0xFF;
        long lsn = b.getLong();
        long nblocks = Integer.toUnsignedLong(b.getInt());
        int flags = b.get() & 0xFF;
        int crc = b.getInt();
        if (crc != crc(bytes)) {
            throw new IllegalArgumentException("relation record at " + Lsn.format(lsn) + ": CRC mismatch");
        }
        return switch (type) {
            case TYPE_SIZE -> {
                if ((flags & ~FLAG_EXISTS) != 0 || ((flags & FLAG_EXISTS) == 0 && nblocks != 0)) {
                    throw new IllegalArgumentException("relation record at " + Lsn.format(lsn) + ": bad flags 0x"
                            + Integer.toHexString(flags) + " with " + nblocks + " blocks");
                }
                yield new Size(lsn, nblocks, (flags & FLAG_EXISTS) != 0);
            }
            case TYPE_WATERMARK -> new Watermark(lsn);
            default -> throw new IllegalArgumentException("relation record at " + Lsn.format(lsn)
                    + ": unknown type 0x" + Integer.toHexString(type));
        };
    }

    private static int crc(byte[] bytes) {
        CRC32C c = new CRC32C();
        c.update(bytes, 0, SIZE - 4);
        return (int) c.getValue();
    }
}
