package io.storageengine.pageservice.read;

import io.storageengine.pagecore.PageApplyException;
import io.storageengine.pagecore.PageReplay;
import io.storageengine.pagecore.VersionChains;
import io.storageengine.pagecore.VersionList;
import io.storageengine.schemas.page.PageRef;
import java.util.Arrays;
import java.util.List;

/**
 * The versions of one page needed to reconstruct it, newest first, ending at the newest chain
 * start (an image or an initializing record, page-core's {@link VersionChains}) if one was found.
 * Built by one read on one thread; not thread-safe. Holds references to the stored values, no
 * copies.
 */
final class VersionChain implements VersionList {
    private long[] lsns = new long[16];
    private byte[][] values = new byte[16][];
    private int size;
    private boolean complete;

    /** Appends an older version; returns true if it starts a chain (the chain is then complete). */
    boolean addOlder(long lsn, byte[] stored) {
        if (size == lsns.length) {
            lsns = Arrays.copyOf(lsns, size * 2);
            values = Arrays.copyOf(values, size * 2);
        }
        lsns[size] = lsn;
        values[size] = stored;
        size++;
        complete = VersionChains.startsChain(stored);
        return complete;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public long lsn(int i) {
        return lsns[i];
    }

    @Override
    public byte[] stored(int i) {
        return values[i];
    }

    /** True if the chain ends at a chain start: no older version is needed. */
    boolean complete() {
        return complete;
    }

    long newestLsn() {
        return lsns[0];
    }

    /**
     * Merges cold versions (newest first) into a chain that holds no chain start, by page-core's
     * rules ({@link VersionChains#merge}): versions with lsn > maxLsn left out, one list by LSN
     * descending, a version present in both tiers counted once (the hot copy wins, except that a
     * cold image replaces a hot version at its LSN: both mean the page as of that LSN, and the cold
     * list ends at its chain start, so the older versions the hot store may no longer hold after
     * trimming are never needed), cut after the newest chain start.
     */
    VersionChain mergeCold(List<ColdVersion> cold, long maxLsn) {
        VersionChain out = new VersionChain();
        VersionList coldList = VersionList.of(cold);
        VersionList[] inputs = {this, coldList};
        VersionChains.merge(inputs, maxLsn, true, (input, index) -> out.addOlder(inputs[input].lsn(index),
                inputs[input].stored(index)));
        return out;
    }

    /** Applies the chain oldest first onto an all-zero page (page-core's {@link PageReplay}): a fresh page. */
    byte[] reconstruct(PageRef page) throws PageApplyException {
        return PageReplay.reconstruct(this, page);
    }
}
