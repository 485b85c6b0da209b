package io.storageengine.loadtest;

import java.util.SplittableRandom;

/**
 * The set of pages a load run reads, spc/db/rel/block with {@code relCount} relations from
 * {@code relFirst} and {@code blockCount} blocks from {@code blockFirst} each, and a seeded,
 * reproducible uniform choice among them: the same seed gives the same sequence of page paths
 * ({@code spc/db/rel/block}). Not thread-safe (one scheduling thread draws the keys).
 */
public final class PageKeys {
    private final int spc;
    private final int db;
    private final long relFirst;
    private final int relCount;
    private final long blockFirst;
    private final int blockCount;
    private final SplittableRandom random;

    public PageKeys(int spc, int db, long relFirst, int relCount, long blockFirst, int blockCount, long seed) {
        if (relCount < 1 || blockCount < 1) {
            throw new IllegalArgumentException("the page set is empty: " + relCount + " relations x " + blockCount + " blocks");
        }
        if (relFirst < 0 || blockFirst < 0) {
            throw new IllegalArgumentException("relation and block numbers must be >= 0");
        }
        this.spc = spc;
        this.db = db;
        this.relFirst = relFirst;
        this.relCount = relCount;
        this.blockFirst = blockFirst;
        this.blockCount = blockCount;
        this.random = new SplittableRandom(seed);
    }

    /** Pages in the set. */
    public long size() {
        return (long) relCount * blockCount;
    }

    /** The next page of the sequence as {@code spc/db/rel/block}. */
    public String next() {
        long rel = relFirst + random.nextInt(relCount);
        long block = blockFirst + random.nextInt(blockCount);
        return spc + "/" + db + "/" + rel + "/" + block;
    }

    /** Parses {@code first:count} (or a single number = count 1). */
    static long[] range(String spec) {
        String[] parts = spec.split(":", 2);
        try {
            long first = Long.parseLong(parts[0].trim());
            long count = parts.length == 2 ? Long.parseLong(parts[1].trim()) : 1;
            if (first < 0 || count < 1 || count > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("bad range '" + spec + "': want first:count with first >= 0, count >= 1");
            }
            return new long[] {first, count};
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad range '" + spec + "': want first:count", e);
        }
    }
}
