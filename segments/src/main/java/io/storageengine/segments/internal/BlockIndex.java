package io.storageengine.segments.internal;

import io.storageengine.schemas.wal.Lsn;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The block index of a segment: for each data block, its first key, file offset and length
 * (length includes the block's trailing 4-byte CRC). Blocks are contiguous and in key order.
 *
 * <p>On disk (big-endian): {@code count u32 | (firstKey[keySize] | offset u64 | length u32) × count}.
 * Immutable once built; lookups are thread-safe and allocation-free.
 */
public final class BlockIndex {
    private static final java.lang.invoke.VarHandle LONG_BE =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.BIG_ENDIAN);
    public static final int ENTRY_OVERHEAD = 8 + 4;

    private final int keySize;
    private final byte[] firstKeys;
    private final long[] offsets;
    private final int[] lengths;

    private BlockIndex(int keySize, byte[] firstKeys, long[] offsets, int[] lengths) {
        this.keySize = keySize;
        this.firstKeys = firstKeys;
        this.offsets = offsets;
        this.lengths = lengths;
    }

    public int size() {
        return offsets.length;
    }

    public long offset(int block) {
        return offsets[block];
    }

    public int length(int block) {
        return lengths[block];
    }

    /** True if the first key of {@code block} starts with {@code prefix[0..prefixLen)}. */
    public boolean firstKeyHasPrefix(int block, byte[] prefix, int prefixLen) {
        int base = block * keySize;
        return Arrays.equals(firstKeys, base, base + prefixLen, prefix, 0, prefixLen);
    }

    /** The last block whose first key is ≤ {@code key} (unsigned), or -1 if every block starts after it. */
    public int floorBlock(byte[] key) {
        int lo = 0;
        int hi = offsets.length - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int base = mid * keySize;
            int c = Arrays.compareUnsigned(firstKeys, base, base + keySize, key, 0, keySize);
            if (c <= 0) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    /**
     * The last block whose first key is ≤ {@code pageKey | lsn} (a {@code keySize - 8}-byte prefix
     * and a big-endian LSN, compared unsigned), or -1; allocation-free.
     */
    public int floorBlock(byte[] pageKey, long lsn) {
        int prefix = keySize - 8;
        int lo = 0;
        int hi = offsets.length - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int base = mid * keySize;
            int c = Arrays.compareUnsigned(firstKeys, base, base + prefix, pageKey, 0, prefix);
            if (c == 0) {
                c = Lsn.compare((long) LONG_BE.get(firstKeys, base + prefix), lsn);
            }
            if (c <= 0) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    public int encodedSize() {
        return 4 + offsets.length * (keySize + ENTRY_OVERHEAD);
    }

    public void encode(ByteBuffer out) {
        out.putInt(offsets.length);
        for (int i = 0; i < offsets.length; i++) {
            out.put(firstKeys, i * keySize, keySize).putLong(offsets[i]).putInt(lengths[i]);
        }
    }

    /**
     * Decodes and checks the index against the data region {@code [0, dataEnd)}: blocks must be
     * contiguous from offset 0, each at least 4 bytes (its CRC) and at most {@code maxBlock},
     * first keys strictly increasing, the last block ending at {@code dataEnd}.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static BlockIndex decode(ByteBuffer in, int keySize, long dataEnd, int maxBlock) {
        if (in.remaining() < 4) {
            throw new IllegalArgumentException("index too short");
        }
        int count = in.getInt();
        if (count < 0 || (long) count * (keySize + ENTRY_OVERHEAD) != in.remaining()) {
            throw new IllegalArgumentException("index claims " + count + " entries in " + in.remaining() + " bytes");
        }
        byte[] keys = new byte[count * keySize];
        long[] offsets = new long[count];
        int[] lengths = new int[count];
        long expected = 0;
        for (int i = 0; i < count; i++) {
            in.get(keys, i * keySize, keySize);
            offsets[i] = in.getLong();
            lengths[i] = in.getInt();
            if (offsets[i] != expected) {
                throw new IllegalArgumentException("block " + i + " at offset " + offsets[i] + ", expected " + expected);
            }
            if (lengths[i] < 4 || lengths[i] > maxBlock) {
                throw new IllegalArgumentException("block " + i + " has length " + lengths[i]);
            }
            if (i > 0 && Arrays.compareUnsigned(keys, (i - 1) * keySize, i * keySize, keys, i * keySize, (i + 1) * keySize) >= 0) {
                throw new IllegalArgumentException("block " + i + " first key is not above the previous one");
            }
            expected += lengths[i];
        }
        if (expected != dataEnd) {
            throw new IllegalArgumentException("blocks end at " + expected + " but data ends at " + dataEnd);
        }
        return new BlockIndex(keySize, keys, offsets, lengths);
    }

    /** Accumulates entries while a segment is written; memory is one entry per block. Not thread-safe. */
    public static final class Builder {
        private final int keySize;
        private byte[] keys;
        private final LongList offsets = new LongList();
        private int[] lengths = new int[64];

        public Builder(int keySize) {
            this.keySize = keySize;
            this.keys = new byte[64 * keySize];
        }

        public void add(byte[] firstKey, long offset, int length) {
            int n = offsets.size();
            if ((n + 1) * keySize > keys.length) {
                keys = Arrays.copyOf(keys, keys.length * 2);
                lengths = Arrays.copyOf(lengths, lengths.length * 2);
            }
            System.arraycopy(firstKey, 0, keys, n * keySize, keySize);
            lengths[n] = length;
            offsets.add(offset);
        }

        public int size() {
            return offsets.size();
        }

        public BlockIndex build() {
            int n = offsets.size();
            return new BlockIndex(keySize, Arrays.copyOf(keys, n * keySize), Arrays.copyOf(offsets.array(), n),
                    Arrays.copyOf(lengths, n));
        }
    }
}
