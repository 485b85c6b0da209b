package io.storageengine.catalog.job;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * One row of compaction history: what kind of job (e.g. "L0", "L1", "IMAGE", "GC"), on which
 * partition, by which owner and epoch, which segments it read and wrote, bytes in/out, times,
 * status and error. {@code endedAt}/{@code error} are null while running. Immutable.
 */
public record CompactionJob(UUID id, String kind, int partition, String owner, long epoch, List<String> inputs,
                            List<String> outputs, long bytesIn, long bytesOut, Instant startedAt, Instant endedAt,
                            Status status, String error) {

    public enum Status {
        RUNNING,
        SUCCEEDED,
        FAILED,
        CANCELLED
    }

    public CompactionJob {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }
}
