package io.storageengine.compactor.merge;

import io.storageengine.pagecore.StoredVersion;
import io.storageengine.pagecore.VersionChains;
import io.storageengine.segments.segment.SegmentScanner;
import io.storageengine.segments.segment.SegmentWriter;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/**
 * The k-way merge of L0 → L1 rewrites, copying encoded records without decoding them: the same
 * order and duplicate rule as {@link KWayMerge} (VersionKey order; of several inputs holding one
 * key, one record is kept by page-core's {@link VersionChains#replaces}, and the others are counted), but the inputs
 * are scanner cursors ({@link SegmentScanner#advance()}) compared in place inside their data
 * blocks, and the kept record goes from its block straight into the output writer. No per-record
 * object is allocated; memory is one verified block per input, as for {@link KWayMerge}.
 * The heap is an {@code int[]} of input indices (ties broken by index). Not thread-safe; closes
 * its inputs.
 */
final class CopyMerge implements AutoCloseable {
    private static final int KEY = SegmentWriter.KEY_SIZE;

    private final SegmentScanner[] inputs;
    private final int[] heap;
    private int size;
    private int current = -1;
    private long duplicates;
    private long emitted;

    CopyMerge(List<SegmentScanner> scanners) {
        this.inputs = scanners.toArray(new SegmentScanner[0]);
        this.heap = new int[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i].advance()) {
                push(i);
            }
        }
    }

    /**
     * Moves to the next distinct key; false at the end. The record is then {@link #buffer()} at
     * {@link #keyOffset()} (key) and {@link #valueOffset()} / {@link #valueLength()} (value).
     */
    boolean next() {
        if (current >= 0) {
            if (inputs[current].advance()) {
                push(current);
            }
            current = -1;
        }
        if (size == 0) {
            return false;
        }
        int best = pop();
        while (size > 0 && compare(heap[0], best) == 0) {
            int dup = pop();
            duplicates++;
            int drop = dup;
            if (VersionChains.replaces(typeOf(dup), typeOf(best))) {
                drop = best;
                best = dup;
            }
            if (inputs[drop].advance()) {
                push(drop);
            }
        }
        current = best;
        emitted++;
        return true;
    }

    byte[] buffer() {
        return inputs[current].recordBuffer();
    }

    int keyOffset() {
        return inputs[current].keyOffset();
    }

    int valueOffset() {
        return inputs[current].valueOffset();
    }

    int valueLength() {
        return inputs[current].valueLength();
    }

    long duplicates() {
        return duplicates;
    }

    long emitted() {
        return emitted;
    }

    /** The stored type byte of input {@code i}'s current record, read in place. */
    private byte typeOf(int i) {
        SegmentScanner s = inputs[i];
        return s.recordBuffer()[s.valueOffset() + StoredVersion.TYPE];
    }

    /** Key order, then input index (the same key in two inputs compares by index). */
    private int compareFull(int a, int b) {
        int c = compare(a, b);
        return c != 0 ? c : Integer.compare(a, b);
    }

    private int compare(int a, int b) {
        SegmentScanner x = inputs[a];
        SegmentScanner y = inputs[b];
        return Arrays.compareUnsigned(x.recordBuffer(), x.keyOffset(), x.keyOffset() + KEY,
                y.recordBuffer(), y.keyOffset(), y.keyOffset() + KEY);
    }

    private void push(int input) {
        int i = size++;
        heap[i] = input;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (compareFull(heap[parent], heap[i]) <= 0) {
                break;
            }
            swap(parent, i);
            i = parent;
        }
    }

    private int pop() {
        int top = heap[0];
        heap[0] = heap[--size];
        int i = 0;
        while (true) {
            int l = 2 * i + 1;
            if (l >= size) {
                break;
            }
            int m = l + 1 < size && compareFull(heap[l + 1], heap[l]) < 0 ? l + 1 : l;
            if (compareFull(heap[i], heap[m]) <= 0) {
                break;
            }
            swap(i, m);
            i = m;
        }
        return top;
    }

    private void swap(int a, int b) {
        int t = heap[a];
        heap[a] = heap[b];
        heap[b] = t;
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (SegmentScanner s : inputs) {
            try {
                s.close();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        size = 0;
        if (first != null) {
            throw first;
        }
    }
}
