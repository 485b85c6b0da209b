package io.storageengine.catalog.job;

import io.storageengine.catalog.connection.ConnectionSource;
import io.storageengine.catalog.connection.QueryKey;
import io.storageengine.catalog.internal.JobSql;
import io.storageengine.catalog.lease.Lease;
import java.util.List;
import java.util.UUID;

/**
 * Compaction history ({@code compaction_jobs}): one row per job from start to finish, for
 * status reports and tests. Not lease-checked (history never decides anything); both writes are
 * idempotent. Thread-safe.
 */
public final class Jobs {
    private final ConnectionSource connections;
    private final ConnectionSource reads;

    /**
     * @param primary writes and reads that must see them
     * @param reads   lag-tolerant reads (a replica within the lag bound, or the primary)
     */
    public Jobs(ConnectionSource primary, ConnectionSource reads) {
        this.connections = primary;
        this.reads = reads;
    }

    /** Everything on one source (tests, or a catalog with no replica). */
    public Jobs(ConnectionSource primary) {
        this(primary, primary);
    }

    /** Records the start of a job (idempotent on {@code id}). */
    public void start(UUID id, String kind, Lease lease, List<String> inputs) {
        connections.transaction("startJob", c -> {
            JobSql.start(c, id, kind, lease, inputs);
            return null;
        });
    }

    /** Records the end of a running job (idempotent: a finished job is left as it is). */
    public void finish(UUID id, CompactionJob.Status status, List<String> outputs, long bytesIn, long bytesOut, String error) {
        if (status == CompactionJob.Status.RUNNING) {
            throw new IllegalArgumentException("a finished job cannot be RUNNING");
        }
        connections.transaction("finishJob", c -> {
            JobSql.finish(c, id, status, outputs, bytesIn, bytesOut, error);
            return null;
        });
    }

    /** The newest {@code limit} jobs of a partition, newest first (lag-tolerant: for status reports). */
    public List<CompactionJob> recent(int partition, int limit) {
        return reads.readConsolidated("jobs", QueryKey.of(JobSql.RECENT_SQL, partition, limit),
                c -> List.copyOf(JobSql.recent(c, partition, limit)));
    }
}
