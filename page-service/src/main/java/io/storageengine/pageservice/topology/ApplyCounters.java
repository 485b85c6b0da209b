package io.storageengine.pageservice.topology;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of what the WAL processor applied and skipped, summed over every task of the instance.
 * Written by stream threads, read by metrics; thread-safe ({@link LongAdder}s). Skipped records
 * never stop processing (invariant 6): each is counted in exactly one "skipped" counter.
 */
public final class ApplyCounters {
    private final LongAdder pageVersions = new LongAdder();
    private final LongAdder watermarks = new LongAdder();
    private final LongAdder staleWatermarks = new LongAdder();
    private final LongAdder corruptFrames = new LongAdder();
    private final LongAdder badRecords = new LongAdder();
    private final LongAdder badKeys = new LongAdder();
    private final LongAdder reservedTypes = new LongAdder();
    private final LongAdder ignoredLsnAdvances = new LongAdder();

    void pageVersion() {
        pageVersions.increment();
    }

    void watermark() {
        watermarks.increment();
    }

    void staleWatermark() {
        staleWatermarks.increment();
    }

    void corruptFrame() {
        corruptFrames.increment();
    }

    void badRecord() {
        badRecords.increment();
    }

    void badKey() {
        badKeys.increment();
    }

    void reservedType() {
        reservedTypes.increment();
    }

    void ignoredLsnAdvance() {
        ignoredLsnAdvances.increment();
    }

    /** Page versions written to the store. */
    public long pageVersions() {
        return pageVersions.sum();
    }

    /** WATERMARK records that advanced a watermark. */
    public long watermarks() {
        return watermarks.sum();
    }

    /** WATERMARK records at or below the current watermark (no effect; normal after replays). */
    public long staleWatermarks() {
        return staleWatermarks.sum();
    }

    /** Values that are not exactly one valid frame (wrong magic, over-long, CRC mismatch, truncated, trailing bytes, null). */
    public long corruptFrames() {
        return corruptFrames.sum();
    }

    /** Intact frames whose payload breaks its type's rules (or whose PageRef differs from the key). */
    public long badRecords() {
        return badRecords.sum();
    }

    /** Records whose key has the wrong length for their type. */
    public long badKeys() {
        return badKeys.sum();
    }

    /** Intact frames of a reserved type: skipped (forward compatibility). */
    public long reservedTypes() {
        return reservedTypes.sum();
    }

    /** LSN_ADVANCE frames found in Kafka (producers should not publish them): ignored. */
    public long ignoredLsnAdvances() {
        return ignoredLsnAdvances.sum();
    }

    /** Every record skipped for bad input. */
    public long skipped() {
        return corruptFrames() + badRecords() + badKeys() + reservedTypes() + ignoredLsnAdvances();
    }
}
