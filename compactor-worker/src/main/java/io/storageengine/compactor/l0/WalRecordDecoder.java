package io.storageengine.compactor.l0;

import io.storageengine.schemas.page.PageKey;
import io.storageengine.schemas.page.PageRecords;
import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.page.StoredVersion;
import io.storageengine.schemas.page.VersionKey;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.BadRecordException;
import io.storageengine.schemas.wal.Frame;
import io.storageengine.schemas.wal.FrameCodec;
import io.storageengine.schemas.wal.RecordType;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Decodes one record of the {@code wal} topic (spec/wal-format.md, "In Kafka"): key 49 bytes
 * (page) or 32 bytes (timeline, for WATERMARK), value exactly one frame, CRC included. Anything
 * else (wrong key size, corrupt or truncated frame, reserved type, a page payload breaking the
 * rules, a PageRef that differs from the key's) is a {@link Skip} with a reason for the counters:
 * it never reaches a segment and never stops the partition. Stateless and thread-safe.
 */
public final class WalRecordDecoder {
    /** The result of decoding one record. */
    public sealed interface Decoded {
    }

    /** A page version: 57-byte VersionKey and StoredVersion value, ready for a segment. */
    public record Version(byte[] versionKey, byte[] value, long lsn) implements Decoded {
        public TimelineKey timeline() {
            return TimelineKey.read(ByteBuffer.wrap(versionKey, 0, TimelineKey.SIZE));
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
        if (value == null) {
            return new Skip("null_value", "record without a value");
        }
        Frame f;
        try {
            f = FrameCodec.decodeExactly(value);
        } catch (IllegalArgumentException e) {
            return new Skip("corrupt_frame", e.getMessage());
        }
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
                try {
                    PageRecords.validate(f.lsn(), type, f.payload());
                } catch (BadRecordException e) {
                    return new Skip("bad_record", e.getMessage());
                }
                ByteBuffer ref = ByteBuffer.allocate(PageRef.SIZE);
                PageRecords.pageRef(f.payload()).write(ref);
                if (!Arrays.equals(ref.array(), 0, PageRef.SIZE, key, TimelineKey.SIZE, PageKey.SIZE)) {
                    return new Skip("key_mismatch", type + " at LSN " + f.lsn() + ": payload PageRef differs from the key");
                }
                return new Version(VersionKey.encode(key, f.lsn()), StoredVersion.fromPayload(type, f.payload()), f.lsn());
            }
            default -> {
                return new Skip("lsn_advance", "LSN_ADVANCE at LSN " + f.lsn() + " (not a page record)");
            }
        }
    }
}
