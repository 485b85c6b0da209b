package io.storageengine.ingest.publish;

import io.storageengine.ingest.decode.DecodeSummary;
import io.storageengine.schemas.wal.Lsn;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The outcome of publishing one stream. Immutable.
 *
 * @param decode what the decoder saw
 * @param records page records published from this stream
 * @param bytes frame bytes published from this stream
 * @param watermarkLsn LSN of the last committed WATERMARK round after the stream (0 if none)
 * @param publishError why publishing failed, or {@code null}
 */
public record PublishResult(DecodeSummary decode, long records, long bytes, long watermarkLsn, String publishError) {

    /** Exit status: 0 ok, 1 stream error (LSN regression, truncated tail, read error), 3 publish failure. */
    public int exitCode() {
        if (publishError != null) {
            return 3;
        }
        return decode.complete() ? 0 : 1;
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>(decode.toMap());
        m.put("published", records);
        m.put("published_bytes", bytes);
        m.put("watermark_lsn", Lsn.format(watermarkLsn));
        if (publishError != null) {
            m.put("publish_error", publishError);
        }
        return m;
    }
}
