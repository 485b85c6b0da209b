package io.storageengine.compactor.merge;

import io.storageengine.compactor.internal.Cancellation;
import io.storageengine.schemas.segment.SegmentKind;
import io.storageengine.segments.segment.SegmentReader;
import io.storageengine.segments.segment.SegmentRecord;
import io.storageengine.segments.segment.SegmentScanner;
import io.storageengine.segments.store.SegmentStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * L0 → L1: k-way merges input segments into level-1 DELTA segments split by timeline and target
 * size. A plain merge copies encoded records from input blocks to output blocks ({@link CopyMerge});
 * a transforming rewrite (image building) sees each record as a {@link SegmentRecord}. Memory: one block per input plus one output block, whatever the sizes. On failure or
 * cancellation every output written so far is deleted before the exception propagates.
 * Stateless; one call per job.
 */
public final class L1Merger {
    private static final int CHECK_EVERY = 256;

    private L1Merger() {
    }

    public static JobResult merge(SegmentStore store, List<String> inputs, int partition, long targetBytes,
                                  String namePrefix, Cancellation cancel) throws IOException {
        return rewrite(store, inputs, new SegmentOutputs(store, SegmentKind.DELTA, 1, partition, targetBytes, namePrefix),
                cancel, null);
    }

    /** Transforms a merged stream into outputs; {@code transform} null copies records as they are. */
    public static JobResult rewrite(SegmentStore store, List<String> inputs, SegmentOutputs out, Cancellation cancel,
                             RecordSink transform) throws IOException {
        List<SegmentReader> readers = new ArrayList<>();
        List<SegmentScanner> scanners = new ArrayList<>();
        long bytesIn = 0;
        long records = 0;
        boolean ok = false;
        try {
            for (String name : inputs) {
                SegmentReader r = store.open(name);
                readers.add(r);
                bytesIn += r.info().fileSize();
                scanners.add(r.scan());
            }
            if (transform == null) {
                try (CopyMerge merge = new CopyMerge(scanners)) {
                    scanners.clear();
                    while (merge.next()) {
                        if ((merge.emitted() & (CHECK_EVERY - 1)) == 0) {
                            cancel.check();
                        }
                        out.add(merge.buffer(), merge.keyOffset(), merge.buffer(), merge.valueOffset(), merge.valueLength());
                        records++;
                    }
                    cancel.check();
                    List<SegmentOutputs.Output> outputs = out.finish();
                    ok = true;
                    return new JobResult(outputs, bytesIn, out.bytesWritten(), records, merge.duplicates());
                }
            }
            try (KWayMerge merge = KWayMerge.of(scanners)) {
                scanners.clear();
                while (merge.hasNext()) {
                    if ((merge.emitted() & (CHECK_EVERY - 1)) == 0) {
                        cancel.check();
                    }
                    records += transform.accept(merge.next(), out);
                }
                records += transform.finish(out);
                cancel.check();
                List<SegmentOutputs.Output> outputs = out.finish();
                ok = true;
                return new JobResult(outputs, bytesIn, out.bytesWritten(), records, merge.duplicates());
            }
        } finally {
            scanners.forEach(SegmentScanner::close);
            readers.forEach(SegmentReader::close);
            if (!ok) {
                out.abort();
            }
        }
    }

    /** A stateful record transformation used by rewrites (image building). */
    public interface RecordSink {
        /** Handles one merged record; returns how many records it wrote. */
        int accept(SegmentRecord record, SegmentOutputs out) throws IOException;

        /** Called once after the last record; returns how many records it wrote. */
        int finish(SegmentOutputs out) throws IOException;
    }
}
