package io.storageengine.segments.internal;

import java.nio.ByteBuffer;

/**
 * A Bloom filter over 49-byte page keys: answers "this segment may hold versions of page P" with
 * about 1% false positives and no false negatives, so a point lookup on a segment that does not
 * hold the page reads no block at all.
 *
 * <p>Sizing: 10 bits per distinct page and 7 probes (theoretical FPR about 0.8%). Probe i sets bit
 * {@code (h1 + i * h2) mod m}, with {@code h1 = hash64(key)} and {@code h2 = fmix64(h1 ^ SALT) | 1}.
 *
 * <p>On disk (inside a segment, big-endian): {@code bitCount u64 | probes u32 | words u64 × (bitCount / 64)}.
 * Immutable once built; {@link #mightContain} is thread-safe and allocation-free.
 */
public final class KeyFilter {
    public static final int BITS_PER_KEY = 10;
    public static final int PROBES = 7;
    private static final long SALT = 0x5DEECE66DL;
    /** Upper bound accepted when decoding, to refuse absurd sizes from a corrupt file: 2^34 bits. */
    private static final long MAX_BITS = 1L << 34;

    private final long[] words;
    private final long bitCount;
    private final int probes;

    private KeyFilter(long[] words, int probes) {
        this.words = words;
        this.bitCount = (long) words.length * 64;
        this.probes = probes;
    }

    /** Builds a filter from the 64-bit hashes ({@link #hashKey}) of the distinct keys. */
    public static KeyFilter build(long[] hashes, int count) {
        long bits = Math.max(64, (long) count * BITS_PER_KEY);
        int nWords = Math.toIntExact((bits + 63) / 64);
        KeyFilter f = new KeyFilter(new long[nWords], PROBES);
        for (int i = 0; i < count; i++) {
            f.add(hashes[i]);
        }
        return f;
    }

    public static long hashKey(byte[] key, int off, int len) {
        return Hashing.hash64(key, off, len);
    }

    private void add(long h1) {
        long h2 = Hashing.fmix64(h1 ^ SALT) | 1;
        for (int i = 0; i < probes; i++) {
            long bit = Long.remainderUnsigned(h1 + i * h2, bitCount);
            words[(int) (bit >>> 6)] |= 1L << (bit & 63);
        }
    }

    public boolean mightContain(byte[] key, int off, int len) {
        long h1 = hashKey(key, off, len);
        long h2 = Hashing.fmix64(h1 ^ SALT) | 1;
        for (int i = 0; i < probes; i++) {
            long bit = Long.remainderUnsigned(h1 + i * h2, bitCount);
            if ((words[(int) (bit >>> 6)] & (1L << (bit & 63))) == 0) {
                return false;
            }
        }
        return true;
    }

    public int encodedSize() {
        return 8 + 4 + words.length * 8;
    }

    public void encode(ByteBuffer out) {
        out.putLong(bitCount).putInt(probes);
        for (long w : words) {
            out.putLong(w);
        }
    }

    /** @throws IllegalArgumentException if the bytes cannot be a filter */
    public static KeyFilter decode(ByteBuffer in) {
        if (in.remaining() < 12) {
            throw new IllegalArgumentException("filter of " + in.remaining() + " bytes is too short");
        }
        long bits = in.getLong();
        int probes = in.getInt();
        if (bits <= 0 || bits % 64 != 0 || bits > MAX_BITS || probes < 1 || probes > 32) {
            throw new IllegalArgumentException("filter header is invalid: bits=" + bits + " probes=" + probes);
        }
        int nWords = (int) (bits / 64);
        if (in.remaining() != (long) nWords * 8) {
            throw new IllegalArgumentException("filter holds " + in.remaining() + " bytes, expected " + nWords * 8L);
        }
        long[] words = new long[nWords];
        for (int i = 0; i < nWords; i++) {
            words[i] = in.getLong();
        }
        return new KeyFilter(words, probes);
    }
}
