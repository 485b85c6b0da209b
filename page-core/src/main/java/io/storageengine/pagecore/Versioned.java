package io.storageengine.pagecore;

/** One version of one page: its LSN and its {@link StoredVersion} bytes. */
public interface Versioned {
    long lsn();

    byte[] stored();
}
