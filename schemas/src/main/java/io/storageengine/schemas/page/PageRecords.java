package io.storageengine.schemas.page;

import io.storageengine.schemas.wal.BadRecordException;
import io.storageengine.schemas.wal.RecordType;
import io.storageengine.schemas.wal.WalFormat;
import java.nio.ByteBuffer;

/**
 * Validation of page record payloads (PAGE_IMAGE, PAGE_DELTA, PG_RECORD) per {@code spec/wal-format.md}.
 * Stateless and thread-safe; allocation-free on the valid path.
 *
 * <pre>
 * PAGE_IMAGE payload: PageRef(17) | 8192 page bytes
 * PAGE_DELTA payload: PageRef(17) | u16 count >= 1 | count x (u16 offset, u16 len, len bytes)
 *                     with offset + len <= 8192 for every patch, and nothing after the last patch
 * PG_RECORD payload:  PageRef(17) | header and one XLogRecord, see {@link PgRecordFormat}
 * </pre>
 * The part after the PageRef is the record's <em>body</em>: {@link #validateBody} checks it alone
 * (a stored page version holds its type and body).
 */
public final class PageRecords {
    public static final int IMAGE_PAYLOAD_SIZE = PageRef.SIZE + WalFormat.PAGE_SIZE;

    private PageRecords() {
    }

    /**
     * Checks a page record's payload (a view whose position is its start; not consumed).
     *
     * @throws BadRecordException naming the LSN and the rule broken
     */
    public static void validate(long lsn, RecordType type, ByteBuffer payload) throws BadRecordException {
        if (!type.isPageRecord()) {
            throw new BadRecordException(lsn, type + " is not a page record");
        }
        int n = payload.remaining();
        if (n < PageRef.SIZE) {
            throw new BadRecordException(lsn, switch (type) {
                case PAGE_IMAGE -> "PAGE_IMAGE payload is " + n + " bytes, expected " + IMAGE_PAYLOAD_SIZE;
                case PAGE_DELTA -> "PAGE_DELTA payload of " + n + " bytes is too short for a PageRef and a patch count";
                case PG_RECORD -> "PG_RECORD payload of " + n + " bytes is shorter than " + PgRecordFormat.MIN_PAYLOAD;
                case LSN_ADVANCE, WATERMARK -> type + " is not a page record";
            });
        }
        ByteBuffer body = payload.duplicate();
        body.position(body.position() + PageRef.SIZE);
        validateBody(lsn, type, body);
    }

    /**
     * Checks a page record's body: its payload after the PageRef (a view; not consumed).
     *
     * @throws BadRecordException naming the LSN and the rule broken
     */
    public static void validateBody(long lsn, RecordType type, ByteBuffer body) throws BadRecordException {
        switch (type) {
            case PAGE_IMAGE -> {
                if (body.remaining() != WalFormat.PAGE_SIZE) {
                    throw new BadRecordException(lsn, "PAGE_IMAGE payload is " + (PageRef.SIZE + body.remaining())
                            + " bytes, expected " + IMAGE_PAYLOAD_SIZE);
                }
            }
            case PAGE_DELTA -> {
                if (body.remaining() < 2) {
                    throw new BadRecordException(lsn, "PAGE_DELTA payload of " + (PageRef.SIZE + body.remaining())
                            + " bytes is too short for a PageRef and a patch count");
                }
                validatePatches(lsn, body);
            }
            case PG_RECORD -> PgRecordFormat.validateBody(lsn, body);
            case LSN_ADVANCE, WATERMARK -> throw new BadRecordException(lsn, type + " is not a page record");
        }
    }

    /** Validates a delta body: u16 count then the patches, exactly filling {@code patches}. */
    private static void validatePatches(long lsn, ByteBuffer patches) throws BadRecordException {
        int p = patches.position();
        int end = patches.limit();
        int count = Short.toUnsignedInt(patches.getShort(p));
        if (count < 1) {
            throw new BadRecordException(lsn, "PAGE_DELTA has a patch count of 0");
        }
        p += 2;
        for (int i = 0; i < count; i++) {
            if (end - p < 4) {
                throw new BadRecordException(lsn, "PAGE_DELTA patch " + i + " of " + count + " runs past the payload");
            }
            int off = Short.toUnsignedInt(patches.getShort(p));
            int len = Short.toUnsignedInt(patches.getShort(p + 2));
            p += 4;
            if (off + len > WalFormat.PAGE_SIZE) {
                throw new BadRecordException(lsn, "PAGE_DELTA patch " + i + " (offset " + off + ", len " + len
                        + ") runs past the page");
            }
            if (end - p < len) {
                throw new BadRecordException(lsn, "PAGE_DELTA patch " + i + " of " + count + " runs past the payload");
            }
            p += len;
        }
        if (p != end) {
            throw new BadRecordException(lsn, "PAGE_DELTA has " + (end - p) + " bytes after its last patch");
        }
    }

    /** The PageRef at the start of a page record's payload (not consumed). */
    public static PageRef pageRef(ByteBuffer payload) {
        return PageRef.read(payload.duplicate());
    }
}
