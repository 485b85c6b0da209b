package io.storageengine.catalog.segmentmap;

import io.storageengine.catalog.CatalogConflictException;
import io.storageengine.catalog.connection.ConnectionSource;
import io.storageengine.catalog.connection.QueryKey;
import io.storageengine.catalog.internal.LeaseSql;
import io.storageengine.catalog.internal.OffsetSql;
import io.storageengine.catalog.internal.SegmentRows;
import io.storageengine.catalog.internal.TimelineSql;
import io.storageengine.catalog.lease.Lease;
import io.storageengine.catalog.offset.OffsetKey;
import io.storageengine.schemas.timeline.TimelineKey;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The segment map ({@code segments} + the change counter {@code catalog_state.segments_version}):
 * which segments exist, which are ACTIVE for readers, and their life to RETIRED and DELETED.
 * compactor-worker writes it (L0 registration with its offsets, atomic swaps, GC); page-service
 * polls {@link #version()} and reloads {@link #active()} when it moved.
 *
 * <p>Writes and the compactor's reads ({@link #active(int)}, {@link #segment}, {@link #retiredBefore})
 * run on the primary; {@link #version()} and {@link #active()} are lag-tolerant and consolidated
 * (identical calls waiting for a connection at once share one query; {@link #active()} returns an
 * unmodifiable list).
 *
 * <p>Every write is one transaction that takes the writer's lease row {@code FOR SHARE} and
 * checks its epoch first (a stale writer gets {@code StaleLeaseException} and changes nothing),
 * and is idempotent: a retried call that already took effect is recognized. Thread-safe.
 */
public final class SegmentMap {
    private static final String ACTIVE_WHERE = "WHERE state = 'ACTIVE' ORDER BY partition, level, min_key, id";
    private static final QueryKey ACTIVE_KEY = QueryKey.of("SELECT " + SegmentRows.COLUMNS + " FROM segments " + ACTIVE_WHERE);
    private static final QueryKey VERSION_KEY = QueryKey.of(SegmentRows.VERSION_SQL);
    private final ConnectionSource connections;
    private final ConnectionSource reads;

    /**
     * @param primary writes and reads that must see them
     * @param reads   lag-tolerant reads (a replica within the lag bound, or the primary)
     */
    public SegmentMap(ConnectionSource primary, ConnectionSource reads) {
        this.connections = primary;
        this.reads = reads;
    }

    /** Everything on one source (tests, or a catalog with no replica). */
    public SegmentMap(ConnectionSource primary) {
        this(primary, primary);
    }

    /**
     * Registers an L0 segment and advances the committed offset in the same transaction, so a
     * segment is never registered twice and never lost: the segment must start at the committed
     * offset (when it carries offsets), and {@code nextOffset} must be beyond it.
     *
     * @return {@link RegisterResult#ALREADY_REGISTERED} when this exact registration already
     *         committed (a retry after a lost acknowledgement)
     * @throws io.storageengine.catalog.lease.StaleLeaseException if the lease was taken over
     * @throws CatalogConflictException if the name is taken by another registration or the offsets do not follow on
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
        return connections.transaction("registerL0", c -> {
            LeaseSql.checkEpoch(c, lease);
            OptionalLong committed = OffsetSql.committed(c, key, true);
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
            OffsetSql.raise(c, key, nextOffset);
            TimelineSql.touchAll(c, newestLsns);
            SegmentRows.bumpVersion(c);
            return RegisterResult.REGISTERED;
        });
    }

    /**
     * Atomically retires {@code inputs} (which must be ACTIVE segments of the lease's partition)
     * and registers {@code outputs}: an L0 → L1 merge, a new image segment (no inputs), or a GC
     * retirement (no outputs). Readers see either the old set or the new one, never a mix.
     *
     * @return false if exactly this replacement was already applied (a retried call)
     * @throws io.storageengine.catalog.lease.StaleLeaseException if the lease was taken over
     * @throws CatalogConflictException if an input is unknown, not active or of another partition,
     *         or an output name is taken
     */
    public boolean replace(Lease lease, List<String> inputs, List<SegmentMeta> outputs) {
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
        return connections.transaction("replaceSegments", c -> {
            LeaseSql.checkEpoch(c, lease);
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
            SegmentRows.retire(c, in.toArray(String[]::new));
            for (SegmentMeta m : outputs) {
                SegmentRows.insert(c, m);
            }
            SegmentRows.bumpVersion(c);
            return true;
        });
    }

    /** The ACTIVE segments of one partition, by level, then key range. */
    public List<CatalogSegment> active(int partition) {
        return connections.transaction("activeSegments", c ->
                SegmentRows.query(c, "WHERE state = 'ACTIVE' AND partition = ? ORDER BY level, min_key, id", partition));
    }

    /**
     * Every ACTIVE segment, by partition, level, then key range. Lag-tolerant (a replica within the
     * lag bound may answer): for readers that poll (page service, status); a compactor uses
     * {@link #active(int)}, which reads the primary.
     */
    public List<CatalogSegment> active() {
        return reads.readConsolidated("activeSegments", ACTIVE_KEY, c -> List.copyOf(SegmentRows.query(c, ACTIVE_WHERE)));
    }

    /** The segment of that name in any state. */
    public Optional<CatalogSegment> segment(String name) {
        return connections.transaction("segment", c -> SegmentRows.query(c, "WHERE name = ?", name).stream().findFirst());
    }

    /**
     * A counter bumped by every change of the segment map: poll it, reload {@link #active()} when it
     * moves. Lag-tolerant like {@link #active()} (the same thread's next reads go to the same replica).
     */
    public long version() {
        return reads.readConsolidated("segmentsVersion", VERSION_KEY, SegmentRows::version);
    }

    /** RETIRED segments retired before {@code instant}: files that no reader can still hold after the grace period. */
    public List<CatalogSegment> retiredBefore(Instant instant) {
        return connections.transaction("retiredBefore", c ->
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
        return connections.transaction("markDeleted", c -> {
            LeaseSql.checkEpoch(c, lease);
            boolean changed = SegmentRows.markDeleted(c, name, lease.partition());
            if (changed) {
                SegmentRows.bumpVersion(c);
            }
            return changed;
        });
    }
}
