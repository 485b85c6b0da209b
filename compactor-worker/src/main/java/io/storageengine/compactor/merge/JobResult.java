package io.storageengine.compactor.merge;

import java.util.List;

/**
 * What a rewrite produced: its output segments (already in the store, not yet registered), bytes
 * read and written, records written and duplicate records dropped. Immutable.
 */
public record JobResult(List<SegmentOutputs.Output> outputs, long bytesIn, long bytesOut, long records, long duplicates) {
    public JobResult {
        outputs = List.copyOf(outputs);
    }
}
