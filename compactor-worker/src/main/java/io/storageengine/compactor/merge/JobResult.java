package io.storageengine.compactor.merge;

import java.util.List;

/**
 * What a rewrite produced: its output segments (already in the store, not yet registered), bytes
 * read and written, records written, duplicate records dropped, and for image building the pages
 * kept as versions because a record of theirs could not be replayed. Immutable.
 */
public record JobResult(List<SegmentOutputs.Output> outputs, long bytesIn, long bytesOut, long records, long duplicates,
                        long pagesKeptAsVersions) {
    public JobResult {
        outputs = List.copyOf(outputs);
    }

    public JobResult(List<SegmentOutputs.Output> outputs, long bytesIn, long bytesOut, long records, long duplicates) {
        this(outputs, bytesIn, bytesOut, records, duplicates, 0);
    }

    public JobResult withPagesKeptAsVersions(long pages) {
        return new JobResult(outputs, bytesIn, bytesOut, records, duplicates, pages);
    }
}
