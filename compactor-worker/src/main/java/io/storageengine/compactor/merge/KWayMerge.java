package io.storageengine.compactor.merge;

import io.storageengine.pagecore.VersionChains;
import io.storageengine.segments.segment.SegmentRecord;
import io.storageengine.segments.segment.SegmentScanner;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;

/**
 * Merges sorted record streams (segment scanners) into one stream in VersionKey order, holding
 * one block per input in memory (the scanners' own). A record is identified by its key
 * (page, LSN): when several inputs hold the same key it is emitted once, by page-core's rule
 * ({@link VersionChains#replaces}: the first input's copy, unless another input holds an image,
 * which subsumes any other version at the same LSN); the others are counted as
 * {@link #duplicates()}. Not thread-safe; closes its inputs.
 */
public final class KWayMerge implements Iterator<SegmentRecord>, AutoCloseable {
    private record Head(SegmentRecord record, int input) {
    }

    private final List<? extends Iterator<SegmentRecord>> inputs;
    private final PriorityQueue<Head> heap;
    private long duplicates;
    private long emitted;

    public KWayMerge(List<? extends Iterator<SegmentRecord>> inputs) {
        this.inputs = List.copyOf(inputs);
        this.heap = new PriorityQueue<>(Math.max(1, inputs.size()), (a, b) -> {
            int c = Arrays.compareUnsigned(a.record().key(), b.record().key());
            return c != 0 ? c : Integer.compare(a.input(), b.input());
        });
        for (int i = 0; i < this.inputs.size(); i++) {
            advance(i);
        }
    }

    /** Merges every record of {@code scanners} (which it closes). */
    public static KWayMerge of(List<SegmentScanner> scanners) {
        return new KWayMerge(new ArrayList<>(scanners));
    }

    private void advance(int i) {
        Iterator<SegmentRecord> it = inputs.get(i);
        if (it.hasNext()) {
            heap.add(new Head(it.next(), i));
        }
    }

    @Override
    public boolean hasNext() {
        return !heap.isEmpty();
    }

    @Override
    public SegmentRecord next() {
        Head h = heap.poll();
        if (h == null) {
            throw new NoSuchElementException();
        }
        advance(h.input());
        SegmentRecord best = h.record();
        while (!heap.isEmpty() && Arrays.equals(heap.peek().record().key(), best.key())) {
            Head dup = heap.poll();
            advance(dup.input());
            duplicates++;
            if (VersionChains.replaces(dup.record().value(), best.value())) {
                best = dup.record();
            }
        }
        emitted++;
        return best;
    }

    /** Records dropped because another input held the same key. */
    public long duplicates() {
        return duplicates;
    }

    public long emitted() {
        return emitted;
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (Iterator<SegmentRecord> it : inputs) {
            if (it instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    if (first == null) {
                        first = e instanceof RuntimeException r ? r : new IllegalStateException(e);
                    }
                }
            }
        }
        heap.clear();
        if (first != null) {
            throw first;
        }
    }
}
