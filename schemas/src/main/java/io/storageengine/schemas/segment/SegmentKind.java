package io.storageengine.schemas.segment;

/**
 * What a segment holds. DELTA: every version (images and deltas) of its pages in an LSN range
 * (level 0 is cut straight from the WAL, level 1 is merged). IMAGE: one materialized image per
 * page at one LSN. The code is stored in the segment footer, the name in the catalog (which is why
 * this enum lives in schemas, below both the segments and the catalog modules).
 */
public enum SegmentKind {
    DELTA(0),
    IMAGE(1);

    private final int code;

    SegmentKind(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** @throws IllegalArgumentException for an unknown code */
    public static SegmentKind ofCode(int code) {
        return switch (code) {
            case 0 -> DELTA;
            case 1 -> IMAGE;
            default -> throw new IllegalArgumentException("unknown segment kind code " + code);
        };
    }
}
