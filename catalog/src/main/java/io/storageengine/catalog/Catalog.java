package io.storageengine.catalog;

import io.storageengine.catalog.job.Jobs;
import io.storageengine.catalog.lease.Leases;
import io.storageengine.catalog.migration.Migrations;
import io.storageengine.catalog.offset.Offsets;
import io.storageengine.catalog.segmentfile.SegmentFiles;
import io.storageengine.catalog.segmentmap.SegmentMap;
import io.storageengine.catalog.timeline.Timelines;

/**
 * The cold tier's catalog in PostgreSQL, opened once per process: it migrates the schema, owns
 * the connections ({@link CatalogConnections}) and hands out one repository per concern. It holds
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
 * <p>Every repository call is one transaction run with bounded retries on transient failures (a
 * PostgreSQL restart, a dropped connection); once the budget is spent it throws
 * {@link CatalogUnavailableException}. Because a failure may hide a commit that succeeded, every
 * write is idempotent. Thread-safe; closed at shutdown (closes the pool).
 */
public final class Catalog implements AutoCloseable {
    private final CatalogConnections connections;
    private final SegmentMap segments;
    private final Leases leases;
    private final Offsets offsets;
    private final Timelines timelines;
    private final Jobs jobs;
    private final SegmentFiles segmentFiles;

    private Catalog(CatalogConnections connections) {
        this.connections = connections;
        this.segments = new SegmentMap(connections);
        this.leases = new Leases(connections);
        this.offsets = new Offsets(connections);
        this.timelines = new Timelines(connections);
        this.jobs = new Jobs(connections);
        this.segmentFiles = new SegmentFiles(connections);
    }

    /**
     * Connects and migrates the schema ({@link Migrations}). Several processes may call this at once.
     *
     * @throws CatalogUnavailableException if the database cannot be reached within the retry budget
     */
    public static Catalog open(CatalogConfig config) {
        CatalogConnections connections = CatalogConnections.open(config);
        try {
            Migrations.migrate(connections);
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

    /** Attempts retried since open, over every repository (for metrics and tests). */
    public long retries() {
        return connections.retries();
    }

    @Override
    public void close() {
        connections.close();
    }
}
