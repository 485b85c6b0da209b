package io.storageengine.ingest.pgwal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

import io.storageengine.postgres.wal.ResourceManager;
import io.storageengine.postgres.wal.frame.FrameStats;
import io.storageengine.schemas.wal.Lsn;

/**
 * The outcome of ingesting a range of PostgreSQL WAL. Immutable.
 *
 * @param source       where the WAL came from (a directory, a server)
 * @param stats        records, frames, REDUCED frames, LSN advances per resource manager, oversized records
 * @param firstLsn     start of the first record read ({@code null} if none)
 * @param lastLsn      end LSN of the last record published (frames or LSN advance); 0 if none
 * @param endReason    why reading stopped: end of WAL (PostgreSQL's reason), {@code --end-lsn}, cancelled
 * @param error        a WAL error (corrupt record inside the WAL, damaged segment file, oversized record) or {@code null}
 * @param watermarkLsn LSN of the last committed WATERMARK round
 * @param publishError why publishing failed, or {@code null}
 */
public record PgWalResult(String source, FrameStats.Snapshot stats, Lsn firstLsn, long lastLsn, String endReason,
                          String error, long watermarkLsn, String publishError) {

    /** 0 clean, 1 WAL error (nothing after the bad record published), 3 publish failure. */
    public int exitCode() {
        if (publishError != null) {
            return 3;
        }
        return error != null ? 1 : 0;
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("stream", source);
        m.put("records", stats.records());
        m.put("frames", stats.frames());
        m.put("frame_bytes", stats.frameBytes());
        m.put("reduced_frames", stats.reducedFrames());
        m.put("lsn_advances", stats.lsnAdvances());
        m.put("advances_by_rmgr", stats.lsnAdvancesByRmgr().entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey().waldumpName() + ":" + e.getValue()).collect(Collectors.joining(",")));
        m.put("oversized", stats.oversizedRecords());
        m.put("first_lsn", firstLsn == null ? "" : firstLsn.toString());
        m.put("last_lsn", Lsn.format(lastLsn));
        m.put("end", endReason == null ? "" : endReason);
        if (error != null) {
            m.put("error", error);
        }
        m.put("published", stats.frames());
        m.put("watermark_lsn", Lsn.format(watermarkLsn));
        if (publishError != null) {
            m.put("publish_error", publishError);
        }
        return m;
    }

    /** LSN advances of one resource manager. */
    public long advances(ResourceManager rmgr) {
        return stats.lsnAdvancesByRmgr().getOrDefault(rmgr, 0L);
    }
}
