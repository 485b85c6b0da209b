package io.storageengine.compactor.gc;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The segment files this process is writing or registering right now, by name prefix: an L0 cut
 * holds its segment's name from before the file is written until {@code registerL0} has returned
 * or thrown; a compaction job holds its output prefix ({@code p<partition>-L1-…-e<epoch>-<id>})
 * from before its first output until the segment-map swap has returned or thrown. The orphan
 * sweep ({@link RetiredFileReaper#sweepOrphans}) never deletes a file whose name (a writer's
 * hidden temporary file without its leading dot) starts with a held prefix.
 *
 * <p>Why: the sweep's age test alone ("older than the grace period and unknown to the catalog")
 * races with a registration that is still retrying (the catalog failed over) or a job whose first
 * outputs are older than the grace period: the sweep would delete a file the catalog registers a
 * moment later, and every read and merge of that segment would fail. Once the registering call
 * has returned, the catalog's answer is final and the sweep may judge the file by it.
 *
 * <p>Bounded by the number of cuts and jobs running at once (one per partition each). A prefix held
 * twice stays held until both holds are closed. Thread-safe.
 */
public final class PendingOutputs {
    /** Prefix → number of open holds. */
    private final ConcurrentMap<String, Integer> prefixes = new ConcurrentHashMap<>();

    /** One held prefix; {@link #close()} releases it. */
    public final class Hold implements AutoCloseable {
        private final String prefix;

        private Hold(String prefix) {
            this.prefix = prefix;
        }

        private boolean closed;

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                prefixes.computeIfPresent(prefix, (k, n) -> n == 1 ? null : n - 1);
            }
        }
    }

    /** Holds {@code prefix} until the returned hold is closed. */
    public Hold hold(String prefix) {
        if (prefix.isEmpty()) {
            throw new IllegalArgumentException("an empty prefix would hold every file");
        }
        prefixes.merge(prefix, 1, Integer::sum);
        return new Hold(prefix);
    }

    /** Whether the file named {@code fileName} (a temporary file's leading dot ignored) is held. */
    public boolean holds(String fileName) {
        String name = fileName.startsWith(".") ? fileName.substring(1) : fileName;
        for (String p : prefixes.keySet()) {
            if (name.startsWith(p)) {
                return true;
            }
        }
        return false;
    }
}
