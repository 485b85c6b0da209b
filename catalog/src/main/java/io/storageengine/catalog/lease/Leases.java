package io.storageengine.catalog.lease;

import io.storageengine.catalog.connection.ConnectionSource;
import io.storageengine.catalog.internal.LeaseSql;
import java.time.Duration;
import java.util.Optional;

/**
 * Partition leases ({@code partition_leases}): which compactor worker owns a partition's
 * compaction, with an epoch that fences every older holder. A new holder gets epoch + 1 under
 * the row lock; every segment and offset write of the other repositories checks owner and epoch
 * in its own transaction ({@link StaleLeaseException} otherwise). Times come from the database
 * clock. Owner ids must be unique per process (e.g. host + random suffix). Thread-safe.
 */
public final class Leases {
    private final ConnectionSource connections;

    /** @param connections the primary: every call here writes or must see the latest writes */
    public Leases(ConnectionSource connections) {
        this.connections = connections;
    }

    /**
     * Takes the partition's lease for {@code owner} if it is free, expired, or already held by
     * {@code owner} (then it is renewed, same epoch). A new holder gets epoch + 1.
     *
     * @return the lease, or empty if another owner holds an unexpired lease
     */
    public Optional<Lease> acquire(int partition, String owner, Duration ttl) {
        return connections.transaction("acquireLease", c -> LeaseSql.acquire(c, partition, owner, ttl));
    }

    /**
     * Extends a lease that is still current (same epoch), even if it expired meanwhile but nobody took it.
     *
     * @throws StaleLeaseException if another owner took the partition
     */
    public Lease renew(Lease lease, Duration ttl) {
        return connections.transaction("renewLease", c -> LeaseSql.renew(c, lease, ttl));
    }

    /** Gives a lease up (it expires now) so another worker can take the partition at once. Idempotent. */
    public boolean release(Lease lease) {
        return connections.transaction("releaseLease", c -> LeaseSql.release(c, lease));
    }

    /** The partition's lease row, expired or not. */
    public Optional<Lease> current(int partition) {
        return connections.transaction("currentLease", c -> LeaseSql.current(c, partition));
    }
}
