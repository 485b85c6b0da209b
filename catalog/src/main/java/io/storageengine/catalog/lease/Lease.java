package io.storageengine.catalog.lease;

import java.time.Instant;
import java.util.Objects;

/**
 * A worker's ownership of one partition's compaction: every catalog write made on its behalf
 * checks, in the same transaction, that {@code epoch} is still the partition's current epoch.
 * A takeover by another owner increments the epoch and so fences every older holder. Immutable.
 */
public record Lease(int partition, String owner, long epoch, Instant expiresAt) {
    public Lease {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }
}
