package io.storageengine.ingest.decode;

import io.storageengine.schemas.wal.Lsn;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one decoded stream contained. Immutable.
 *
 * @param frames intact frames (magic and CRC valid) before any stop, of every type
 * @param bytes bytes read from the stream
 * @param delivered frames handed to the sink (page records and LSN_ADVANCE)
 * @param corruptFrames corrupt regions: each maximal run of skipped bytes between two intact frames
 *     counts once (the reader cannot know how many frames a garbage run held)
 * @param skippedBytes bytes skipped while resynchronizing (not counting the truncated tail)
 * @param reservedSkipped intact frames of a reserved type, skipped
 * @param rejected intact frames rejected: page records breaking the payload rules, WATERMARKs in an input stream
 * @param lastLsn LSN of the last intact frame before any stop (the last good LSN); 0 if none
 * @param truncatedTailBytes bytes at the end of the stream in which no valid frame starts
 * @param error the reason the stream stopped early (LSN regression), or {@code null}
 */
public record DecodeSummary(long frames, long bytes, long delivered, long corruptFrames, long skippedBytes,
                            long reservedSkipped, long rejected, long lastLsn, long truncatedTailBytes, String error) {

    public boolean stoppedOnError() {
        return error != null;
    }

    /** True if the stream ended clean: no stop and no truncated tail (skipped input is counted, not an error). */
    public boolean complete() {
        return error == null && truncatedTailBytes == 0;
    }

    public String lastLsnText() {
        return Lsn.format(lastLsn);
    }

    /** One line: {@code frames=… bytes=… corrupt=… skipped_bytes=… …}. */
    public String toLine() {
        StringBuilder sb = new StringBuilder();
        toMap().forEach((k, v) -> sb.append(sb.isEmpty() ? "" : " ").append(k).append('=').append(v));
        return sb.toString();
    }

    /** Ordered fields for the summary line and JSON. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("frames", frames);
        m.put("bytes", bytes);
        m.put("delivered", delivered);
        m.put("corrupt", corruptFrames);
        m.put("skipped_bytes", skippedBytes);
        m.put("reserved_skipped", reservedSkipped);
        m.put("rejected", rejected);
        m.put("last_lsn", lastLsnText());
        m.put("truncated_tail_bytes", truncatedTailBytes);
        if (error != null) {
            m.put("error", error);
        }
        return m;
    }
}
