package io.storageengine.schemas.wal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * Encodes and checks WAL frames ({@link WalFormat}). Stateless and thread-safe.
 *
 * <p>{@link #probe} is the primitive of every reader: it tells whether a complete, valid frame
 * (magic, length limit, CRC) starts at a position of a buffer, without copying. Streaming decoders
 * call it at each position; on {@link #INVALID} they resynchronize by scanning forward for the
 * next position where it answers a length.
 */
public final class FrameCodec {

    /** {@link #probe} result: more bytes are needed to decide. */
    public static final int NEED_MORE = -1;
    /** {@link #probe} result: no valid frame starts here. */
    public static final int INVALID = -2;

    private FrameCodec() {
    }

    /**
     * Checks the bytes {@code [pos, limit)} of {@code buf} (absolute positions; the buffer's own
     * position and limit are ignored and unchanged).
     *
     * @return the total frame length if a valid frame starts at {@code pos}; {@link #NEED_MORE}
     *     if the bytes so far are consistent with a frame but incomplete; {@link #INVALID} if the
     *     magic is wrong, the length exceeds the limit, or the CRC does not match
     */
    public static int probe(ByteBuffer buf, int pos, int limit) {
        int avail = limit - pos;
        if (avail < 4) {
            // Check the magic bytes we have so that garbage is rejected early.
            for (int i = 0; i < avail; i++) {
                if (buf.get(pos + i) != (byte) (WalFormat.MAGIC >>> (24 - 8 * i))) {
                    return INVALID;
                }
            }
            return NEED_MORE;
        }
        if (getInt(buf, pos) != WalFormat.MAGIC) {
            return INVALID;
        }
        if (avail < WalFormat.HEADER_SIZE) {
            if (avail >= WalFormat.LENGTH_OFFSET + 4
                    && Integer.toUnsignedLong(getInt(buf, pos + WalFormat.LENGTH_OFFSET)) > WalFormat.MAX_PAYLOAD) {
                return INVALID;
            }
            return NEED_MORE;
        }
        long length = Integer.toUnsignedLong(getInt(buf, pos + WalFormat.LENGTH_OFFSET));
        if (length > WalFormat.MAX_PAYLOAD) {
            return INVALID;
        }
        int total = WalFormat.HEADER_SIZE + (int) length;
        if (avail < total) {
            return NEED_MORE;
        }
        int expected = getInt(buf, pos + WalFormat.CRC_OFFSET);
        return crc(buf, pos, (int) length) == expected ? total : INVALID;
    }

    /** CRC-32C of header bytes 4..16 and the payload of the frame at {@code pos}. */
    static int crc(ByteBuffer buf, int pos, int length) {
        CRC32C crc = new CRC32C();
        ByteBuffer d = buf.duplicate();
        d.limit(pos + WalFormat.CRC_OFFSET).position(pos + WalFormat.LSN_OFFSET);
        crc.update(d);
        d.limit(pos + WalFormat.HEADER_SIZE + length).position(pos + WalFormat.HEADER_SIZE);
        crc.update(d);
        return (int) crc.getValue();
    }

    /** Decodes the frame at {@code pos}; the caller has checked it with {@link #probe}. */
    public static Frame decodeAt(ByteBuffer buf, int pos, int totalLength) {
        long lsn = getLong(buf, pos + WalFormat.LSN_OFFSET);
        int type = buf.get(pos + WalFormat.TYPE_OFFSET) & 0xFF;
        ByteBuffer payload = buf.duplicate();
        payload.limit(pos + totalLength).position(pos + WalFormat.HEADER_SIZE);
        return new Frame(lsn, type, payload.slice().asReadOnlyBuffer());
    }

    /**
     * Decodes a buffer that must hold exactly one valid frame (a Kafka record value).
     *
     * @throws IllegalArgumentException naming the problem if it does not
     */
    public static Frame decodeExactly(byte[] bytes) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        int n = probe(buf, 0, bytes.length);
        if (n == NEED_MORE) {
            throw new IllegalArgumentException("truncated frame: " + bytes.length + " bytes");
        }
        if (n == INVALID) {
            throw new IllegalArgumentException("corrupt frame: " + describeCorruption(buf, 0, bytes.length));
        }
        if (n != bytes.length) {
            throw new IllegalArgumentException("frame of " + n + " bytes followed by " + (bytes.length - n) + " extra bytes");
        }
        return decodeAt(buf, 0, n);
    }

    /** A human-readable reason why {@link #probe} rejects the frame at {@code pos}. */
    public static String describeCorruption(ByteBuffer buf, int pos, int limit) {
        if (limit - pos < 4 || getInt(buf, pos) != WalFormat.MAGIC) {
            return "wrong magic";
        }
        if (limit - pos >= WalFormat.LENGTH_OFFSET + 4) {
            long length = Integer.toUnsignedLong(getInt(buf, pos + WalFormat.LENGTH_OFFSET));
            if (length > WalFormat.MAX_PAYLOAD) {
                return "length " + length + " over the limit of " + WalFormat.MAX_PAYLOAD;
            }
        }
        return "CRC mismatch";
    }

    /** Encodes one frame into {@code out} at its position, advancing it. */
    public static void encode(long lsn, int typeCode, ByteBuffer payload, ByteBuffer out) {
        int length = payload.remaining();
        if (length > WalFormat.MAX_PAYLOAD) {
            throw new IllegalArgumentException("payload of " + length + " bytes exceeds " + WalFormat.MAX_PAYLOAD);
        }
        ByteOrder order = out.order();
        out.order(ByteOrder.BIG_ENDIAN);
        int start = out.position();
        out.putInt(WalFormat.MAGIC).putLong(lsn).putInt(length).put((byte) typeCode).putInt(0);
        out.put(payload.duplicate());
        out.putInt(start + WalFormat.CRC_OFFSET, crc(out, start, length));
        out.order(order);
    }

    public static byte[] encode(long lsn, int typeCode, ByteBuffer payload) {
        byte[] b = new byte[WalFormat.HEADER_SIZE + payload.remaining()];
        encode(lsn, typeCode, payload, ByteBuffer.wrap(b));
        return b;
    }

    public static byte[] encode(long lsn, RecordType type, byte[] payload) {
        return encode(lsn, type.code(), ByteBuffer.wrap(payload));
    }

    private static int getInt(ByteBuffer b, int i) {
        int v = b.getInt(i);
        return b.order() == ByteOrder.BIG_ENDIAN ? v : Integer.reverseBytes(v);
    }

    private static long getLong(ByteBuffer b, int i) {
        return ((long) getInt(b, i) << 32) | (getInt(b, i + 4) & 0xFFFFFFFFL);
    }
}
