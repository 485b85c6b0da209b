package io.storageengine.pagecore;

import io.storageengine.schemas.page.PageRecords;
import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.page.PgRecordFormat;
import io.storageengine.schemas.wal.BadRecordException;
import io.storageengine.schemas.wal.RecordType;
import io.storageengine.schemas.wal.WalFormat;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The value stored for one page version, in the page service's hot store and in segments:
 * {@code type(1) | body}, where body is the record's payload without its PageRef (the key names the
 * page and the LSN):
 * <pre>
 * 0x01 PAGE_IMAGE  | 8192 page bytes
 * 0x02 PAGE_DELTA  | u16 count | patches
 * 0x04 PG_RECORD   | u8 blockId | u8 flags | u16 pgMajor | XLogRecord
 * </pre>
 * Static helpers over the byte arrays (no wrapper object on the read path); thread-safe.
 */
public final class StoredVersion {
    /** Offset of the type byte. */
    public static final int TYPE = 0;
    /** Offset of the body. */
    public static final int BODY = 1;

    private StoredVersion() {
    }

    /** Builds the stored value from a validated page record payload (PageRef first; not consumed). */
    public static byte[] fromPayload(RecordType type, ByteBuffer payload) {
        ByteBuffer body = payload.duplicate();
        body.position(body.position() + PageRef.SIZE);
        return fromBody(type, body);
    }

    /** Builds the stored value from a validated record body (the payload after its PageRef; not consumed). */
    public static byte[] fromBody(RecordType type, ByteBuffer body) {
        byte[] v = new byte[encodedLength(body)];
        write(type, body, v, 0);
        return v;
    }

    /** Length of the stored value of {@code body}: the type byte and the body. */
    public static int encodedLength(ByteBuffer body) {
        return BODY + body.remaining();
    }

    /** Writes the stored value of {@code body} (not consumed) into {@code dest} at {@code offset}. */
    public static void write(RecordType type, ByteBuffer body, byte[] dest, int offset) {
        RecordKind.of(type); // page record types only
        dest[offset + TYPE] = type.codeByte();
        body.get(body.position(), dest, offset + BODY, body.remaining());
    }

    /** A PAGE_IMAGE version of {@code page} (8192 bytes, copied). */
    public static byte[] image(byte[] page) {
        if (page.length != WalFormat.PAGE_SIZE) {
            throw new IllegalArgumentException("page image must be " + WalFormat.PAGE_SIZE + " bytes, got " + page.length);
        }
        byte[] v = new byte[BODY + page.length];
        v[TYPE] = RecordType.PAGE_IMAGE.codeByte();
        System.arraycopy(page, 0, v, BODY, page.length);
        return v;
    }

    /** A PG_RECORD version: block id, flags, PostgreSQL 15, and the XLogRecord's remaining bytes (not consumed). */
    public static byte[] pgRecord(int blockId, int flags, ByteBuffer xlogRecord) {
        byte[] v = new byte[BODY + PgRecordFormat.RECORD + xlogRecord.remaining()];
        v[TYPE] = RecordType.PG_RECORD.codeByte();
        v[BODY + PgRecordFormat.BLOCK_ID] = (byte) blockId;
        v[BODY + PgRecordFormat.FLAGS] = (byte) flags;
        ByteBuffer.wrap(v).putShort(BODY + PgRecordFormat.PG_MAJOR, (short) PgRecordFormat.SUPPORTED_PG_MAJOR);
        xlogRecord.get(xlogRecord.position(), v, BODY + PgRecordFormat.RECORD, xlogRecord.remaining());
        return v;
    }

    /** The kind of a stored version. @throws IllegalArgumentException for a type that is no page record */
    public static RecordKind kind(byte[] stored) {
        return RecordKind.ofCode(stored[TYPE]);
    }

    /** The record type of a stored version. @throws IllegalArgumentException for a type that is no page record */
    public static RecordType type(byte[] stored) {
        return kind(stored).type();
    }

    /** The body (image bytes, delta patches, or PG_RECORD header and record) as a read-only view. */
    public static ByteBuffer body(byte[] stored) {
        return ByteBuffer.wrap(stored, BODY, stored.length - BODY).slice().asReadOnlyBuffer();
    }

    /** The block reference id of a PG_RECORD version; {@link ApplyContext#NO_BLOCK_ID} for other kinds. */
    public static int blockId(byte[] stored) {
        return stored[TYPE] == RecordType.PG_RECORD.codeByte()
                ? stored[BODY + PgRecordFormat.BLOCK_ID] & 0xFF : ApplyContext.NO_BLOCK_ID;
    }

    /** The flags of a PG_RECORD version. */
    static int pgFlags(byte[] stored) {
        return stored[BODY + PgRecordFormat.FLAGS] & 0xFF;
    }

    /** The XLogRecord of a PG_RECORD version: a read-only little-endian view of {@code xl_tot_len} bytes. */
    public static ByteBuffer pgRecord(byte[] stored) {
        int off = BODY + PgRecordFormat.RECORD;
        return ByteBuffer.wrap(stored, off, stored.length - off).slice().asReadOnlyBuffer()
                .order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Checks a stored value read back from disk (segment readers, tests): its kind's body rules. */
    public static void validate(long lsn, byte[] stored) throws BadRecordException {
        if (stored.length < 1) {
            throw new BadRecordException(lsn, "empty stored version");
        }
        RecordType t = RecordType.of(stored[TYPE]);
        if (t == null || !t.isPageRecord()) {
            throw new BadRecordException(lsn, "stored version has type code " + (stored[TYPE] & 0xFF));
        }
        if (t == RecordType.PAGE_IMAGE && stored.length != BODY + WalFormat.PAGE_SIZE) {
            throw new BadRecordException(lsn, "stored image of " + (stored.length - BODY) + " bytes");
        }
        PageRecords.validateBody(lsn, t, body(stored));
    }
}
