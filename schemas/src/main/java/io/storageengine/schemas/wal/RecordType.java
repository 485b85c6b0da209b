package io.storageengine.schemas.wal;

/**
 * WAL record types of format version 1.1. Version 1.1 added {@link #PG_RECORD} (0x04), which a
 * version 1.0 reader skipped as reserved. Codes 0x05–0x0F and 0x11–0xFF are reserved: a frame of a
 * reserved type with a valid CRC is skipped and counted, and still advances the stream's LSN.
 *
 * <p>The spec names neither a meaning nor a reservation for 0x00; the closest sound reading is to
 * treat it as reserved too (skipped and counted, never an error), which {@link #isReserved} does.
 */
public enum RecordType {
    PAGE_IMAGE(0x01),
    PAGE_DELTA(0x02),
    LSN_ADVANCE(0x03),
    /** One PostgreSQL WAL record for one block reference of it (layout: {@code PgRecordFormat}). */
    PG_RECORD(0x04),
    WATERMARK(0x10);

    private final int code;

    RecordType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public byte codeByte() {
        return (byte) code;
    }

    /** The type for a code, or {@code null} if the code is reserved. */
    public static RecordType of(int code) {
        return switch (code & 0xFF) {
            case 0x01 -> PAGE_IMAGE;
            case 0x02 -> PAGE_DELTA;
            case 0x03 -> LSN_ADVANCE;
            case 0x04 -> PG_RECORD;
            case 0x10 -> WATERMARK;
            default -> null;
        };
    }

    public static boolean isReserved(int code) {
        return of(code) == null;
    }

    /** True for the types that carry a PageRef and change one page (a page version). */
    public boolean isPageRecord() {
        return switch (this) {
            case PAGE_IMAGE, PAGE_DELTA, PG_RECORD -> true;
            case LSN_ADVANCE, WATERMARK -> false;
        };
    }
}
