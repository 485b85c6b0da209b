package io.storageengine.catalog.segmentmap;

import static io.storageengine.catalog.Fixtures.TTL;
import static io.storageengine.catalog.Fixtures.l0;
import static io.storageengine.catalog.Fixtures.l1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storageengine.catalog.Catalog;
import io.storageengine.catalog.CatalogConflictException;
import io.storageengine.catalog.Fixtures;
import io.storageengine.catalog.lease.Lease;
import io.storageengine.catalog.lease.StaleLeaseException;
import io.storageengine.catalog.offset.OffsetKey;
import io.storageengine.schemas.timeline.TimelineKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link SegmentMap}: exactly-once L0 registration with its offset and timelines, fencing of stale
 * leases, atomic swaps, retirement and deletion, the change counter.
 */
class SegmentMapIT {
    static Catalog catalog;

    @BeforeAll
    static void open() {
        catalog = Catalog.open(Fixtures.freshDatabase("segments"));
    }

    @AfterAll
    static void close() {
        catalog.close();
    }

    private static OffsetKey offsets(int partition) {
        return new OffsetKey("compactor", "wal", partition);
    }

    @Test
    void registerL0IsExactlyOnceAndCommitsTheOffsetWithTheSegment() {
        Lease lease = catalog.leases().acquire(10, "w1", TTL).orElseThrow();
        long v0 = catalog.segments().version();
        assertThat(catalog.segments().registerL0(lease, l0("p10-a", 10, 0, 100), offsets(10), 100)).isEqualTo(RegisterResult.REGISTERED);
        assertThat(catalog.offsets().committed(offsets(10))).hasValue(100);
        assertThat(catalog.segments().version()).isGreaterThan(v0);
        // the same registration again (a retry after a lost acknowledgement) changes nothing
        assertThat(catalog.segments().registerL0(lease, l0("p10-a", 10, 0, 100), offsets(10), 100))
                .isEqualTo(RegisterResult.ALREADY_REGISTERED);
        assertThat(catalog.segments().active(10)).extracting(CatalogSegment::name).containsExactly("p10-a");
        // a segment that does not start at the committed offset is refused
        assertThatThrownBy(() -> catalog.segments().registerL0(lease, l0("p10-b", 10, 50, 150), offsets(10), 150))
                .isInstanceOf(CatalogConflictException.class).hasMessageContaining("committed offset is 100");
        assertThat(catalog.segments().registerL0(lease, l0("p10-b", 10, 100, 150), offsets(10), 150)).isEqualTo(RegisterResult.REGISTERED);
        assertThat(catalog.offsets().committed(offsets(10))).hasValue(150);
        CatalogSegment b = catalog.segments().segment("p10-b").orElseThrow();
        assertThat(b.meta()).isEqualTo(l0("p10-b", 10, 100, 150));
        assertThat(b.state()).isEqualTo(SegmentState.ACTIVE);
    }

    @Test
    void aStaleEpochIsRefusedAndChangesNothing() throws InterruptedException {
        Lease old = catalog.leases().acquire(11, "w1", Duration.ofMillis(50)).orElseThrow();
        catalog.segments().registerL0(old, l0("p11-a", 11, 0, 10), offsets(11), 10);
        Thread.sleep(100);
        Lease current = catalog.leases().acquire(11, "w2", TTL).orElseThrow();
        long version = catalog.segments().version();
        assertThatThrownBy(() -> catalog.segments().registerL0(old, l0("p11-b", 11, 10, 20), offsets(11), 20))
                .isInstanceOf(StaleLeaseException.class);
        assertThatThrownBy(() -> catalog.segments().replace(old, List.of("p11-a"), List.of(l1("p11-l1", 11))))
                .isInstanceOf(StaleLeaseException.class);
        assertThatThrownBy(() -> catalog.offsets().commit(old, offsets(11), 99)).isInstanceOf(StaleLeaseException.class);
        assertThat(catalog.segments().segment("p11-b")).isEmpty();
        assertThat(catalog.offsets().committed(offsets(11))).hasValue(10);
        assertThat(catalog.segments().active(11)).extracting(CatalogSegment::name).containsExactly("p11-a");
        assertThat(catalog.segments().version()).isEqualTo(version);
        assertThat(catalog.segments().registerL0(current, l0("p11-b", 11, 10, 20), offsets(11), 20)).isEqualTo(RegisterResult.REGISTERED);
    }

    @Test
    void replaceSegmentsSwapsInputsForOutputsAtomically() {
        Lease lease = catalog.leases().acquire(12, "w1", TTL).orElseThrow();
        catalog.segments().registerL0(lease, l0("p12-a", 12, 0, 10), offsets(12), 10);
        catalog.segments().registerL0(lease, l0("p12-b", 12, 10, 20), offsets(12), 20);
        long version = catalog.segments().version();
        assertThat(catalog.segments().replace(lease, List.of("p12-a", "p12-b"), List.of(l1("p12-l1", 12)))).isTrue();
        assertThat(catalog.segments().active(12)).extracting(CatalogSegment::name).containsExactly("p12-l1");
        assertThat(catalog.segments().segment("p12-a").orElseThrow().state()).isEqualTo(SegmentState.RETIRED);
        assertThat(catalog.segments().segment("p12-a").orElseThrow().retiredAt()).isNotNull();
        assertThat(catalog.segments().version()).isEqualTo(version + 1);
        // retried: recognized, nothing changes
        assertThat(catalog.segments().replace(lease, List.of("p12-a", "p12-b"), List.of(l1("p12-l1", 12)))).isFalse();
        assertThat(catalog.segments().version()).isEqualTo(version + 1);
        // one bad input: the whole replacement is refused, outputs are not registered, the good input stays active
        catalog.segments().registerL0(lease, l0("p12-c", 12, 20, 30), offsets(12), 30);
        assertThatThrownBy(() -> catalog.segments().replace(lease, List.of("p12-c", "p12-a"), List.of(l1("p12-l1b", 12))))
                .isInstanceOf(CatalogConflictException.class).hasMessageContaining("p12-a is RETIRED");
        assertThatThrownBy(() -> catalog.segments().replace(lease, List.of("p12-c", "nope"), List.of(l1("p12-l1b", 12))))
                .isInstanceOf(CatalogConflictException.class).hasMessageContaining("nope is not registered");
        assertThat(catalog.segments().segment("p12-l1b")).isEmpty();
        assertThat(catalog.segments().active(12)).extracting(CatalogSegment::name).containsExactlyInAnyOrder("p12-l1", "p12-c");
        // GC retirement: inputs only
        assertThat(catalog.segments().replace(lease, List.of("p12-c"), List.of())).isTrue();
        assertThat(catalog.segments().active(12)).extracting(CatalogSegment::name).containsExactly("p12-l1");
    }

    @Test
    void retiredSegmentsAreListedForDeletionAndMarkedDeletedOnce() throws InterruptedException {
        Lease lease = catalog.leases().acquire(13, "w1", TTL).orElseThrow();
        catalog.segments().registerL0(lease, l0("p13-a", 13, 0, 10), offsets(13), 10);
        catalog.segments().replace(lease, List.of("p13-a"), List.of(l1("p13-l1", 13)));
        Thread.sleep(20);
        assertThat(catalog.segments().retiredBefore(Instant.now().plusSeconds(1))).extracting(CatalogSegment::name).contains("p13-a");
        assertThat(catalog.segments().retiredBefore(Instant.now().minusSeconds(3600))).extracting(CatalogSegment::name).doesNotContain("p13-a");
        assertThat(catalog.segments().markDeleted(lease, "p13-a")).isTrue();
        assertThat(catalog.segments().markDeleted(lease, "p13-a")).isFalse();
        assertThat(catalog.segments().markDeleted(lease, "p13-l1")).isFalse(); // active segments are never marked deleted
        assertThat(catalog.segments().segment("p13-a").orElseThrow().state()).isEqualTo(SegmentState.DELETED);
        assertThat(catalog.segments().retiredBefore(Instant.now().plusSeconds(1))).extracting(CatalogSegment::name).doesNotContain("p13-a");
    }

    @Test
    void registerL0AndCommitOffsetRaiseTheTimelinesInTheSameTransaction() {
        TimelineKey a = TimelineKey.of("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "00000000000000000000000000000001");
        TimelineKey b = TimelineKey.of("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "00000000000000000000000000000002");
        Lease lease = catalog.leases().acquire(15, "w1", TTL).orElseThrow();
        assertThat(catalog.segments().registerL0(lease, l0("p15-a", 15, 0, 10), offsets(15), 10, java.util.Map.of(a, 900L, b, 50L)))
                .isEqualTo(RegisterResult.REGISTERED);
        assertThat(catalog.timelines().find(a).orElseThrow().lastAppliedLsn()).isEqualTo(900);
        assertThat(catalog.timelines().find(b).orElseThrow().lastAppliedLsn()).isEqualTo(50);
        catalog.offsets().commit(lease, offsets(15), 12, java.util.Map.of(b, 70L, a, 800L));
        assertThat(catalog.timelines().find(a).orElseThrow().lastAppliedLsn()).as("never lowered").isEqualTo(900);
        assertThat(catalog.timelines().find(b).orElseThrow().lastAppliedLsn()).isEqualTo(70);

        // A refused registration (stale epoch) changes no timeline either.
        catalog.leases().release(lease);
        Lease taken = catalog.leases().acquire(15, "w2", TTL).orElseThrow();
        assertThatThrownBy(() -> catalog.segments().registerL0(lease, l0("p15-b", 15, 12, 20), offsets(15), 20,
                java.util.Map.of(a, 5_000L))).isInstanceOf(StaleLeaseException.class);
        assertThat(catalog.timelines().find(a).orElseThrow().lastAppliedLsn()).isEqualTo(900);
        assertThat(taken.epoch()).isGreaterThan(lease.epoch());
    }
}
