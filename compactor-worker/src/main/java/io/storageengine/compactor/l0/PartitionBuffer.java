package io.storageengine.compactor.l0;

import io.storageengine.pagecore.StoredVersion;
import io.storageengine.schemas.kafka.WalRecordCodec;
import io.storageengine.schemas.page.PageKey;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.Lsn;
import io.storageengine.segments.segment.SegmentWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One partition's page versions since the last cut, in arrival order, with the Kafka offsets they
 * cover ({@code [startOffset, nextOffset)}, skipped records and watermarks included) and the
 * highest LSN seen per timeline (page records and watermarks). Memory is charged to the shared
 * {@link MemoryBudget}. Confined to one thread at a time (the consumer, or the flusher during a cut).
 *
 * <h2>Memory layout</h2>
 * Versions are copied once, on arrival: the 57-byte VersionKeys side by side into one compact key
 * array, the StoredVersion values into an arena of byte chunks, with a {@code long} reference
 * ({@code chunk << 32 | offset}) and an {@code int} length per version. A cut sorts an {@code int[]}
 * permutation by the compact keys (a few MiB that stay in the CPU caches, however large the values)
 * and hands each record to the writer straight from the key array and its chunk. So a buffered
 * version is no Java object of its own: the garbage collector sees a few large arrays, whatever
 * the count. Chunks grow from 64 KiB to 1 MiB (a value larger than that gets a chunk of its own);
 * each version is charged its key and value bytes plus {@value #ENTRY_OVERHEAD} (reference,
 * length, permutation and the sort's scratch slot), so the unfilled tail of the current chunk
 * (under 1 MiB per partition) and the spare capacity of the growable arrays are the only memory
 * not charged.
 */
public final class PartitionBuffer {
    /** Per-version overhead charged on top of key and value bytes: reference, length, permutation, sort scratch. */
    static final int ENTRY_OVERHEAD = 20;
    private static final int KEY = SegmentWriter.KEY_SIZE;
    private static final int FIRST_CHUNK = 64 << 10;
    private static final int MAX_CHUNK = 1 << 20;

    private final int partition;
    private final MemoryBudget budget;
    private final List<byte[]> chunks = new ArrayList<>();
    private byte[] chunk;
    private int chunkPos;
    private byte[] keys = new byte[INITIAL * KEY];
    private long[] refs = new long[INITIAL];
    private int[] lengths = new int[INITIAL];
    private int count;
    private static final int INITIAL = 1024;
    private final Map<TimelineKey, Long> maxLsn = new HashMap<>();
    private final byte[] lastTimelineBytes = new byte[TimelineKey.SIZE];
    private TimelineKey lastTimeline;
    private long lastTimelineMax;
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

    /** Accounts one consumed record at {@code offset} with its decoded content (a version is copied here). */
    public void add(long offset, WalRecordCodec.Decoded d, long nowNanos) {
        if (offset < nextOffset) {
            throw new IllegalStateException("partition " + partition + ": offset " + offset + " after " + nextOffset);
        }
        if (isEmpty()) {
            firstAtNanos = nowNanos;
        }
        switch (d) {
            case WalRecordCodec.PageRecord v -> {
                append(v);
                noteVersionLsn(v);
            }
            case WalRecordCodec.Watermark w -> maxLsn.merge(w.timeline(), w.lsn(), Lsn::max);
            case WalRecordCodec.LsnAdvance a -> {
            }
            case WalRecordCodec.Skipped s -> {
            }
        }
        nextOffset = offset + 1;
    }

    /** Raises the timeline's max LSN; the common case (same timeline as the last version) allocates nothing. */
    private void noteVersionLsn(WalRecordCodec.PageRecord v) {
        byte[] k = v.pageKey();
        if (lastTimeline == null || !Arrays.equals(k, 0, TimelineKey.SIZE, lastTimelineBytes, 0, TimelineKey.SIZE)) {
            flushLastTimeline();
            lastTimeline = v.timeline();
            System.arraycopy(k, 0, lastTimelineBytes, 0, TimelineKey.SIZE);
            lastTimelineMax = v.lsn();
        } else {
            lastTimelineMax = Lsn.max(lastTimelineMax, v.lsn());
        }
    }

    private void flushLastTimeline() {
        if (lastTimeline != null) {
            maxLsn.merge(lastTimeline, lastTimelineMax, Lsn::max);
            lastTimeline = null;
        }
    }

    private void append(WalRecordCodec.PageRecord v) {
        ByteBuffer body = v.body();
        int valueLen = StoredVersion.encodedLength(body);
        if (chunk == null || chunk.length - chunkPos < valueLen) {
            int next = chunk == null ? FIRST_CHUNK : Math.min(MAX_CHUNK, chunk.length * 2);
            chunk = new byte[Math.max(next, valueLen)];
            chunks.add(chunk);
            chunkPos = 0;
        }
        if (count == refs.length) {
            int n = count * 2;
            keys = Arrays.copyOf(keys, n * KEY);
            refs = Arrays.copyOf(refs, n);
            lengths = Arrays.copyOf(lengths, n);
        }
        int k = count * KEY;
        System.arraycopy(v.pageKey(), 0, keys, k, PageKey.SIZE);
        putLong(keys, k + PageKey.SIZE, v.lsn());
        int p = chunkPos;
        StoredVersion.write(v.type(), body, chunk, p);
        refs[count] = ((long) (chunks.size() - 1) << 32) | p;
        lengths[count] = valueLen;
        count++;
        chunkPos = p + valueLen;
        long charged = KEY + valueLen + ENTRY_OVERHEAD;
        bytes += charged;
        budget.charge(charged);
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

    public boolean hasVersions() {
        return count > 0;
    }

    /** True when no offset was consumed since the last cut. */
    public boolean isEmpty() {
        return nextOffset == startOffset;
    }

    /** Bytes charged to the budget: keys and values plus a small per-version overhead. */
    public long bytes() {
        return bytes;
    }

    public int size() {
        return count;
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
        flushLastTimeline();
        return Map.copyOf(maxLsn);
    }

    /**
     * Sorts the versions by VersionKey (stable: of versions with the same key, the first consumed
     * is kept) and adds each distinct one to {@code w}.
     *
     * @return the number of duplicates (a record published twice) that were skipped
     */
    long writeSorted(SegmentWriter w) throws IOException {
        int[] order = sortedOrder();
        long duplicates = 0;
        int last = -1;
        for (int n = 0; n < count; n++) {
            int i = order[n];
            if (last >= 0 && Arrays.equals(keys, i * KEY, i * KEY + KEY, keys, last * KEY, last * KEY + KEY)) {
                duplicates++;
                continue;
            }
            long r = refs[i];
            w.add(keys, i * KEY, chunks.get((int) (r >>> 32)), (int) r, lengths[i]);
            last = i;
        }
        return duplicates;
    }

    /** The VersionKeys in sorted order (fresh arrays; for tests). */
    List<byte[]> sortedKeys() {
        List<byte[]> out = new ArrayList<>(count);
        for (int i : sortedOrder()) {
            out.add(Arrays.copyOfRange(keys, i * KEY, i * KEY + KEY));
        }
        return out;
    }

    /** A stable merge sort of the version indices by their keys. */
    private int[] sortedOrder() {
        int[] a = new int[count];
        for (int i = 0; i < count; i++) {
            a[i] = i;
        }
        if (count < 2) {
            return a;
        }
        for (int lo = 0; lo < count; lo += INSERTION) {
            insertionSort(a, lo, Math.min(lo + INSERTION, count));
        }
        int[] src = a;
        int[] dst = new int[count];
        for (int width = INSERTION; width < count; width *= 2) {
            for (int lo = 0; lo < count; lo += 2 * width) {
                int mid = Math.min(lo + width, count);
                int hi = Math.min(lo + 2 * width, count);
                merge(src, dst, lo, mid, hi);
            }
            int[] t = src;
            src = dst;
            dst = t;
        }
        return src;
    }

    private static final int INSERTION = 16;

    private void insertionSort(int[] a, int lo, int hi) {
        for (int i = lo + 1; i < hi; i++) {
            int x = a[i];
            int j = i - 1;
            while (j >= lo && compare(a[j], x) > 0) {
                a[j + 1] = a[j];
                j--;
            }
            a[j + 1] = x;
        }
    }

    private void merge(int[] src, int[] dst, int lo, int mid, int hi) {
        if (mid >= hi || compare(src[mid - 1], src[mid]) <= 0) {
            System.arraycopy(src, lo, dst, lo, hi - lo);
            return;
        }
        int i = lo;
        int j = mid;
        for (int k = lo; k < hi; k++) {
            if (j >= hi || (i < mid && compare(src[i], src[j]) <= 0)) {
                dst[k] = src[i++];
            } else {
                dst[k] = src[j++];
            }
        }
    }

    private int compare(int x, int y) {
        return Arrays.compareUnsigned(keys, x * KEY, x * KEY + KEY, keys, y * KEY, y * KEY + KEY);
    }

    /** Empties the buffer after a cut: the next one starts where this one ended. */
    public void cut() {
        reset(nextOffset);
    }

    /** Drops everything (memory released) and starts over at {@code offset}. */
    public void reset(long offset) {
        budget.release(bytes);
        chunks.clear();
        chunk = null;
        chunkPos = 0;
        count = 0;
        if (refs.length > INITIAL) {
            keys = new byte[INITIAL * KEY];
            refs = new long[INITIAL];
            lengths = new int[INITIAL];
        }
        maxLsn.clear();
        lastTimeline = null;
        bytes = 0;
        startOffset = offset;
        nextOffset = offset;
    }

    private static void putInt(byte[] b, int pos, int v) {
        b[pos] = (byte) (v >>> 24);
        b[pos + 1] = (byte) (v >>> 16);
        b[pos + 2] = (byte) (v >>> 8);
        b[pos + 3] = (byte) v;
    }

    private static void putLong(byte[] b, int pos, long v) {
        putInt(b, pos, (int) (v >>> 32));
        putInt(b, pos + 4, (int) v);
    }

}
