package io.storageengine.segments.internal;

import java.util.Arrays;

/** A growable list of primitive longs (no boxing). Not thread-safe. */
public final class LongList {
    private long[] values = new long[64];
    private int size;

    public void add(long v) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = v;
    }

    public long get(int i) {
        return values[i];
    }

    public int size() {
        return size;
    }

    /** The backing array; only the first {@link #size()} entries are meaningful. */
    public long[] array() {
        return values;
    }
}
