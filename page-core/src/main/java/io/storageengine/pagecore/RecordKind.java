package io.storageengine.pagecore;

import io.storageengine.schemas.wal.RecordType;

/**
 * A kind of page version, and how it changes a page. Sealed: {@link PageImageKind},
 * {@link PageDeltaKind}, {@link PgRecordKind}; switch over it exhaustively (no {@code default}).
 *
 * <p>Every method takes the version's {@link StoredVersion} bytes ({@code type(1) | body}), which
 * the caller has checked (ingest validates records; segments and stores hold validated ones).
 * Implementations are stateless singletons and thread-safe.
 */
public sealed interface RecordKind permits PageImageKind, PageDeltaKind, PgRecordKind {

    /** The WAL record type this kind stores (its type byte). */
    RecordType type();

    /**
     * True if applying {@code stored} does not read the page as it was before: the version starts
     * a chain, and no older version is needed (an image, a PG_RECORD with WILL_INIT).
     */
    boolean initializesPage(byte[] stored);

    /**
     * Applies {@code stored} to {@code page} (8192 bytes) in place.
     *
     * @throws RedoUnsupportedException if no redo engine can replay this record (PG_RECORD)
     * @throws RedoException if the record cannot apply to this page
     */
    void apply(byte[] page, byte[] stored, ApplyContext context) throws RedoUnsupportedException, RedoException;

    /**
     * The kind of a page record type.
     *
     * @throws IllegalArgumentException for a type that is not a page record
     */
    static RecordKind of(RecordType type) {
        return switch (type) {
            case PAGE_IMAGE -> PageImageKind.INSTANCE;
            case PAGE_DELTA -> PageDeltaKind.INSTANCE;
            case PG_RECORD -> PgRecordKind.INSTANCE;
            case LSN_ADVANCE, WATERMARK -> throw new IllegalArgumentException(type + " is not a page record kind");
        };
    }

    /**
     * The kind for a stored type byte.
     *
     * @throws IllegalArgumentException for a code that is no page record type
     */
    static RecordKind ofCode(byte code) {
        RecordKind k = KindTable.byCode(code);
        if (k == null) {
            throw new IllegalArgumentException("stored version has type code " + (code & 0xFF));
        }
        return k;
    }
}
