package io.storageengine.pagecore;

import io.storageengine.schemas.wal.RecordType;

/**
 * The record kind of each type byte, looked up by index on the read path (one array read instead of
 * three switches per version). Built once from {@link RecordKind#of}; private and never written
 * after class initialization. Thread-safe.
 */
final class KindTable {
    private static final RecordKind[] BY_CODE = build();

    private KindTable() {
    }

    private static RecordKind[] build() {
        RecordKind[] t = new RecordKind[256];
        for (RecordType type : RecordType.values()) {
            if (type.isPageRecord()) {
                t[type.code()] = RecordKind.of(type);
            }
        }
        return t;
    }

    /** The kind of a type byte, or null if it is no page record type. */
    static RecordKind byCode(byte code) {
        return BY_CODE[code & 0xFF];
    }
}
