package io.storageengine.compactor.image;

import io.storageengine.compactor.internal.Cancellation;
import io.storageengine.compactor.merge.JobResult;
import io.storageengine.compactor.merge.L1Merger;
import io.storageengine.compactor.merge.SegmentOutputs;
import io.storageengine.schemas.page.PageApply;
import io.storageengine.schemas.page.PageKey;
import io.storageengine.schemas.page.StoredVersion;
import io.storageengine.schemas.page.VersionKey;
import io.storageengine.schemas.segment.SegmentKind;
import io.storageengine.schemas.wal.WalFormat;
import io.storageengine.segments.segment.SegmentRecord;
import io.storageengine.segments.store.SegmentStore;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/**
 * Builds one IMAGE segment for a (partition, timeline): merges the inputs (the timeline's newest
 * image segment, if any, and every L1 segment after it up to the cut) and, page by page, replays
 * the versions with the spec's apply rules ({@link PageApply}); each page is written once, as a
 * PAGE_IMAGE at the LSN of its newest version (the page as of any LSN from there to the cut).
 * Memory: one block per input, one 8 KiB page. Stateless; one call per job.
 */
public final class ImageBuilder {
    private ImageBuilder() {
    }

    public static JobResult build(SegmentStore store, List<String> inputs, int partition, String namePrefix,
                                  Cancellation cancel) throws IOException {
        SegmentOutputs out = new SegmentOutputs(store, SegmentKind.IMAGE, 1, partition, Long.MAX_VALUE, namePrefix);
        return L1Merger.rewrite(store, inputs, out, cancel, new Replay());
    }

    /** Replays one page at a time. */
    private static final class Replay implements L1Merger.RecordSink {
        private final byte[] page = new byte[WalFormat.PAGE_SIZE];
        private byte[] pageKey;
        private long lastLsn;

        @Override
        public int accept(SegmentRecord record, SegmentOutputs out) throws IOException {
            byte[] key = record.key();
            int written = 0;
            if (pageKey == null || !Arrays.equals(key, 0, PageKey.SIZE, pageKey, 0, PageKey.SIZE)) {
                written = finish(out);
                pageKey = VersionKey.pageKeyOf(key);
                Arrays.fill(page, (byte) 0);
            }
            PageApply.applyStored(page, record.value());
            lastLsn = VersionKey.lsnOf(key);
            return written;
        }

        @Override
        public int finish(SegmentOutputs out) throws IOException {
            if (pageKey == null) {
                return 0;
            }
            out.add(VersionKey.encode(pageKey, lastLsn), StoredVersion.image(page));
            pageKey = null;
            return 1;
        }
    }
}
