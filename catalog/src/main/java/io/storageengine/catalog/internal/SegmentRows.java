package io.storageengine.catalog.internal;

import io.storageengine.catalog.segmentmap.CatalogSegment;
import io.storageengine.catalog.segmentmap.SegmentMeta;
import io.storageengine.catalog.segmentmap.SegmentState;
import io.storageengine.schemas.segment.SegmentKind;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * SQL of the {@code segments} table and its change counter: the column list, row → {@link CatalogSegment},
 * insert, version bump. Run inside the caller's transaction. Stateless.
 */
public final class SegmentRows {
    public static final String COLUMNS = "id, name, kind, level, partition, min_key, max_key, min_lsn, max_lsn, size_bytes, "
            + "record_count, store, location, offset_start, offset_end, state, created_at, retired_at";

    private SegmentRows() {
    }

    public static CatalogSegment map(ResultSet rs) throws SQLException {
        long offsetStart = rs.getLong("offset_start");
        boolean noOffsets = rs.wasNull();
        long offsetEnd = rs.getLong("offset_end");
        SegmentMeta meta = new SegmentMeta(rs.getString("name"), SegmentKind.valueOf(rs.getString("kind")), rs.getInt("level"),
                rs.getInt("partition"), rs.getBytes("min_key"), rs.getBytes("max_key"), rs.getLong("min_lsn"),
                rs.getLong("max_lsn"), rs.getLong("size_bytes"), rs.getLong("record_count"), rs.getString("store"),
                rs.getString("location"), noOffsets ? -1 : offsetStart, noOffsets ? -1 : offsetEnd);
        return new CatalogSegment(rs.getLong("id"), meta, SegmentState.valueOf(rs.getString("state")),
                instant(rs, "created_at"), instant(rs, "retired_at"));
    }

    public static List<CatalogSegment> query(Connection c, String sqlAfterFrom, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM segments " + sqlAfterFrom)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                List<CatalogSegment> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(map(rs));
                }
                return out;
            }
        }
    }

    public static void insert(Connection c, SegmentMeta m) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO segments (name, kind, level, partition, min_key, max_key, "
                + "min_lsn, max_lsn, size_bytes, record_count, store, location, offset_start, offset_end) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, m.name());
            ps.setString(2, m.kind().name());
            ps.setInt(3, m.level());
            ps.setInt(4, m.partition());
            ps.setBytes(5, m.minKey());
            ps.setBytes(6, m.maxKey());
            ps.setLong(7, m.minLsn());
            ps.setLong(8, m.maxLsn());
            ps.setLong(9, m.sizeBytes());
            ps.setLong(10, m.recordCount());
            ps.setString(11, m.store());
            ps.setString(12, m.location());
            if (m.hasOffsets()) {
                ps.setLong(13, m.offsetStart());
                ps.setLong(14, m.offsetEnd());
            } else {
                ps.setNull(13, java.sql.Types.BIGINT);
                ps.setNull(14, java.sql.Types.BIGINT);
            }
            ps.executeUpdate();
        }
    }

    /** Marks ACTIVE segments of these names RETIRED (now). */
    public static void retire(Connection c, String[] names) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE segments SET state = 'RETIRED', retired_at = now() WHERE name = ANY(?) AND state = 'ACTIVE'")) {
            ps.setArray(1, c.createArrayOf("text", names));
            ps.executeUpdate();
        }
    }

    /** Marks a RETIRED segment of {@code partition} DELETED; false if it is not (or no longer) retired. */
    public static boolean markDeleted(Connection c, String name, int partition) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE segments SET state = 'DELETED', deleted_at = now() "
                + "WHERE name = ? AND state = 'RETIRED' AND partition = ?")) {
            ps.setString(1, name);
            ps.setInt(2, partition);
            return ps.executeUpdate() == 1;
        }
    }

    /** Bumps the segment map's change counter ({@code catalog_state.segments_version}) that readers poll. */
    public static void bumpVersion(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE catalog_state SET segments_version = segments_version + 1 WHERE id = 1");
        }
    }

    /** The change counter's query ({@link #version}). */
    public static final String VERSION_SQL = "SELECT segments_version FROM catalog_state WHERE id = 1";

    public static long version(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(VERSION_SQL)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    public static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }
}
