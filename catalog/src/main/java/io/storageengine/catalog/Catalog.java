package io.storageengine.catalog;

import io.micrometer.core.instrument.MeterRegistry;
import io.storageengine.catalog.connection.ConnectionManager;
import io.storageengine.catalog.connection.PoolStatus;
import io.storageengine.catalog.job.Jobs;
import io.storageengine.catalog.lease.Leases;
import io.storageengine.catalog.migration.Migrations;
import io.storageengine.catalog.offset.Offsets;
import io.storageengine.catalog.segmentfile.SegmentFiles;
import io.storageengine.catalog.segmentmap.SegmentMap;
import io.storageengine.catalog.timeline.Timelines;
import java.util.List;
import java.util.Map;

/**
 * The cold tier's catalog in PostgreSQL, opened once per process: it migrates the schema, owns
 * the connections ({@link ConnectionManager}: a primary pool and replica pools) and hands out one repository per concern. It holds
 * no SQL and no state of its own.
 *
 * <ul>
 *   <li>{@link #segments()}: the segment map (L0 registration with its offsets, atomic swaps, GC, the change counter);</li>
 *   <li>{@link #leases()}: partition leases with epochs (fencing);</li>
 *   <li>{@link #offsets()}: committed Kafka offsets;</li>
 *   <li>{@link #timelines()}: GC horizons and last applied LSNs;</li>
 *   <li>{@link #jobs()}: compaction history;</li>
 *   <li>{@link #segmentFiles()}: segment bytes for the catalog segment store.</li>
 * </ul>
 *
 * <p>Writes, and reads that must see them, go to the primary; the polling reads of the segment map
 * and timelines ({@code segments().version()}, {@code segments().active()}, {@code timelines().all()})
 * and job history may be answered by a replica within the lag bound, and identical such reads that
 * wait for a connection at the same time share one query (query consolidation).
 *
 * <p>Every repository call is one transaction run with bounded retries on transient failures (a
 * PostgreSQL restart, a dropped connection); once the budget is spent it throws
 * {@link CatalogUnavailableException}. Because a failure may hide a commit that succeeded, every
 * write is idempotent. Thread-safe; closed at shutdown (closes the pool).
 */
public final class Catalog implements AutoCloseable {
    private final ConnectionManager connections;
    private final SegmentMap segments;
    private final Leases leases;
    private final Offsets offsets;
    private final Timelines timelines;
    private final Jobs jobs;
    private final SegmentFiles segmentFiles;

    private Catalog(ConnectionManager connections) {
        this.connections = connections;
        this.segments = new SegmentMap(connections.primary(), connections.lagTolerant());
        this.leases = new Leases(connections.primary());
        this.offsets = new Offsets(connections.primary());
        this.timelines = new Timelines(connections.primary(), connections.lagTolerant());
        this.jobs = new Jobs(connections.primary(), connections.lagTolerant());
        this.segmentFiles = new SegmentFiles(connections.primary());
    }

    /**
     * Connects and migrates the schema ({@link Migrations}). Several processes may call this at once.
     *
     * @throws CatalogUnavailableException if the database cannot be reached within the retry budget
     */
    public static Catalog open(CatalogConfig config) {
        ConnectionManager connections = ConnectionManager.open(config);
        try {
            Migrations.migrate(connections.primary());
        } catch (RuntimeException e) {
            connections.close();
            throw e;
        }
        return new Catalog(connections);
    }

    public SegmentMap segments() {
        return segments;
    }

    public Leases leases() {
        return leases;
    }

    public Offsets offsets() {
        return offsets;
    }

    public Timelines timelines() {
        return timelines;
    }

    public Jobs jobs() {
        return jobs;
    }

    public SegmentFiles segmentFiles() {
        return segmentFiles;
    }

    /** The connections (pools, health), e.g. for {@code /health}. */
    public ConnectionManager connections() {
        return connections;
    }

    /** Each pool's health, primary first. */
    public List<PoolStatus> poolStatus() {
        return connections.status();
    }

    /** The {@code catalog} entry of a service's {@code /health} (see {@link ConnectionManager#healthDetails()}). */
    public Map<String, Object> healthDetails() {
        return connections.healthDetails();
    }

    /** Publishes the pools' gauges ({@link ConnectionManager#bindTo}); removed when the catalog closes. */
    public Catalog bindTo(MeterRegistry registry) {
        connections.bindTo(registry);
        return this;
    }

    /** Attempts retried since open, over every repository (for metrics and tests). */
    public long retries() {
        return connections.retries();
    }

    @Override
    public void close() {
        connections.close();
    }
}
