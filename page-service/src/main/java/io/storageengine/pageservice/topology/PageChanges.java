package io.storageengine.pageservice.topology;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;

/**
 * Which pages got a new version, for caches of reconstructed pages (the read path's newest-page
 * cache). The apply processor calls {@link #versionStored} after each store write of a page
 * version: the page's stripe generation rises, then every listener hears the page key.
 *
 * <p>The protocol a cache follows so that it never keeps a page older than the store: take a
 * {@link #stamp} of the page before reading the store, and keep what it read only if the stamp
 * is still {@link #unchangedSince current} at the moment it inserts, atomically with the insert
 * for that key; remove the key when a listener call names it. A write that the read missed
 * raised the generation after its store write: either before the insert (the insert is refused)
 * or after it (the listener removes the entry).
 *
 * <p>Stripes: 65,536 generations (512 KiB), so unrelated pages rarely refuse each other's
 * inserts. Thread-safe; the stream threads call {@link #versionStored}, readers the rest.
 */
public final class PageChanges {
    private static final int STRIPES = 1 << 16;

    private final AtomicLongArray generations = new AtomicLongArray(STRIPES);
    private final List<Consumer<byte[]>> listeners = new CopyOnWriteArrayList<>();

    /** Adds a listener called with the page key of every stored version (on a stream thread: keep it short). */
    public void listen(Consumer<byte[]> listener) {
        listeners.add(listener);
    }

    /** The page's current stripe generation: take it before reading the store. */
    public long stamp(byte[] pageKey) {
        return generations.get(stripe(pageKey));
    }

    /** True if no version of a page of the stripe was stored since {@code stamp} was taken. */
    public boolean unchangedSince(byte[] pageKey, long stamp) {
        return generations.get(stripe(pageKey)) == stamp;
    }

    /** A version of the page was written to the store (call after the write). */
    void versionStored(byte[] pageKey) {
        generations.incrementAndGet(stripe(pageKey));
        for (Consumer<byte[]> l : listeners) {
            l.accept(pageKey);
        }
    }

    private static int stripe(byte[] pageKey) {
        return Arrays.hashCode(pageKey) & (STRIPES - 1);
    }
}
