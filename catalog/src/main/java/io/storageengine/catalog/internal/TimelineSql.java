package io.storageengine.catalog.internal;

import io.storageengine.catalog.connection.QueryKey;
import io.storageengine.catalog.timeline.TimelineInfo;
import io.storageengine.schemas.timeline.TimelineKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** SQL of the {@code timelines} table (ids as 32 lower-case hex digits), run inside the caller's transaction. Stateless. */
public final class TimelineSql {
    private static final String COLUMNS = "tenant_id, timeline_id, first_seen, last_seen, gc_horizon_lsn, last_applied_lsn";

    private TimelineSql() {
    }

    /**
     * Raises the timelines' newest LSNs in the caller's transaction, in key order (so two workers'
     * transactions never take the rows' locks in opposite orders and deadlock).
     */
    public static void touchAll(Connection c, Map<TimelineKey, Long> newestLsns) throws SQLException {
        if (newestLsns.isEmpty()) {
            return;
        }
        List<Map.Entry<TimelineKey, Long>> sorted = new ArrayList<>(newestLsns.entrySet());
        sorted.sort(Comparator.comparing(e -> e.getKey().toString()));
        for (Map.Entry<TimelineKey, Long> e : sorted) {
            touch(c, e.getKey(), e.getValue());
        }
    }

    public static void touch(Connection c, TimelineKey timeline, long lastAppliedLsn) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO timelines AS t (tenant_id, timeline_id, last_applied_lsn) VALUES (?, ?, ?)
                ON CONFLICT (tenant_id, timeline_id) DO UPDATE SET last_seen = now(),
                  last_applied_lsn = GREATEST(t.last_applied_lsn, EXCLUDED.last_applied_lsn)""")) {
            ps.setString(1, timeline.tenant().toString());
            ps.setString(2, timeline.timeline().toString());
            if (lastAppliedLsn >= 0) {
                ps.setLong(3, lastAppliedLsn);
            } else {
                ps.setNull(3, Types.BIGINT);
            }
            ps.executeUpdate();
        }
    }

    /** Raises (never lowers) the horizon; returns the horizon in force. */
    public static long raiseGcHorizon(Connection c, TimelineKey timeline, long horizonLsn) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO timelines AS t (tenant_id, timeline_id, gc_horizon_lsn) VALUES (?, ?, ?)
                ON CONFLICT (tenant_id, timeline_id) DO UPDATE SET last_seen = now(),
                  gc_horizon_lsn = GREATEST(t.gc_horizon_lsn, EXCLUDED.gc_horizon_lsn)
                RETURNING gc_horizon_lsn""")) {
            ps.setString(1, timeline.tenant().toString());
            ps.setString(2, timeline.timeline().toString());
            ps.setLong(3, horizonLsn);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    public static Optional<TimelineInfo> find(Connection c, TimelineKey timeline) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM timelines WHERE tenant_id = ? AND timeline_id = ?")) {
            ps.setString(1, timeline.tenant().toString());
            ps.setString(2, timeline.timeline().toString());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(map(rs)) : Optional.empty();
            }
        }
    }

    private static final String ALL_SQL = "SELECT " + COLUMNS + " FROM timelines ORDER BY tenant_id, timeline_id";
    /** {@link #all}'s query, for query consolidation. */
    public static final QueryKey ALL_KEY = QueryKey.of(ALL_SQL);

    public static List<TimelineInfo> all(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(ALL_SQL);
             ResultSet rs = ps.executeQuery()) {
            List<TimelineInfo> out = new ArrayList<>();
            while (rs.next()) {
                out.add(map(rs));
            }
            return out;
        }
    }

    private static TimelineInfo map(ResultSet rs) throws SQLException {
        long applied = rs.getLong("last_applied_lsn");
        boolean noApplied = rs.wasNull();
        return new TimelineInfo(TimelineKey.of(rs.getString("tenant_id"), rs.getString("timeline_id")),
                SegmentRows.instant(rs, "first_seen"), SegmentRows.instant(rs, "last_seen"), rs.getLong("gc_horizon_lsn"),
                noApplied ? -1 : applied);
    }
}
