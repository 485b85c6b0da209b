package io.storageengine.catalog.internal;

import io.storageengine.catalog.job.CompactionJob;
import io.storageengine.catalog.lease.Lease;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** SQL of the {@code compaction_jobs} history table, run inside the caller's transaction. Stateless. */
public final class JobSql {
    private JobSql() {
    }

    public static void start(Connection c, UUID id, String kind, Lease lease, List<String> inputs) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO compaction_jobs (id, kind, partition, owner_id, epoch, inputs) "
                + "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING")) {
            ps.setObject(1, id);
            ps.setString(2, kind);
            ps.setInt(3, lease.partition());
            ps.setString(4, lease.owner());
            ps.setLong(5, lease.epoch());
            ps.setArray(6, c.createArrayOf("text", inputs.toArray()));
            ps.executeUpdate();
        }
    }

    public static void finish(Connection c, UUID id, CompactionJob.Status status, List<String> outputs, long bytesIn, long bytesOut,
                              String error) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE compaction_jobs SET status = ?, outputs = ?, bytes_in = ?, "
                + "bytes_out = ?, error = ?, ended_at = now() WHERE id = ? AND status = 'RUNNING'")) {
            ps.setString(1, status.name());
            ps.setArray(2, c.createArrayOf("text", outputs.toArray()));
            ps.setLong(3, bytesIn);
            ps.setLong(4, bytesOut);
            ps.setString(5, error);
            ps.setObject(6, id);
            ps.executeUpdate();
        }
    }

    /** {@link #recent}'s query (parameters: partition, limit). */
    public static final String RECENT_SQL = "SELECT id, kind, partition, owner_id, epoch, inputs, outputs, bytes_in, "
            + "bytes_out, started_at, ended_at, status, error FROM compaction_jobs WHERE partition = ? "
            + "ORDER BY started_at DESC, id LIMIT ?";

    public static List<CompactionJob> recent(Connection c, int partition, int limit) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(RECENT_SQL)) {
            ps.setInt(1, partition);
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                List<CompactionJob> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(new CompactionJob(rs.getObject("id", UUID.class), rs.getString("kind"), rs.getInt("partition"),
                            rs.getString("owner_id"), rs.getLong("epoch"), strings(rs.getArray("inputs")),
                            strings(rs.getArray("outputs")), rs.getLong("bytes_in"), rs.getLong("bytes_out"),
                            SegmentRows.instant(rs, "started_at"), SegmentRows.instant(rs, "ended_at"),
                            CompactionJob.Status.valueOf(rs.getString("status")), rs.getString("error")));
                }
                return out;
            }
        }
    }

    private static List<String> strings(Array a) throws SQLException {
        return a == null ? List.of() : List.of((String[]) a.getArray());
    }
}
