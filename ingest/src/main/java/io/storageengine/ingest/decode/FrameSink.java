package io.storageengine.ingest.decode;

import io.storageengine.schemas.wal.Frame;
import java.nio.ByteBuffer;

/**
 * Receives what a {@link WalDecoder} decodes, on the decoder's thread, in stream order.
 *
 * <p>{@link #accept} gets the frames to publish: validated PAGE_IMAGE and PAGE_DELTA frames and
 * LSN_ADVANCE frames. Both arguments are zero-copy views into the decoder's buffer, valid only during
 * the call: copy what must outlive it. {@link #skipped} reports intact frames that are not published
 * (reserved types, rejected page records, WATERMARKs in an input stream) so the sink still sees the
 * stream's LSN move. A sink may throw an unchecked exception to stop decoding.
 */
public interface FrameSink {

    /**
     * @param frame the decoded frame (payload view)
     * @param frameBytes the exact frame bytes, header and CRC included, between position and limit
     */
    void accept(Frame frame, ByteBuffer frameBytes);

    /** An intact frame at {@code lsn} that is not published (reserved type). */
    default void skipped(long lsn) {
    }

    /** An intact frame at {@code lsn} rejected by the payload rules; {@code reason} names the LSN. */
    default void rejected(long lsn, String reason) {
        skipped(lsn);
    }

    /** A sink that drops everything (benchmarks, validation runs). */
    static FrameSink discarding() {
        return (frame, bytes) -> { };
    }
}
