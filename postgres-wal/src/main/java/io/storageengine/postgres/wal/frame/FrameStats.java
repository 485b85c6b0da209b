package io.storageengine.postgres.wal.frame;

import java.util.EnumMap;
import java.util.Map;

import io.storageengine.postgres.wal.ResourceManager;

/**
 * What {@link PgRecordFrames} made of a WAL range: records read, PG_RECORD frames and their bytes,
 * frames that were REDUCED, records that touch no relation page (LSN advances) per resource
 * manager, and records too large for one frame. Mutable, single-threaded; {@link #snapshot()}
 * gives an immutable copy.
 */
public final class FrameStats {

    /** An immutable copy. */
    public record Snapshot(long records, long frames, long frameBytes, long reducedFrames, long lsnAdvances,
                           Map<ResourceManager, Long> lsnAdvancesByRmgr, long oversizedRecords) {
    }

    long records;
    long frames;
    long frameBytes;
    long reducedFrames;
    long lsnAdvances;
    long oversizedRecords;
    final EnumMap<ResourceManager, Long> advancesByRmgr = new EnumMap<>(ResourceManager.class);

    public long records() {
        return records;
    }

    public long frames() {
        return frames;
    }

    public long oversizedRecords() {
        return oversizedRecords;
    }

    public Snapshot snapshot() {
        return new Snapshot(records, frames, frameBytes, reducedFrames, lsnAdvances, Map.copyOf(advancesByRmgr),
                oversizedRecords);
    }
}
