package io.storageengine.ingest.pgwal;

import io.storageengine.ingest.publish.PublishException;
import io.storageengine.ingest.publish.WalPublisher;
import io.storageengine.ingest.relations.RelationTracking;
import io.storageengine.postgres.wal.DecodedRecord;
import io.storageengine.postgres.wal.StreamingWalSource;
import io.storageengine.postgres.wal.WalFormatException;
import io.storageengine.postgres.wal.XLogReader;
import io.storageengine.postgres.wal.frame.PgRecordFrames;
import io.storageengine.schemas.wal.Lsn;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live PostgreSQL WAL over the physical replication protocol (PgJDBC's replication API): the server
 * streams its WAL byte for byte; {@link XLogReader#follow} turns it into records as they complete;
 * each record's frames go to the {@link WalPublisher} together ({@link WalPublisher#acceptComplete}).
 *
 * <p>Where it starts: the newest LSN durable in Kafka for the timeline (a record boundary, since
 * every commit ends on one), else {@code --start-lsn} (must be a record start), else the server's
 * {@code pg_current_wal_insert_lsn()}. Streaming starts at that LSN's page so the page header comes
 * too. With a slot (created when asked, reserving WAL at once), PostgreSQL keeps the WAL this source
 * has not reported flushed; standby status updates report as flushed (and applied) only the
 * publisher's committed WATERMARK LSN, so WAL is released only once it is safe in Kafka.
 *
 * <p>A lost connection (server restart, network) is retried with backoff (200 ms doubling to
 * 10 s), resuming at the end of the last record handed to the publisher. {@code readPending} plus
 * a short sleep keeps the loop responsive (a blocking read can wait minutes on an idle server).
 * Stops when {@code stop} says so, at {@code end}, on a WAL error, or on a publish failure.
 * Memory: the stream buffer (bounded) plus one record's frames. Single-threaded.
 */
public final class PgReplicationSource {
    private static final Logger LOG = LoggerFactory.getLogger(PgReplicationSource.class);
    private static final long MAX_BUFFER = 96L << 20;

    /** Connection settings parsed from {@code postgresql://user:password@host:port/db?params}. */
    public record Target(String jdbcUrl, String user, String password, String display) {
        public static Target parse(String url) {
            URI u;
            try {
                u = URI.create(url.startsWith("jdbc:") ? url.substring(5) : url);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("malformed --pg-url " + url + ": " + e.getMessage(), e);
            }
            if (!"postgresql".equals(u.getScheme()) && !"postgres".equals(u.getScheme())) {
                throw new IllegalArgumentException("--pg-url must look like postgresql://user:password@host:port/db, got "
                        + url);
            }
            String user = null;
            String password = null;
            if (u.getRawUserInfo() != null) {
                String[] ui = u.getRawUserInfo().split(":", 2);
                user = URLDecoder.decode(ui[0], StandardCharsets.UTF_8);
                password = ui.length > 1 ? URLDecoder.decode(ui[1], StandardCharsets.UTF_8) : null;
            }
            String host = u.getHost() == null ? "127.0.0.1" : u.getHost();
            int port = u.getPort() < 0 ? 5432 : u.getPort();
            String db = u.getPath() == null || u.getPath().length() <= 1 ? "postgres" : u.getPath().substring(1);
            String query = u.getRawQuery() == null ? "" : "?" + u.getRawQuery();
            return new Target("jdbc:postgresql://" + host + ":" + port + "/" + db + query, user, password,
                    "postgresql://" + (user == null ? "" : user + "@") + host + ":" + port + "/" + db);
        }

        Properties properties(boolean replication) {
            Properties p = new Properties();
            if (user != null) {
                PGProperty.USER.set(p, user);
            }
            if (password != null) {
                PGProperty.PASSWORD.set(p, password);
            }
            PGProperty.APPLICATION_NAME.set(p, "se-ingest");
            if (replication) {
                PGProperty.REPLICATION.set(p, "database");
                PGProperty.ASSUME_MIN_SERVER_VERSION.set(p, "9.4");
                PGProperty.PREFER_QUERY_MODE.set(p, "simple");
            }
            return p;
        }
    }

    private final Target target;
    private final String slot;
    private final boolean createSlot;
    private final Duration statusInterval;

    public PgReplicationSource(Target target, String slot, boolean createSlot, Duration statusInterval) {
        this.target = target;
        this.slot = slot;
        this.createSlot = createSlot;
        this.statusInterval = statusInterval;
    }

    /**
     * Streams until {@code stop} returns true (checked every few milliseconds) or {@code end} is reached.
     *
     * @param durable the newest LSN durable in Kafka for this timeline (0 = none)
     * @param start   where to start when nothing is durable: a record start, or {@code null} for the
     *                server's current insert LSN
     */
    public PgWalResult run(WalPublisher publisher, long durable, Lsn start, Lsn end, BooleanSupplier stop) {
        return run(publisher, durable, start, end, stop, null);
    }

    /**
     * Same, and with {@code relations} (null: none) each record's relation size changes go to the
     * relations topic with its frames (the publisher must have {@code enableRelations()}); the
     * tracker restores the published state before the first record streamed (docs/relations.md).
     */
    public PgWalResult run(WalPublisher publisher, long durable, Lsn start, Lsn end, BooleanSupplier stop,
                           RelationTracking relations) {
        String name = "pg-url:" + target.display() + (slot == null ? "" : " slot " + slot);
        PgRecordFrames frames = new PgRecordFrames();
        PgWalIngest.RecordSink sink = new PgWalIngest.RecordSink(publisher);
        long next;
        int segSize;
        try (Connection c = DriverManager.getConnection(target.jdbcUrl(), target.properties(false))) {
            segSize = segmentSize(c);
            if (slot != null) {
                prepareSlot(c);
            }
            next = durable != 0 ? durable : start != null ? start.value() : insertLsn(c);
        } catch (SQLException e) {
            return new PgWalResult(name, frames.stats().snapshot(), null, 0, null,
                    "cannot connect to " + target.display() + ": " + e.getMessage(), publisher.watermarkLsn(), null);
        }
        LOG.info("{}: streaming from {} ({})", name, Lsn.format(next),
                durable != 0 ? "newest LSN durable in Kafka" : start != null ? "--start-lsn" : "server insert LSN");
        Lsn first = null;
        long last = 0;
        String endReason = null;
        String error = null;
        String publishError = null;
        long backoff = 200;
        outer:
        while (true) {
            long pageStart = next - Long.remainderUnsigned(next, 8192);
            try (Connection rc = DriverManager.getConnection(target.jdbcUrl(), target.properties(true))) {
                PGConnection pgc = rc.unwrap(PGConnection.class);
                var builder = pgc.getReplicationAPI().replicationStream().physical()
                        .withStartPosition(LogSequenceNumber.valueOf(pageStart))
                        .withStatusInterval((int) statusInterval.toMillis(), TimeUnit.MILLISECONDS);
                if (slot != null) {
                    builder = builder.withSlotName(slot);
                }
                PGReplicationStream stream = builder.start();
                StreamingWalSource src = new StreamingWalSource(pageStart, segSize, MAX_BUFFER);
                XLogReader reader = XLogReader.follow(src, Lsn.of(next));
                backoff = 200;
                long lastStatus = 0;
                long reported = -1;
                while (true) {
                    if (stop.getAsBoolean()) {
                        endReason = "stopped";
                        reportFlushed(stream, publisher);
                        break outer;
                    }
                    ByteBuffer buf = stream.readPending();
                    long now = System.nanoTime();
                    if (buf == null) {
                        long w = publisher.watermarkLsn();
                        if (w != reported || now - lastStatus > statusInterval.toNanos()) {
                            reportFlushed(stream, publisher);
                            reported = w;
                            lastStatus = now;
                        }
                        Thread.sleep(10);
                        continue;
                    }
                    long endRecv = stream.getLastReceiveLSN().asLong();
                    src.append(endRecv - buf.remaining(), buf);
                    DecodedRecord r;
                    while ((r = reader.next()) != null) {
                        if (end != null && r.endLsn().isAfter(end)) {
                            endReason = "end LSN " + end + " reached";
                            reportFlushed(stream, publisher);
                            break outer;
                        }
                        if (first == null) {
                            first = r.startLsn();
                        }
                        frames.emit(r, sink);
                        sink.complete(r.endLsn().value(), relations == null ? List.of() : relations.changes(r));
                        last = r.endLsn().value();
                        next = last;
                    }
                    src.release(next);
                    if (now - lastStatus > statusInterval.toNanos()) {
                        reportFlushed(stream, publisher);
                        lastStatus = now;
                    }
                }
            } catch (SQLException e) {
                if (stop.getAsBoolean()) {
                    endReason = "stopped";
                    break;
                }
                if (String.valueOf(e.getMessage()).contains("has already been removed")) {
                    // the server recycled WAL we still need (no slot, or a slot dropped): retrying cannot help
                    error = "the server no longer has the WAL at " + Lsn.format(next) + " (" + e.getMessage()
                            + "); use a replication slot (--slot NAME --create-slot) to keep it";
                    LOG.error("{}: {}", name, error);
                    break;
                }
                LOG.warn("{}: replication connection lost at {} ({}); reconnecting in {} ms", name, Lsn.format(next),
                        e.getMessage(), backoff);
                if (!sleep(backoff, stop)) {
                    endReason = "stopped";
                    break;
                }
                backoff = Math.min(10_000, backoff * 2);
            } catch (WalFormatException e) {
                error = e.getMessage();
                LOG.error("{}: {}; published up to {}", name, error, Lsn.format(last));
                break;
            } catch (PublishException e) {
                publishError = e.getMessage();
                break;
            } catch (java.io.IOException e) {
                error = "read failed: " + e;
                break;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                endReason = "cancelled";
                break;
            }
        }
        if (publishError == null) {
            try {
                publisher.endOfStream();
            } catch (PublishException e) {
                publishError = e.getMessage();
            }
        }
        return new PgWalResult(name, frames.stats().snapshot(), first, last, endReason, error, publisher.watermarkLsn(),
                publishError);
    }

    /** Reports the publisher's committed WATERMARK as written, flushed and applied: PostgreSQL may drop WAL up to it. */
    private static void reportFlushed(PGReplicationStream stream, WalPublisher publisher) throws SQLException {
        long w = publisher.watermarkLsn();
        if (w != 0) {
            stream.setFlushedLSN(LogSequenceNumber.valueOf(w));
            stream.setAppliedLSN(LogSequenceNumber.valueOf(w));
        }
        stream.forceUpdateStatus();
    }

    private static boolean sleep(long ms, BooleanSupplier stop) {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
        while (System.nanoTime() < until) {
            if (stop.getAsBoolean()) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    private void prepareSlot(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT slot_type FROM pg_replication_slots WHERE slot_name = ?")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    if (!"physical".equals(rs.getString(1))) {
                        throw new SQLException("replication slot " + slot + " is " + rs.getString(1) + ", not physical");
                    }
                    return;
                }
            }
        }
        if (!createSlot) {
            throw new SQLException("replication slot " + slot + " does not exist (add --create-slot to create it)");
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_create_physical_replication_slot(?, true)")) {
            ps.setString(1, slot);
            ps.execute();
        }
        LOG.info("created physical replication slot {}", slot);
    }

    private static int segmentSize(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT setting FROM pg_settings WHERE name = 'wal_segment_size'")) {
            rs.next();
            return Integer.parseInt(rs.getString(1));
        }
    }

    private static long insertLsn(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_current_wal_insert_lsn()")) {
            rs.next();
            return Lsn.parse(rs.getString(1)).value();
        }
    }
}
