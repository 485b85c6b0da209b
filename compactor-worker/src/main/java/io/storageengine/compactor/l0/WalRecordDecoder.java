package io.storageengine.compactor.l0;

import io.storageengine.schemas.page.PageKey;
import io.storageengine.schemas.page.PageRecords;
import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.page.VersionKey;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.BadRecordException;
import io.storageengine.schemas.wal.Frame;
import io.storageengine.schemas.wal.FrameCodec;
import io.storageengine.schemas.wal.RecordType;
import java.nio.ByteBuffer;

/**
 * Decodes one record of the {@code wal} topic (spec/wal-format.md, "In Kafka"): key 49 bytes
 * (page) or 32 bytes (timeline, for WATERMARK), value exactly one frame, CRC included. Anything
 * else (wrong key size, corrupt or truncated frame, reserved type, a page payload breaking the
 * rules, a PageRef that differs from the key's) is a {@link Skip} with a reason for the counters:
 * it never reaches a segment and never stops the partition.
 *
 * <p>Decoding copies nothing: a {@link Version} is a view of the record value (the Kafka fetch
 * buffer) that {@link PartitionBuffer#add} copies once, already in segment record form. The view is
 * valid until the next poll of the consumer. Stateless and thread-safe.
 */
public final class WalRecordDecoder {
    /** The result of decoding one record. */
    public sealed interface Decoded {
    }

    /**
     * A page version: the 49-byte PageKey (the record key, not copied), the LSN, the record type
     * and the payload body after the PageRef (a view). Its segment form is the 57-byte
     * {@link #versionKey()} and the StoredVersion {@link #value()} {@code type(1) | body}.
     */
    public record Version(byte[] pageKey, long lsn, RecordType type, ByteBuffer body) implements Decoded {
        public TimelineKey timeline() {
            return TimelineKey.read(ByteBuffer.wrap(pageKey, 0, TimelineKey.SIZE));
        }

        /** Length of the StoredVersion value: the type byte and the body. */
        public int valueLength() {
            return 1 + body.remaining();
        }

        /** The 57-byte VersionKey (a fresh array). */
        public byte[] versionKey() {
            return VersionKey.encode(pageKey, lsn);
        }

        /** The StoredVersion bytes (a fresh array). */
        public byte[] value() {
            byte[] v = new byte[valueLength()];
            v[0] = type.codeByte();
            body.get(body.position(), v, 1, v.length - 1);
            return v;
        }
    }

    /** Every record of {@code timeline} up to {@code lsn} in this partition has been written. */
    public record Watermark(TimelineKey timeline, long lsn) implements Decoded {
    }

    /** A record that is skipped and counted; {@code reason} is a short metric tag. */
    public record Skip(String reason, String detail) implements Decoded {
    }

    private WalRecordDecoder() {
    }

    public static Decoded decode(byte[] key, byte[] value) {
        return decode(key, value == null ? null : ByteBuffer.wrap(value));
    }

    /** Decodes a record whose value is {@code value}'s remaining bytes (its position is not moved). */
    public static Decoded decode(byte[] key, ByteBuffer value) {
        if (value == null) {
            return new Skip("null_value", "record without a value");
        }
        int pos = value.position();
        int limit = value.limit();
        int n = FrameCodec.probe(value, pos, limit);
        if (n == FrameCodec.NEED_MORE) {
            return new Skip("corrupt_frame", "truncated frame: " + (limit - pos) + " bytes");
        }
        if (n == FrameCodec.INVALID) {
            return new Skip("corrupt_frame", "corrupt frame: " + FrameCodec.describeCorruption(value, pos, limit));
        }
        if (n != limit - pos) {
            return new Skip("corrupt_frame", "frame of " + n + " bytes followed by " + (limit - pos - n) + " extra bytes");
        }
        Frame f = FrameCodec.decodeAt(value, pos, n);
        RecordType type = f.type();
        if (type == null) {
            return new Skip("reserved_type", "reserved record type " + f.typeCode() + " at LSN " + f.lsn());
        }
        switch (type) {
            case WATERMARK -> {
                if (key == null || key.length != TimelineKey.SIZE) {
                    return new Skip("bad_key", "WATERMARK with a key of " + (key == null ? "null" : key.length + " bytes"));
                }
                return new Watermark(TimelineKey.fromBytes(key), f.lsn());
            }
            case PAGE_IMAGE, PAGE_DELTA -> {
                if (key == null || key.length != PageKey.SIZE) {
                    return new Skip("bad_key", type + " at LSN " + f.lsn() + " with a key of "
                            + (key == null ? "null" : key.length + " bytes"));
                }
                ByteBuffer payload = f.payload();
                try {
                    PageRecords.validate(f.lsn(), type, payload);
                } catch (BadRecordException e) {
                    return new Skip("bad_record", e.getMessage());
                }
                int p = payload.position();
                for (int i = 0; i < PageRef.SIZE; i++) {
                    if (payload.get(p + i) != key[TimelineKey.SIZE + i]) {
                        return new Skip("key_mismatch", type + " at LSN " + f.lsn() + ": payload PageRef differs from the key");
                    }
                }
                ByteBuffer body = payload.duplicate();
                body.position(p + PageRef.SIZE);
                return new Version(key, f.lsn(), type, body);
            }
            default -> {
                return new Skip("lsn_advance", "LSN_ADVANCE at LSN " + f.lsn() + " (not a page record)");
            }
        }
    }
}
