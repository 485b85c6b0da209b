package io.storageengine.schemas.page;

import io.storageengine.schemas.wal.BadRecordException;
import io.storageengine.schemas.wal.RecordType;
import java.nio.ByteBuffer;

/**
 * The value stored for one page version, in the page service's hot store and in segments:
 * type(1) | body, where body is the record's payload without its PageRef (the key names the
 * page): 8192 page bytes for PAGE_IMAGE, {@code u16 count | patches} for PAGE_DELTA.
 * Static helpers; thread-safe.
 */
public final class StoredVersion {
    private StoredVersion() {
    }

    /** Builds the stored value from a validated page record payload (PageRef first). */
    public static byte[] fromPayload(RecordType type, ByteBuffer payload) {
        ByteBuffer body = payload.duplicate();
        body.position(body.position() + PageRef.SIZE);
        byte[] v = new byte[1 + body.remaining()];
        v[0] = type.codeByte();
        body.get(v, 1, v.length - 1);
        return v;
    }

    public static byte[] image(byte[] page) {
        byte[] v = new byte[1 + page.length];
        v[0] = RecordType.PAGE_IMAGE.codeByte();
        System.arraycopy(page, 0, v, 1, page.length);
        return v;
    }

    public static RecordType type(byte[] stored) {
        RecordType t = RecordType.of(stored[0]);
        if (t == null || !t.isPageRecord()) {
            throw new IllegalArgumentException("stored version has type code " + (stored[0] & 0xFF));
        }
        return t;
    }

    public static boolean isImage(byte[] stored) {
        return stored[0] == RecordType.PAGE_IMAGE.codeByte();
    }

    /** The body (image bytes or delta patches) as a read-only view. */
    public static ByteBuffer body(byte[] stored) {
        return ByteBuffer.wrap(stored, 1, stored.length - 1).slice().asReadOnlyBuffer();
    }

    /** Checks a stored value read back from disk; used by segment readers and tests. */
    public static void validate(long lsn, byte[] stored) throws BadRecordException {
        if (stored.length < 1) {
            throw new BadRecordException(lsn, "empty stored version");
        }
        RecordType t = RecordType.of(stored[0]);
        if (t == RecordType.PAGE_IMAGE) {
            if (stored.length != 1 + io.storageengine.schemas.wal.WalFormat.PAGE_SIZE) {
                throw new BadRecordException(lsn, "stored image of " + (stored.length - 1) + " bytes");
            }
        } else if (t == RecordType.PAGE_DELTA) {
            PageRecords.validatePatches(lsn, body(stored));
        } else {
            throw new BadRecordException(lsn, "stored version has type code " + (stored[0] & 0xFF));
        }
    }
}
