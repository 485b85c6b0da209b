package io.storageengine.pagecore;

import java.util.List;

/**
 * Versions of one page, newest first (LSN strictly descending, unsigned), read by index: the input
 * and output shape of the chain rules. Implementations are views; not necessarily thread-safe.
 */
public interface VersionList {
    int size();

    long lsn(int i);

    byte[] stored(int i);

    /** A view of a newest-first list. */
    static VersionList of(List<? extends Versioned> versions) {
        return new VersionList() {
            @Override
            public int size() {
                return versions.size();
            }

            @Override
            public long lsn(int i) {
                return versions.get(i).lsn();
            }

            @Override
            public byte[] stored(int i) {
                return versions.get(i).stored();
            }
        };
    }
}
