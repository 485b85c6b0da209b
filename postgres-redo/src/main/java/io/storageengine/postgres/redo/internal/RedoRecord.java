package io.storageengine.postgres.redo.internal;

/**
 * A decoded PostgreSQL 15 WAL record as redo needs it: resource manager id, info byte (with the
 * XLR_INFO_MASK bits), top-level xid, main data and block references by id (null where a
 * block id is absent). The engine adapts the WAL reader's decoded record to this, and tests can
 * build one directly. Immutable (arrays are not copied and must not be changed).
 */
public record RedoRecord(int rmid, int info, int xid, byte[] mainData, RedoBlock[] blocksById) {

    public RedoBlock block(int id) {
        return id >= 0 && id < blocksById.length ? blocksById[id] : null;
    }

    /** The info byte without the XLR_INFO_MASK bits (0x0F), as redo routines switch on it. */
    public int rmInfo() {
        return info & 0xF0;
    }
}
