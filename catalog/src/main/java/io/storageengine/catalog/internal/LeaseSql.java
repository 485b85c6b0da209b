package io.storageengine.catalog.internal;

import io.storageengine.catalog.lease.Lease;
import io.storageengine.catalog.lease.StaleLeaseException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;

/**
 * SQL of the {@code partition_leases} table, run inside the caller's transaction. Times come
 * from the database clock ({@code now()}), so workers' clocks do not matter. Stateless.
 */
public final class LeaseSql {
    private LeaseSql() {
    }

    /** Takes a free or expired lease (epoch + 1) or renews the owner's own unexpired one (same epoch). */
    public static Optional<Lease> acquire(Connection c, int partition, String owner, Duration ttl) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO partition_leases AS l (partition, owner_id, epoch, acquired_at, expires_at)
                VALUES (?, ?, 1, now(), now() + make_interval(secs => ?))
                ON CONFLICT (partition) DO UPDATE SET
                  epoch = CASE WHEN l.owner_id = EXCLUDED.owner_id AND l.expires_at > now() THEN l.epoch ELSE l.epoch + 1 END,
                  acquired_at = CASE WHEN l.owner_id = EXCLUDED.owner_id AND l.expires_at > now() THEN l.acquired_at ELSE now() END,
                  owner_id = EXCLUDED.owner_id,
                  expires_at = EXCLUDED.expires_at
                WHERE l.owner_id = EXCLUDED.owner_id OR l.expires_at <= now()
                RETURNING epoch, expires_at""")) {
            ps.setInt(1, partition);
            ps.setString(2, owner);
            ps.setDouble(3, ttl.toMillis() / 1000.0);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Lease(partition, owner, rs.getLong(1), SegmentRows.instant(rs, "expires_at")));
            }
        }
    }

    public static Lease renew(Connection c, Lease lease, Duration ttl) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE partition_leases SET expires_at = now() + make_interval(secs => ?) "
                + "WHERE partition = ? AND owner_id = ? AND epoch = ? RETURNING expires_at")) {
            ps.setDouble(1, ttl.toMillis() / 1000.0);
            ps.setInt(2, lease.partition());
            ps.setString(3, lease.owner());
            ps.setLong(4, lease.epoch());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw stale(c, lease);
                }
                return new Lease(lease.partition(), lease.owner(), lease.epoch(), SegmentRows.instant(rs, "expires_at"));
            }
        }
    }

    public static boolean release(Connection c, Lease lease) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE partition_leases SET expires_at = now() "
                + "WHERE partition = ? AND owner_id = ? AND epoch = ? AND expires_at > now()")) {
            ps.setInt(1, lease.partition());
            ps.setString(2, lease.owner());
            ps.setLong(3, lease.epoch());
            return ps.executeUpdate() == 1;
        }
    }

    public static Optional<Lease> current(Connection c, int partition) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT owner_id, epoch, expires_at FROM partition_leases WHERE partition = ?")) {
            ps.setInt(1, partition);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Lease(partition, rs.getString(1), rs.getLong(2), SegmentRows.instant(rs, "expires_at")))
                        : Optional.empty();
            }
        }
    }

    /**
     * Fencing: locks the lease row {@code FOR SHARE} (a takeover's update waits for this
     * transaction) and checks owner and epoch.
     *
     * @throws StaleLeaseException if another owner or epoch holds the partition now
     */
    public static void checkEpoch(Connection c, Lease lease) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT owner_id, epoch FROM partition_leases WHERE partition = ? FOR SHARE")) {
            ps.setInt(1, lease.partition());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || rs.getLong(2) != lease.epoch() || !rs.getString(1).equals(lease.owner())) {
                    throw stale(c, lease);
                }
            }
        }
    }

    private static StaleLeaseException stale(Connection c, Lease lease) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT owner_id, epoch FROM partition_leases WHERE partition = ?")) {
            ps.setInt(1, lease.partition());
            try (ResultSet rs = ps.executeQuery()) {
                String now = rs.next() ? rs.getString(1) + " epoch " + rs.getLong(2) : "nobody";
                return new StaleLeaseException("lease of partition " + lease.partition() + " by " + lease.owner() + " epoch "
                        + lease.epoch() + " is stale: now held by " + now);
            }
        }
    }
}
