package io.storageengine.catalog.internal;

import io.storageengine.catalog.offset.OffsetKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.OptionalLong;

/** SQL of the {@code partition_offsets} table, run inside the caller's transaction. Stateless. */
public final class OffsetSql {
    private OffsetSql() {
    }

    /** The committed next offset of {@code key}; {@code forUpdate} locks the row until the transaction ends. */
    public static OptionalLong committed(Connection c, OffsetKey key, boolean forUpdate) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT next_offset FROM partition_offsets "
                + "WHERE consumer_group = ? AND topic = ? AND partition = ?" + (forUpdate ? " FOR UPDATE" : ""))) {
            ps.setString(1, key.consumerGroup());
            ps.setString(2, key.topic());
            ps.setInt(3, key.partition());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
            }
        }
    }

    /** Inserts or raises the committed offset (never lowers it). */
    public static void raise(Connection c, OffsetKey key, long nextOffset) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO partition_offsets AS o (consumer_group, topic, partition, next_offset) VALUES (?, ?, ?, ?)
                ON CONFLICT (consumer_group, topic, partition)
                DO UPDATE SET next_offset = GREATEST(o.next_offset, EXCLUDED.next_offset), updated_at = now()""")) {
            ps.setString(1, key.consumerGroup());
            ps.setString(2, key.topic());
            ps.setInt(3, key.partition());
            ps.setLong(4, nextOffset);
            ps.executeUpdate();
        }
    }
}
