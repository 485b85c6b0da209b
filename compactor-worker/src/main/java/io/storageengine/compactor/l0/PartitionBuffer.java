package io.storageengine.compactor.l0;

import io.storageengine.schemas.timeline.TimelineKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One partition's page versions since the last cut, in arrival order, with the Kafka offsets they
 * cover ({@code [startOffset, nextOffset)}, skipped records and watermarks included) and the
 * highest LSN seen per timeline (page records and watermarks). Memory is charged to the shared
 * {@link MemoryBudget}. Confined to the consumer thread.
 */
public final class PartitionBuffer {
    /** Per-entry overhead charged on top of key and value bytes (object headers, list slot). */
    static final int ENTRY_OVERHEAD = 64;

    record Entry(byte[] key, byte[] value) {
    }

    private final int partition;
    private final MemoryBudget budget;
    private final List<Entry> entries = new ArrayList<>();
    private final Map<TimelineKey, Long> maxLsn = new HashMap<>();
    private long startOffset;
    private long nextOffset;
    private long bytes;
    private long firstAtNanos;

    public PartitionBuffer(int partition, MemoryBudget budget, long startOffset) {
        this.partition = partition;
        this.budget = budget;
        this.startOffset = startOffset;
        this.nextOffset = startOffset;
    }

    public int partition() {
        return partition;
    }

    /** Accounts one consumed record at {@code offset} with its decoded content. */
    public void add(long offset, WalRecordDecoder.Decoded d, long nowNanos) {
        if (offset < nextOffset) {
            throw new IllegalStateException("partition " + partition + ": offset " + offset + " after " + nextOffset);
        }
        if (isEmpty()) {
            firstAtNanos = nowNanos;
        }
        switch (d) {
            case WalRecordDecoder.Version v -> {
                entries.add(new Entry(v.versionKey(), v.value()));
                long b = v.versionKey().length + v.value().length + ENTRY_OVERHEAD;
                bytes += b;
                budget.charge(b);
                maxLsn.merge(v.timeline(), v.lsn(), PartitionBuffer::maxUnsigned);
            }
            case WalRecordDecoder.Watermark w -> maxLsn.merge(w.timeline(), w.lsn(), PartitionBuffer::maxUnsigned);
            case WalRecordDecoder.Skip s -> {
            }
        }
        nextOffset = offset + 1;
    }

    /** Moves the covered range past records the consumer skipped without returning them (transaction markers). */
    public void advanceTo(long position) {
        if (position > nextOffset) {
            if (isEmpty()) {
                firstAtNanos = System.nanoTime();
            }
            nextOffset = position;
        }
    }

    private static long maxUnsigned(long a, long b) {
        return Long.compareUnsigned(a, b) >= 0 ? a : b;
    }

    public boolean hasVersions() {
        return !entries.isEmpty();
    }

    /** True when no offset was consumed since the last cut. */
    public boolean isEmpty() {
        return nextOffset == startOffset;
    }

    public long bytes() {
        return bytes;
    }

    public int size() {
        return entries.size();
    }

    public long startOffset() {
        return startOffset;
    }

    public long nextOffset() {
        return nextOffset;
    }

    public long ageNanos(long nowNanos) {
        return isEmpty() ? 0 : nowNanos - firstAtNanos;
    }

    public Map<TimelineKey, Long> maxLsnByTimeline() {
        return Map.copyOf(maxLsn);
    }

    /** The versions sorted by VersionKey (sorts in place). */
    List<Entry> sortedEntries() {
        entries.sort((a, b) -> Arrays.compareUnsigned(a.key(), b.key()));
        return entries;
    }

    /** Empties the buffer after a cut: the next one starts where this one ended. */
    public void cut() {
        reset(nextOffset);
    }

    /** Drops everything (memory released) and starts over at {@code offset}. */
    public void reset(long offset) {
        budget.release(bytes);
        entries.clear();
        maxLsn.clear();
        bytes = 0;
        startOffset = offset;
        nextOffset = offset;
    }
}
