package io.storageengine.segments.catalog;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.segments.internal.JobSql;
import io.storageengine.segments.internal.LeaseSql;
import io.storageengine.segments.internal.Migrations;
import io.storageengine.segments.internal.SegmentRows;
import io.storageengine.segments.internal.SqlRetry;
import io.storageengine.segments.internal.TimelineSql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;

/**
 * The cold tier's catalog in PostgreSQL (PgJDBC + HikariCP): the segment map, committed Kafka
 * offsets, partition leases, timelines and compaction history. compactor-worker writes it;
 * page-service reads it (polling {@link #segmentsVersion()} to notice changes cheaply).
 *
 * <p>{@link #open} applies the migrations in {@code db/migration} (see {@link Migrations}).
 * Every method is one transaction run with bounded retries on transient failures (a PostgreSQL
 * restart, a dropped connection); once the budget is spent it throws
 * {@link CatalogUnavailableException}. Because a failure may hide a commit that succeeded, every
 * write is idempotent: repeating a call that took effect recognizes it and does nothing more.
 *
 * <p>Fencing: a worker holds a {@link Lease} per partition; every segment and offset write takes
 * the lease row {@code FOR SHARE} and compares the epoch in the same transaction, so a worker
 * whose lease was taken over (epoch incremented under a row lock) can no longer write: its call
 * fails with {@link StaleLeaseException} and changes nothing. Owner ids must be unique per
 * process (e.g. host + random suffix).
 *
 * <p>Thread-safe; one instance per process, closed at shutdown.
 */
public final class Catalog implements AutoCloseable {
    private final HikariDataSource dataSource;
    private final SqlRetry retry;

    private Catalog(HikariDataSource dataSource, SqlRetry retry) {
        this.dataSource = dataSource;
        this.retry = retry;
    }

    /**
     * Connects and migrates the schema. Several processes may call this at once.
     *
     * @throws CatalogUnavailableException if the database cannot be reached within the retry budget
     */
    public static Catalog open(CatalogConfig config) {
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("se-catalog");
        hc.setJdbcUrl(config.jdbcUrl());
        hc.setUsername(config.user());
        hc.setPassword(config.password());
        hc.setMaximumPoolSize(config.maxPoolSize());
        hc.setMinimumIdle(Math.min(1, config.maxPoolSize()));
        hc.setConnectionTimeout(config.connectionTimeout().toMillis());
        hc.setValidationTimeout(Math.max(250, config.connectionTimeout().toMillis() / 2));
        hc.setInitializationFailTimeout(-1);
        hc.addDataSourceProperty("tcpKeepAlive", "true");
        hc.addDataSourceProperty("connectTimeout", Long.toString(Math.max(1, config.connectionTimeout().toSeconds())));
        hc.addDataSourceProperty("socketTimeout", "60");
        HikariDataSource ds = new HikariDataSource(hc);
        Catalog catalog = new Catalog(ds, new SqlRetry(ds, config.maxAttempts(), config.initialBackoff(), config.maxBackoff(),
                config.retryBudget()));
        try {
            List<Migrations.Migration> migrations = Migrations.load();
            catalog.retry.inTransaction("migrate", c -> Migrations.apply(c, migrations));
        } catch (RuntimeException e) {
            ds.close();
            throw e;
        }
        return catalog;
    }

    /**
     * Runs {@code work} as one catalog transaction with this catalog's retry policy. For other
     * catalog-backed components of this module (the catalog segment store); the work must be idempotent.
     */
    public <T> T transaction(String what, SqlRetry.Work<T> work) {
        return retry.inTransaction(what, work);
    }

    /** Attempts retried since open (for metrics and tests). */
    public long retries() {
        return retry.retries();
    }

    // ---------------------------------------------------------------- leases

    /**
     * Takes the partition's lease for {@code owner} if it is free, expired, or already held by
     * {@code owner} (then it is renewed, same epoch). A new holder gets epoch + 1.
     *
     * @return the lease, or empty if another owner holds an unexpired lease
     */
    public Optional<Lease> acquireLease(int partition, String owner, Duration ttl) {
        return retry.inTransaction("acquireLease", c -> LeaseSql.acquire(c, partition, owner, ttl));
    }

    /**
     * Extends a lease that is still current (same epoch), even if it expired meanwhile but nobody took it.
     *
     * @throws StaleLeaseException if another owner took the partition
     */
    public Lease renewLease(Lease lease, Duration ttl) {
        return retry.inTransaction("renewLease", c -> LeaseSql.renew(c, lease, ttl));
    }

    /** Gives a lease up (it expires now) so another worker can take the partition at once. Idempotent. */
    public boolean releaseLease(Lease lease) {
        return retry.inTransaction("releaseLease", c -> LeaseSql.release(c, lease));
    }

    /** The partition's lease row, expired or not. */
    public Optional<Lease> currentLease(int partition) {
        return retry.inTransaction("currentLease", c -> LeaseSql.current(c, partition));
    }

    private static void checkEpoch(Connection c, Lease lease) throws SQLException {
        LeaseSql.checkEpoch(c, lease);
    }

    // ---------------------------------------------------------------- segments and offsets

    /**
     * Registers an L0 segment built from Kafka offsets up to {@code nextOffset} (exclusive) and
     * commits {@code nextOffset} for {@code key}, in one transaction checked against the lease: a
     * segment is built and registered exactly once. If the segment has offsets, its range must
     * start at the committed offset (when there is one) and end at {@code nextOffset}.
     *
     * @return ALREADY_REGISTERED if this same registration already committed (a retried call)
     * @throws StaleLeaseException if the lease was taken over
     * @throws CatalogConflictException if the name is taken otherwise or the offsets do not follow on
     */
    public RegisterResult registerL0(Lease lease, SegmentMeta segment, OffsetKey key, long nextOffset) {
        return registerL0(lease, segment, key, nextOffset, Map.of());
    }

    /**
     * {@link #registerL0(Lease, SegmentMeta, OffsetKey, long)} that also raises, in the SAME
     * transaction, the newest LSN of every timeline the cut saw ({@code last_applied_lsn}, never
     * lowered; timelines created if new). So the catalog never holds a segment (or an offset past
     * its records) whose timelines are behind it: a crash commits all of it or none.
     *
     * @param newestLsns per timeline, the newest LSN of a record or watermark in the cut (values
     *        below 0 only record that the timeline was seen)
     */
    public RegisterResult registerL0(Lease lease, SegmentMeta segment, OffsetKey key, long nextOffset,
                                     Map<TimelineKey, Long> newestLsns) {
        if (segment.partition() != lease.partition() || key.partition() != lease.partition()) {
            throw new IllegalArgumentException("segment partition " + segment.partition() + " / offset partition "
                    + key.partition() + " differ from the lease's " + lease.partition());
        }
        if (segment.hasOffsets() && segment.offsetEnd() != nextOffset) {
            throw new IllegalArgumentException("segment covers offsets up to " + segment.offsetEnd() + " but next offset is " + nextOffset);
        }
        return retry.inTransaction("registerL0", c -> {
            checkEpoch(c, lease);
            OptionalLong committed = committedOffset(c, key, true);
            if (!SegmentRows.query(c, "WHERE name = ?", segment.name()).isEmpty()) {
                if (committed.isPresent() && committed.getAsLong() >= nextOffset) {
                    return RegisterResult.ALREADY_REGISTERED;
                }
                throw new CatalogConflictException("segment name " + segment.name() + " is already registered");
            }
            if (committed.isPresent()) {
                if (nextOffset <= committed.getAsLong()) {
                    throw new CatalogConflictException("next offset " + nextOffset + " is not beyond the committed " + committed.getAsLong()
                            + " for " + key);
                }
                if (segment.hasOffsets() && segment.offsetStart() != committed.getAsLong()) {
                    throw new CatalogConflictException("segment " + segment.name() + " starts at offset " + segment.offsetStart()
                            + " but the committed offset is " + committed.getAsLong());
                }
            }
            SegmentRows.insert(c, segment);
            upsertOffset(c, key, nextOffset);
            touchTimelines(c, newestLsns);
            bumpVersion(c);
            return RegisterResult.REGISTERED;
        });
    }

    /**
     * Moves the committed offset forward without a segment (e.g. a batch holding only
     * watermarks). Never moves it backwards. Lease-checked; idempotent.
     */
    public void commitOffset(Lease lease, OffsetKey key, long nextOffset) {
        commitOffset(lease, key, nextOffset, Map.of());
    }

    /**
     * {@link #commitOffset(Lease, OffsetKey, long)} that also raises the newest LSN of the
     * timelines seen in the committed records (watermarks), in the same transaction.
     */
    public void commitOffset(Lease lease, OffsetKey key, long nextOffset, Map<TimelineKey, Long> newestLsns) {
        if (key.partition() != lease.partition()) {
            throw new IllegalArgumentException("offset partition " + key.partition() + " differs from the lease's " + lease.partition());
        }
        retry.inTransaction("commitOffset", c -> {
            checkEpoch(c, lease);
            upsertOffset(c, key, nextOffset);
            touchTimelines(c, newestLsns);
            return null;
        });
    }

    /** The next offset to consume for {@code key}, if one was committed. */
    public OptionalLong committedOffset(OffsetKey key) {
        return retry.inTransaction("committedOffset", c -> committedOffset(c, key, false));
    }

    private static OptionalLong committedOffset(Connection c, OffsetKey key, boolean forUpdate) throws SQLException {
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

    private static void upsertOffset(Connection c, OffsetKey key, long nextOffset) throws SQLException {
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

    /**
     * Atomically retires {@code inputs} (which must be ACTIVE segments of the lease's partition)
     * and registers {@code outputs}: an L0 → L1 merge, a new image segment (no inputs), or a GC
     * retirement (no outputs). Readers see either the old set or the new one, never a mix.
     *
     * @return false if exactly this replacement was already applied (a retried call)
     * @throws StaleLeaseException if the lease was taken over
     * @throws CatalogConflictException if an input is unknown, not active or of another partition,
     *         or an output name is taken
     */
    public boolean replaceSegments(Lease lease, List<String> inputs, List<SegmentMeta> outputs) {
        Set<String> in = new LinkedHashSet<>(inputs);
        if (in.isEmpty() && outputs.isEmpty()) {
            throw new IllegalArgumentException("nothing to replace");
        }
        for (SegmentMeta m : outputs) {
            if (m.partition() != lease.partition()) {
                throw new IllegalArgumentException("output " + m.name() + " is of partition " + m.partition() + ", lease is for " + lease.partition());
            }
        }
        String[] outNames = outputs.stream().map(SegmentMeta::name).toArray(String[]::new);
        return retry.inTransaction("replaceSegments", c -> {
            checkEpoch(c, lease);
            Map<String, CatalogSegment> found = new HashMap<>();
            for (CatalogSegment s : SegmentRows.query(c, "WHERE name = ANY(?) FOR UPDATE", c.createArrayOf("text", in.toArray()))) {
                found.put(s.name(), s);
            }
            int existingOutputs = SegmentRows.query(c, "WHERE name = ANY(?)", c.createArrayOf("text", outNames)).size();
            boolean inputsGone = found.size() == in.size() && found.values().stream().allMatch(s -> s.state() != SegmentState.ACTIVE);
            if (inputsGone && existingOutputs == outNames.length) {
                return false;
            }
            for (String name : in) {
                CatalogSegment s = found.get(name);
                if (s == null) {
                    throw new CatalogConflictException("input segment " + name + " is not registered");
                }
                if (s.state() != SegmentState.ACTIVE) {
                    throw new CatalogConflictException("input segment " + name + " is " + s.state());
                }
                if (s.meta().partition() != lease.partition()) {
                    throw new CatalogConflictException("input segment " + name + " belongs to partition " + s.meta().partition());
                }
            }
            if (existingOutputs > 0) {
                throw new CatalogConflictException("an output name of " + Arrays.toString(outNames) + " is already registered");
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE segments SET state = 'RETIRED', retired_at = now() WHERE name = ANY(?) AND state = 'ACTIVE'")) {
                ps.setArray(1, c.createArrayOf("text", in.toArray()));
                ps.executeUpdate();
            }
            for (SegmentMeta m : outputs) {
                SegmentRows.insert(c, m);
            }
            bumpVersion(c);
            return true;
        });
    }

    /** The ACTIVE segments of one partition, by level, then key range. */
    public List<CatalogSegment> activeSegments(int partition) {
        return retry.inTransaction("activeSegments", c ->
                SegmentRows.query(c, "WHERE state = 'ACTIVE' AND partition = ? ORDER BY level, min_key, id", partition));
    }

    /** Every ACTIVE segment, by partition, level, then key range. */
    public List<CatalogSegment> activeSegments() {
        return retry.inTransaction("activeSegments", c ->
                SegmentRows.query(c, "WHERE state = 'ACTIVE' ORDER BY partition, level, min_key, id"));
    }

    public Optional<CatalogSegment> segment(String name) {
        return retry.inTransaction("segment", c -> SegmentRows.query(c, "WHERE name = ?", name).stream().findFirst());
    }

    /** A counter bumped by every change of the segment map: poll it, reload {@link #activeSegments} when it moves. */
    public long segmentsVersion() {
        return retry.inTransaction("segmentsVersion", c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT segments_version FROM catalog_state WHERE id = 1")) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    /** RETIRED segments retired before {@code instant}: files that no reader can still hold after the grace period. */
    public List<CatalogSegment> retiredBefore(Instant instant) {
        return retry.inTransaction("retiredBefore", c ->
                SegmentRows.query(c, "WHERE state = 'RETIRED' AND retired_at < ? ORDER BY retired_at",
                        OffsetDateTime.ofInstant(instant, ZoneOffset.UTC)));
    }

    /**
     * Records that a RETIRED segment's file was deleted (delete the file first, then call this).
     * Lease-checked against the segment's partition.
     *
     * @return false if it was already marked (idempotent) or is not retired
     */
    public boolean markDeleted(Lease lease, String name) {
        return retry.inTransaction("markDeleted", c -> {
            checkEpoch(c, lease);
            try (PreparedStatement ps = c.prepareStatement("UPDATE segments SET state = 'DELETED', deleted_at = now() "
                    + "WHERE name = ? AND state = 'RETIRED' AND partition = ?")) {
                ps.setString(1, name);
                ps.setInt(2, lease.partition());
                boolean changed = ps.executeUpdate() == 1;
                if (changed) {
                    bumpVersion(c);
                }
                return changed;
            }
        });
    }

    private static void bumpVersion(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE catalog_state SET segments_version = segments_version + 1 WHERE id = 1");
        }
    }

    // ---------------------------------------------------------------- timelines

    /** Raises the timelines' newest LSNs in the caller's transaction, in key order (no lock-order deadlock between workers). */
    private static void touchTimelines(Connection c, Map<TimelineKey, Long> newestLsns) throws SQLException {
        if (newestLsns.isEmpty()) {
            return;
        }
        List<Map.Entry<TimelineKey, Long>> sorted = new ArrayList<>(newestLsns.entrySet());
        sorted.sort(Comparator.comparing(e -> e.getKey().toString()));
        for (Map.Entry<TimelineKey, Long> e : sorted) {
            TimelineSql.touch(c, e.getKey(), e.getValue());
        }
    }

    /**
     * Records that a timeline was seen (creating it), raising its last applied LSN if given (≥ 0).
     * Compactors pass the LSNs to {@link #registerL0(Lease, SegmentMeta, OffsetKey, long, Map)}
     * instead, so they commit with the segment.
     */
    public void touchTimeline(TimelineKey timeline, long lastAppliedLsn) {
        retry.inTransaction("touchTimeline", c -> {
            TimelineSql.touch(c, timeline, lastAppliedLsn);
            return null;
        });
    }

    /** Raises the timeline's GC horizon (never lowers it), creating the timeline if needed; returns the horizon now in force. */
    public long setGcHorizon(TimelineKey timeline, long horizonLsn) {
        return retry.inTransaction("setGcHorizon", c -> TimelineSql.raiseGcHorizon(c, timeline, horizonLsn));
    }

    /** The timeline's GC horizon, or empty if the timeline is unknown. */
    public OptionalLong gcHorizon(TimelineKey timeline) {
        Optional<TimelineInfo> t = timeline(timeline);
        return t.isPresent() ? OptionalLong.of(t.get().gcHorizonLsn()) : OptionalLong.empty();
    }

    public Optional<TimelineInfo> timeline(TimelineKey timeline) {
        return retry.inTransaction("timeline", c -> TimelineSql.find(c, timeline));
    }

    /** Every known timeline (for caches of GC horizons that readers consult from memory). */
    public List<TimelineInfo> timelines() {
        return retry.inTransaction("timelines", TimelineSql::all);
    }

    // ---------------------------------------------------------------- compaction history

    /** Records the start of a job (idempotent on {@code id}). */
    public void startJob(UUID id, String kind, Lease lease, List<String> inputs) {
        retry.inTransaction("startJob", c -> {
            JobSql.start(c, id, kind, lease, inputs);
            return null;
        });
    }

    /** Records the end of a running job (idempotent: a finished job is left as it is). */
    public void finishJob(UUID id, CompactionJob.Status status, List<String> outputs, long bytesIn, long bytesOut, String error) {
        if (status == CompactionJob.Status.RUNNING) {
            throw new IllegalArgumentException("a finished job cannot be RUNNING");
        }
        retry.inTransaction("finishJob", c -> {
            JobSql.finish(c, id, status, outputs, bytesIn, bytesOut, error);
            return null;
        });
    }

    /** The newest {@code limit} jobs of a partition, newest first. */
    public List<CompactionJob> jobs(int partition, int limit) {
        return retry.inTransaction("jobs", c -> JobSql.recent(c, partition, limit));
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
