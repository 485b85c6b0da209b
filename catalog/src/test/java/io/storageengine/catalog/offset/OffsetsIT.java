package io.storageengine.catalog.offset;

import static io.storageengine.catalog.Fixtures.TTL;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storageengine.catalog.Catalog;
import io.storageengine.catalog.Fixtures;
import io.storageengine.catalog.lease.Lease;
import io.storageengine.catalog.lease.StaleLeaseException;
import io.storageengine.schemas.timeline.TimelineKey;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link Offsets}: committed offsets only move forward, per consumer group and topic, under the writer's lease. */
class OffsetsIT {
    static Catalog catalog;

    @BeforeAll
    static void open() {
        catalog = Catalog.open(Fixtures.freshDatabase("offsets"));
    }

    @AfterAll
    static void close() {
        catalog.close();
    }

    @Test
    void aCommittedOffsetNeverMovesBackwardsAndIsKeptPerGroupAndTopic() {
        Lease lease = catalog.leases().acquire(1, "w1", TTL).orElseThrow();
        OffsetKey key = new OffsetKey("compactor", "wal", 1);
        assertThat(catalog.offsets().committed(key)).isEmpty();
        catalog.offsets().commit(lease, key, 10);
        catalog.offsets().commit(lease, key, 10); // retried
        catalog.offsets().commit(lease, key, 4);  // late and lower: ignored
        assertThat(catalog.offsets().committed(key)).hasValue(10);
        catalog.offsets().commit(lease, new OffsetKey("other", "wal", 1), 3);
        assertThat(catalog.offsets().committed(key)).hasValue(10);
        assertThat(catalog.offsets().committed(new OffsetKey("other", "wal", 1))).hasValue(3);
        assertThat(catalog.offsets().committed(new OffsetKey("compactor", "other-topic", 1))).isEmpty();
    }

    @Test
    void aCommitRaisesTheTimelinesSeenAndAStaleOrForeignLeaseChangesNothing() {
        TimelineKey t = TimelineKey.of("cccccccccccccccccccccccccccccccc", "00000000000000000000000000000003");
        Lease old = catalog.leases().acquire(2, "w1", TTL).orElseThrow();
        OffsetKey key = new OffsetKey("compactor", "wal", 2);
        catalog.offsets().commit(old, key, 5, Map.of(t, 700L));
        assertThat(catalog.timelines().find(t).orElseThrow().lastAppliedLsn()).isEqualTo(700);
        catalog.leases().release(old);
        Lease current = catalog.leases().acquire(2, "w2", TTL).orElseThrow();
        assertThatThrownBy(() -> catalog.offsets().commit(old, key, 9, Map.of(t, 900L))).isInstanceOf(StaleLeaseException.class);
        assertThat(catalog.offsets().committed(key)).hasValue(5);
        assertThat(catalog.timelines().find(t).orElseThrow().lastAppliedLsn()).isEqualTo(700);
        assertThatThrownBy(() -> catalog.offsets().commit(current, new OffsetKey("compactor", "wal", 3), 9))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("differs from the lease's 2");
    }
}
