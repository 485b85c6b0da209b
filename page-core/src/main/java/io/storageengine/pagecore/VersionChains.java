package io.storageengine.pagecore;

import io.storageengine.schemas.wal.Lsn;
import java.util.Arrays;
import java.util.List;

/**
 * The chain rules of {@code spec/wal-format.md} ("Ordering and meaning"), the only copy:
 * <ol>
 *   <li><b>Chain start.</b> A version whose kind {@linkplain RecordKind#initializesPage initializes
 *       the page} (a PAGE_IMAGE, a PG_RECORD with WILL_INIT) needs no older version. Page P as of L
 *       is the newest chain start with lsn ≤ L (or an all-zero page if none) with every later
 *       version up to L applied in LSN order, so a reader at L stops at the newest chain start
 *       ≤ L: {@link #startsChain}, {@link #chainStart}, {@link #neededFrom}.</li>
 *   <li><b>One version per LSN.</b> The stores may hold two versions of one page at one LSN: the
 *       record itself and a materialized image of the page as of that LSN (an IMAGE segment).
 *       Both mean the same page; the image wins, as it starts a chain. Otherwise the first one found
 *       (the hotter or newer source) is kept: {@link #replaces}, {@link #covers}.</li>
 *   <li><b>Merge.</b> Newest-first lists of one page from several sources merge into one
 *       newest-first list counting each LSN once by rule 2, cut after the newest chain start when
 *       asked: {@link #merge}.</li>
 * </ol>
 * Stateless and thread-safe; allocation-free.
 */
public final class VersionChains {

    private VersionChains() {
    }

    /** True if {@code stored} starts a chain (no older version is needed to apply it). */
    public static boolean startsChain(byte[] stored) {
        return StoredVersion.kind(stored).initializesPage(stored);
    }

    /** True if the stored type byte is a materialized page image. */
    public static boolean isMaterializedImage(byte typeCode) {
        return switch (RecordKind.ofCode(typeCode)) {
            case PageImageKind i -> true;
            case PageDeltaKind d -> false;
            case PgRecordKind p -> false;
        };
    }

    public static boolean isMaterializedImage(byte[] stored) {
        return isMaterializedImage(stored[StoredVersion.TYPE]);
    }

    /**
     * Rule 2 on type bytes: of two versions of one page at one LSN, does {@code candidate} replace
     * {@code kept}, the one found first? Only an image replaces a version that is not one.
     */
    public static boolean replaces(byte candidateType, byte keptType) {
        return isMaterializedImage(candidateType) && !isMaterializedImage(keptType);
    }

    public static boolean replaces(byte[] candidate, byte[] kept) {
        return replaces(candidate[StoredVersion.TYPE], kept[StoredVersion.TYPE]);
    }

    /**
     * True if a store holding {@code held} at some LSN holds what {@code other} at that LSN means:
     * the same bytes, or an image that replaces it (rule 2). Used to prove a copy redundant.
     */
    public static boolean covers(byte[] held, byte[] other) {
        return Arrays.equals(held, other) || replaces(held, other);
    }

    /** Index of the newest chain start of a newest-first list, or -1 if it holds none. */
    public static int chainStart(VersionList newestFirst) {
        for (int i = 0; i < newestFirst.size(); i++) {
            if (startsChain(newestFirst.stored(i))) {
                return i;
            }
        }
        return -1;
    }

    /**
     * What a reader needs: for a newest-first list that a source answered for LSN L, cut after its
     * newest chain start (as {@link #merge} with a cut returns it), the versions in
     * [{@code neededFrom}, L] are everything any read at L needs. That is the LSN of the list's last
     * version if it starts a chain, else {@link Lsn#ZERO} (the page's whole history).
     */
    public static long neededFrom(VersionList chain) {
        int n = chain.size();
        return n > 0 && startsChain(chain.stored(n - 1)) ? chain.lsn(n - 1) : Lsn.ZERO.value();
    }

    public static long neededFrom(List<? extends Versioned> chain) {
        return neededFrom(VersionList.of(chain));
    }

    /** Receives the versions a merge keeps, newest first, as (input, index in that input). */
    @FunctionalInterface
    public interface MergeSink {
        void add(int input, int index);
    }

    /**
     * Merges newest-first lists of one page into one newest-first sequence: versions with
     * lsn > {@code maxLsn} (unsigned) are left out, each LSN is emitted once (an earlier input
     * wins, except that an image replaces a version that is not one: rule 2), and with
     * {@code stopAtChainStart} the sequence ends with its newest chain start.
     * O(total × inputs); inputs are few (hot and cold, or the segments that hold the page).
     */
    public static void merge(VersionList[] inputs, long maxLsn, boolean stopAtChainStart, MergeSink sink) {
        int k = inputs.length;
        int[] pos = new int[k];
        while (true) {
            int best = -1;
            long bestLsn = 0;
            for (int i = 0; i < k; i++) {
                VersionList in = inputs[i];
                while (pos[i] < in.size() && Lsn.isAfter(in.lsn(pos[i]), maxLsn)) {
                    pos[i]++;
                }
                if (pos[i] == in.size()) {
                    continue;
                }
                long l = in.lsn(pos[i]);
                if (best < 0 || Lsn.isAfter(l, bestLsn)) {
                    best = i;
                    bestLsn = l;
                } else if (l == bestLsn && replaces(in.stored(pos[i]), inputs[best].stored(pos[best]))) {
                    best = i;
                }
            }
            if (best < 0) {
                return;
            }
            sink.add(best, pos[best]);
            boolean start = startsChain(inputs[best].stored(pos[best]));
            for (int i = 0; i < k; i++) {
                if (pos[i] < inputs[i].size() && inputs[i].lsn(pos[i]) == bestLsn) {
                    pos[i]++;
                }
            }
            if (stopAtChainStart && start) {
                return;
            }
        }
    }
}
