package io.storageengine.schemas.kafka;

import io.storageengine.schemas.page.PageKey;
import io.storageengine.schemas.page.PageRecords;
import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.BadRecordException;
import io.storageengine.schemas.wal.Frame;
import io.storageengine.schemas.wal.FrameCodec;
import io.storageengine.schemas.wal.Lsn;
import io.storageengine.schemas.wal.RecordType;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The one codec of the {@code wal} topic's records ({@code spec/wal-format.md}, "In Kafka"), used
 * by the publisher, the page service's Streams processor and the compactor.
 *
 * <pre>
 * page record:  key = tenant(16) | timeline(16) | PageRef(17)   (49 bytes, {@link PageKey})
 *               value = one frame of a page record type, CRC included, whose payload starts with
 *               the same PageRef
 * WATERMARK:    key = tenant(16) | timeline(16)                 (32 bytes, {@link TimelineKey})
 *               value = one WATERMARK frame with an empty payload
 * </pre>
 * {@link #decode} classifies a record; anything that breaks the rules is {@link Skipped} with a
 * {@link SkipReason}, never thrown. Decoding copies nothing: a {@link PageRecord}'s key is the
 * record key and its payload a view of the value. Stateless and thread-safe.
 */
public final class WalRecordCodec {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private WalRecordCodec() {
    }

    /** What a record is. */
    public sealed interface Decoded permits PageRecord, Watermark, LsnAdvance, Skipped {
    }

    /**
     * A valid page record: the 49-byte key (not copied), the LSN, the type and the payload
     * (PageRef first; a read-only view, valid while the value's bytes are).
     */
    public record PageRecord(byte[] pageKey, long lsn, RecordType type, ByteBuffer payload) implements Decoded {
        /** The payload after its PageRef (a view). */
        public ByteBuffer body() {
            return payload.slice(payload.position() + PageRef.SIZE, payload.remaining() - PageRef.SIZE);
        }

        public TimelineKey timeline() {
            return TimelineKey.read(ByteBuffer.wrap(pageKey, 0, TimelineKey.SIZE));
        }
    }

    /** Every record of {@code timeline} with an LSN ≤ {@code lsn} in this partition has been written. */
    public record Watermark(TimelineKey timeline, long lsn) implements Decoded {
    }

    /** An LSN_ADVANCE frame (producers should not publish them per page). */
    public record LsnAdvance(long lsn) implements Decoded {
    }

    /** A record that is skipped and counted; {@code detail} names the LSN when the frame is intact. */
    public record Skipped(SkipReason reason, String detail) implements Decoded {
        public Skipped {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** Why a record is skipped; {@link #tag()} is its short metric tag. */
    public enum SkipReason {
        /** A record without a value. */
        NULL_VALUE,
        /** Not exactly one valid frame: wrong magic, over-long, CRC mismatch, truncated, trailing bytes. */
        CORRUPT_FRAME,
        /** An intact frame of a reserved type (forward compatibility). */
        RESERVED_TYPE,
        /** A key of the wrong length for the record's type. */
        BAD_KEY,
        /** An intact frame whose payload breaks its type's rules. */
        BAD_RECORD,
        /** A page record whose payload PageRef differs from the key's. */
        KEY_MISMATCH;

        public String tag() {
            return name().toLowerCase();
        }
    }

    /**
     * The 49-byte key of a page record: the timeline key, then the PageRef at the start of
     * {@code payload} (not consumed).
     */
    public static byte[] pageKey(byte[] timelineKey, ByteBuffer payload) {
        byte[] key = new byte[PageKey.SIZE];
        System.arraycopy(timelineKey, 0, key, 0, TimelineKey.SIZE);
        payload.get(payload.position(), key, TimelineKey.SIZE, PageRef.SIZE);
        return key;
    }

    public static byte[] pageKey(TimelineKey timeline, PageRef page) {
        return new PageKey(timeline, page).toBytes();
    }

    /** The 32-byte key of a WATERMARK record. */
    public static byte[] watermarkKey(TimelineKey timeline) {
        return timeline.toBytes();
    }

    /** The value of a WATERMARK record at {@code lsn}: one frame with an empty payload. */
    public static byte[] watermarkValue(long lsn) {
        return FrameCodec.encode(lsn, RecordType.WATERMARK.code(), EMPTY.duplicate());
    }

    public static Decoded decode(byte[] key, byte[] value) {
        return decode(key, value == null ? null : ByteBuffer.wrap(value));
    }

    /** Decodes a record whose value is {@code value}'s remaining bytes (its position is not moved). */
    public static Decoded decode(byte[] key, ByteBuffer value) {
        if (value == null) {
            return new Skipped(SkipReason.NULL_VALUE, "record without a value");
        }
        int pos = value.position();
        int limit = value.limit();
        int n = FrameCodec.probe(value, pos, limit);
        if (n == FrameCodec.NEED_MORE) {
            return new Skipped(SkipReason.CORRUPT_FRAME, "truncated frame: " + (limit - pos) + " bytes");
        }
        if (n == FrameCodec.INVALID) {
            return new Skipped(SkipReason.CORRUPT_FRAME,
                    "corrupt frame: " + FrameCodec.describeCorruption(value, pos, limit));
        }
        if (n != limit - pos) {
            return new Skipped(SkipReason.CORRUPT_FRAME, "frame of " + n + " bytes followed by " + (limit - pos - n)
                    + " extra bytes");
        }
        Frame f = FrameCodec.decodeAt(value, pos, n);
        RecordType type = f.type();
        if (type == null) {
            return new Skipped(SkipReason.RESERVED_TYPE, "reserved record type 0x" + Integer.toHexString(f.typeCode())
                    + " at LSN " + Lsn.format(f.lsn()));
        }
        return switch (type) {
            case PAGE_IMAGE, PAGE_DELTA, PG_RECORD -> page(key, f, type);
            case WATERMARK -> watermark(key, f);
            case LSN_ADVANCE -> new LsnAdvance(f.lsn());
        };
    }

    private static Decoded page(byte[] key, Frame f, RecordType type) {
        if (key == null || key.length != PageKey.SIZE) {
            return new Skipped(SkipReason.BAD_KEY, type + " at LSN " + Lsn.format(f.lsn()) + " with a key of "
                    + (key == null ? "null" : key.length + " bytes") + ", expected " + PageKey.SIZE);
        }
        ByteBuffer payload = f.payload();
        try {
            PageRecords.validate(f.lsn(), type, payload);
        } catch (BadRecordException e) {
            return new Skipped(SkipReason.BAD_RECORD, e.getMessage());
        }
        if (!ByteBuffer.wrap(key, TimelineKey.SIZE, PageRef.SIZE).equals(payload.slice(payload.position(), PageRef.SIZE))) {
            return new Skipped(SkipReason.KEY_MISMATCH, type + " at LSN " + Lsn.format(f.lsn())
                    + ": the payload's PageRef differs from the key's");
        }
        return new PageRecord(key, f.lsn(), type, payload);
    }

    private static Decoded watermark(byte[] key, Frame f) {
        if (key == null || key.length != TimelineKey.SIZE) {
            return new Skipped(SkipReason.BAD_KEY, "WATERMARK at LSN " + Lsn.format(f.lsn()) + " with a key of "
                    + (key == null ? "null" : key.length + " bytes") + ", expected " + TimelineKey.SIZE);
        }
        if (f.payloadLength() != 0) {
            return new Skipped(SkipReason.BAD_RECORD, "WATERMARK at LSN " + Lsn.format(f.lsn()) + " has a "
                    + f.payloadLength() + "-byte payload, expected none");
        }
        return new Watermark(TimelineKey.fromBytes(key), f.lsn());
    }
}
