package io.storageengine.ingest.relations;

import io.storageengine.ingest.publish.WalPublisher;
import io.storageengine.postgres.wal.DecodedRecord;
import io.storageengine.postgres.wal.rel.MalformedRelationRecordException;
import io.storageengine.postgres.wal.rel.RelationTracker;
import io.storageengine.schemas.relation.RelFork;
import io.storageengine.schemas.relation.RelationSize;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.Lsn;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relation metadata for one PostgreSQL WAL ingest run: a {@link RelationTracker} fed every record
 * in order, whose size changes go to the publisher with the record's frames, in one call, so
 * they are in the same transaction. On the first record the tracker is restored to the published state just before it
 * ({@link RelationStateLoader}, changes with an LSN ≤ the record's start), so a run that resumes
 * or continues a timeline goes on from where the topic stands. A record whose main data is
 * malformed is logged, counted ({@link #malformed()}) and contributes no change; its frames and
 * the records after it are published as usual.
 *
 * <p>Not thread-safe: the ingest thread calls {@link #record} once per record.
 */
public final class RelationTracking {
    private static final Logger LOG = LoggerFactory.getLogger(RelationTracking.class);

    private final RelationTracker tracker = new RelationTracker();
    private final Function<Lsn, Map<RelFork, Long>> stateBefore;
    private boolean started;
    private long malformed;

    public RelationTracking(Function<Lsn, Map<RelFork, Long>> stateBefore) {
        this.stateBefore = Objects.requireNonNull(stateBefore, "stateBefore");
    }

    /** Restores from the relations topic {@code topic} (read to its end when the first record comes). */
    public static RelationTracking fromTopic(String bootstrap, String topic, TimelineKey timeline) {
        return new RelationTracking(lsn -> {
            RelationStateLoader.Result r = RelationStateLoader.load(bootstrap, topic, timeline, lsn, Duration.ofMinutes(2));
            LOG.info("relation state of {} before {} restored from {}: {} forks ({} records read, {} invalid)",
                    timeline, lsn, topic, r.sizes().size(), r.records(), r.invalid());
            return r.sizes();
        });
    }

    /**
     * The record's size changes, to be published with its frames in one call
     * ({@link WalPublisher#acceptComplete(long, int, List, List)}).
     */
    public List<RelationSize> changes(DecodedRecord r) {
        if (!started) {
            tracker.restore(stateBefore.apply(r.startLsn()));
            started = true;
        }
        List<RelationSize> changes;
        try {
            changes = tracker.apply(r);
        } catch (MalformedRelationRecordException e) {
            malformed++;
            LOG.warn("relation metadata: skipped {} {} ({} so far): {}", r.rmgr(), r.recordName(), malformed,
                    e.getMessage());
            changes = List.of();
        }
        return changes;
    }

    /** Size changes published by this run. */
    public long changes() {
        return tracker.changes();
    }

    /** Records whose main data could not be parsed. */
    public long malformed() {
        return malformed;
    }

    /** Relation forks that exist now. */
    public int forks() {
        return tracker.forks();
    }
}
