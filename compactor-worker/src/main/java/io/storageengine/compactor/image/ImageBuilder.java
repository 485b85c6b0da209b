package io.storageengine.compactor.image;

import io.storageengine.compactor.internal.Cancellation;
import io.storageengine.compactor.merge.JobResult;
import io.storageengine.compactor.merge.L1Merger;
import io.storageengine.compactor.merge.SegmentOutputs;
import io.storageengine.pagecore.PageApplyException;
import io.storageengine.pagecore.PageReplay;
import io.storageengine.pagecore.StoredVersion;
import io.storageengine.pagecore.VersionChains;
import io.storageengine.schemas.page.PageKey;
import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.page.VersionKey;
import io.storageengine.schemas.segment.SegmentKind;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.WalFormat;
import io.storageengine.segments.segment.SegmentRecord;
import io.storageengine.segments.store.SegmentStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds one IMAGE segment for a (partition, timeline): merges the inputs (the timeline's newest
 * image segment, if any, and every L1 segment after it up to the cut) and, page by page, replays
 * the versions with page-core's apply rules ({@link PageReplay}); each page is written once, as a
 * PAGE_IMAGE at the LSN of its newest version (the page as of any LSN from there to the cut).
 *
 * <p>A page one of whose records cannot be replayed (a PG_RECORD without a redo engine for it,
 * {@code RedoUnsupportedException}, or one that does not fit the page, {@code RedoException}) gets
 * no image, never a wrong one: its versions from its newest chain start on are written as they
 * are, so the segment still holds everything a read of the page needs, and the page is counted
 * ({@link JobResult#pagesKeptAsVersions()}). To do so the versions since the page's newest chain
 * start are held until the page ends, up to {@value #MAX_PENDING_BYTES} bytes; beyond that the
 * older ones are written out as they are (harmless extra versions below the image).
 *
 * <p>Memory: one block per input, one 8 KiB page, and those pending versions. Stateless; one call
 * per job.
 */
public final class ImageBuilder {
    private static final Logger LOG = LoggerFactory.getLogger(ImageBuilder.class);
    static final int MAX_PENDING_BYTES = 16 << 20;

    private ImageBuilder() {
    }

    public static JobResult build(SegmentStore store, List<String> inputs, int partition, String namePrefix,
                                  Cancellation cancel) throws IOException {
        SegmentOutputs out = new SegmentOutputs(store, SegmentKind.IMAGE, 1, partition, Long.MAX_VALUE, namePrefix);
        Replay replay = new Replay(MAX_PENDING_BYTES);
        JobResult r = L1Merger.rewrite(store, inputs, out, cancel, replay);
        if (replay.keptPages > 0) {
            LOG.warn("partition {}: {} pages kept as versions (no image) because a record could not be replayed",
                    partition, replay.keptPages);
        }
        return r.withPagesKeptAsVersions(replay.keptPages);
    }

    /** Replays one page at a time. Package-private for tests. */
    static final class Replay implements L1Merger.RecordSink {
        private final PageReplay replay = new PageReplay();
        private final long maxPendingBytes;
        private final List<SegmentRecord> pending = new ArrayList<>();
        private long pendingBytes;
        private byte[] pageKey;
        /** The current page could not be replayed: its versions are written as they are. */
        private boolean asVersions;
        long keptPages;

        Replay(long maxPendingBytes) {
            this.maxPendingBytes = maxPendingBytes;
        }

        @Override
        public int accept(SegmentRecord record, SegmentOutputs out) throws IOException {
            byte[] key = record.key();
            byte[] value = record.value();
            int written = 0;
            if (pageKey == null || !Arrays.equals(key, 0, PageKey.SIZE, pageKey, 0, PageKey.SIZE)) {
                written = finish(out);
                pageKey = VersionKey.pageKeyOf(key);
                replay.reset(PageRef.read(ByteBuffer.wrap(pageKey, TimelineKey.SIZE, PageRef.SIZE)));
            }
            if (asVersions) {
                out.add(key, value);
                return written + 1;
            }
            if (VersionChains.startsChain(value)) {
                clearPending();
            } else if (pendingBytes + value.length > maxPendingBytes && !pending.isEmpty()) {
                written += writePending(out); // bounded memory: older versions go out as they are
            }
            pending.add(record);
            pendingBytes += value.length;
            try {
                replay.apply(VersionKey.lsnOf(key), value);
            } catch (PageApplyException e) {
                if (keptPages < 20) {
                    LOG.warn("page {} kept as versions: {}", PageKey.fromBytes(pageKey), e.getMessage());
                }
                keptPages++;
                asVersions = true;
                written += writePending(out);
            }
            return written;
        }

        @Override
        public int finish(SegmentOutputs out) throws IOException {
            if (pageKey == null) {
                return 0;
            }
            int written = 0;
            if (!asVersions) {
                out.add(VersionKey.encode(pageKey, replay.lastLsn()), StoredVersion.image(replay.page()));
                written = 1;
            }
            clearPending();
            asVersions = false;
            pageKey = null;
            return written;
        }

        private int writePending(SegmentOutputs out) throws IOException {
            int n = pending.size();
            for (SegmentRecord r : pending) {
                out.add(r.key(), r.value());
            }
            clearPending();
            return n;
        }

        private void clearPending() {
            pending.clear();
            pendingBytes = 0;
        }
    }
}
