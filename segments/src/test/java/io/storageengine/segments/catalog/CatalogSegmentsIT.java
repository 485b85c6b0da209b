package io.storageengine.segments.catalog;

import static io.storageengine.segments.catalog.Fixtures.TTL;
import static io.storageengine.segments.catalog.Fixtures.l0;
import static io.storageengine.segments.catalog.Fixtures.l1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storageengine.schemas.timeline.TimelineKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CatalogSegmentsIT {
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
        Lease lease = catalog.acquireLease(10, "w1", TTL).orElseThrow();
        long v0 = catalog.segmentsVersion();
        assertThat(catalog.registerL0(lease, l0("p10-a", 10, 0, 100), offsets(10), 100)).isEqualTo(RegisterResult.REGISTERED);
        assertThat(catalog.committedOffset(offsets(10))).hasValue(100);
        assertThat(catalog.segmentsVersion()).isGreaterThan(v0);
        // the same registration again (a retry after a lost acknowledgement) changes nothing
        assertThat(catalog.registerL0(lease, l0("p10-a", 10, 0, 100), offsets(10), 100))
                .isEqualTo(RegisterResult.ALREADY_REGISTERED);
        assertThat(catalog.activeSegments(10)).extracting(CatalogSegment::name).containsExactly("p10-a");
        // a segment that does not start at the committed offset is refused
        assertThatThrownBy(() -> catalog.registerL0(lease, l0("p10-b", 10, 50, 150), offsets(10), 150))
                .isInstanceOf(CatalogConflictException.class).hasMessageContaining("committed offset is 100");
        assertThat(catalog.registerL0(lease, l0("p10-b", 10, 100, 150), offsets(10), 150)).isEqualTo(RegisterResult.REGISTERED);
        assertThat(catalog.committedOffset(offsets(10))).hasValue(150);
        CatalogSegment b = catalog.segment("p10-b").orElseThrow();
        assertThat(b.meta()).isEqualTo(l0("p10-b", 10, 100, 150));
        assertThat(b.state()).isEqualTo(SegmentState.ACTIVE);
    }

    @Test
    void aStaleEpochIsRefusedAndChangesNothing() throws InterruptedException {
        Lease old = catalog.acquireLease(11, "w1", Duration.ofMillis(50)).orElseThrow();
        catalog.registerL0(old, l0("p11-a", 11, 0, 10), offsets(11), 10);
        Thread.sleep(100);
        Lease current = catalog.acquireLease(11, "w2", TTL).orElseThrow();
        long version = catalog.segmentsVersion();
        assertThatThrownBy(() -> catalog.registerL0(old, l0("p11-b", 11, 10, 20), offsets(11), 20))
                .isInstanceOf(StaleLeaseException.class);
        assertThatThrownBy(() -> catalog.replaceSegments(old, List.of("p11-a"), List.of(l1("p11-l1", 11))))
                .isInstanceOf(StaleLeaseException.class);
        assertThatThrownBy(() -> catalog.commitOffset(old, offsets(11), 99)).isInstanceOf(StaleLeaseException.class);
        assertThat(catalog.segment("p11-b")).isEmpty();
        assertThat(catalog.committedOffset(offsets(11))).hasValue(10);
        assertThat(catalog.activeSegments(11)).extracting(CatalogSegment::name).containsExactly("p11-a");
        assertThat(catalog.segmentsVersion()).isEqualTo(version);
        assertThat(catalog.registerL0(current, l0("p11-b", 11, 10, 20), offsets(11), 20)).isEqualTo(RegisterResult.REGISTERED);
    }

    @Test
    void replaceSegmentsSwapsInputsForOutputsAtomically() {
        Lease lease = catalog.acquireLease(12, "w1", TTL).orElseThrow();
        catalog.registerL0(lease, l0("p12-a", 12, 0, 10), offsets(12), 10);
        catalog.registerL0(lease, l0("p12-b", 12, 10, 20), offsets(12), 20);
        long version = catalog.segmentsVersion();
        assertThat(catalog.replaceSegments(lease, List.of("p12-a", "p12-b"), List.of(l1("p12-l1", 12)))).isTrue();
        assertThat(catalog.activeSegments(12)).extracting(CatalogSegment::name).containsExactly("p12-l1");
        assertThat(catalog.segment("p12-a").orElseThrow().state()).isEqualTo(SegmentState.RETIRED);
        assertThat(catalog.segment("p12-a").orElseThrow().retiredAt()).isNotNull();
        assertThat(catalog.segmentsVersion()).isEqualTo(version + 1);
        // retried: recognized, nothing changes
        assertThat(catalog.replaceSegments(lease, List.of("p12-a", "p12-b"), List.of(l1("p12-l1", 12)))).isFalse();
        assertThat(catalog.segmentsVersion()).isEqualTo(version + 1);
        // one bad input: the whole replacement is refused, outputs are not registered, the good input stays active
        catalog.registerL0(lease, l0("p12-c", 12, 20, 30), offsets(12), 30);
        assertThatThrownBy(() -> catalog.replaceSegments(lease, List.of("p12-c", "p12-a"), List.of(l1("p12-l1b", 12))))
                .isInstanceOf(CatalogConflictException.class).hasMessageContaining("p12-a is RETIRED");
        assertThatThrownBy(() -> catalog.replaceSegments(lease, List.of("p12-c", "nope"), List.of(l1("p12-l1b", 12))))
                .isInstanceOf(CatalogConflictException.class).hasMessageContaining("nope is not registered");
        assertThat(catalog.segment("p12-l1b")).isEmpty();
        assertThat(catalog.activeSegments(12)).extracting(CatalogSegment::name).containsExactlyInAnyOrder("p12-l1", "p12-c");
        // GC retirement: inputs only
        assertThat(catalog.replaceSegments(lease, List.of("p12-c"), List.of())).isTrue();
        assertThat(catalog.activeSegments(12)).extracting(CatalogSegment::name).containsExactly("p12-l1");
    }

    @Test
    void retiredSegmentsAreListedForDeletionAndMarkedDeletedOnce() throws InterruptedException {
        Lease lease = catalog.acquireLease(13, "w1", TTL).orElseThrow();
        catalog.registerL0(lease, l0("p13-a", 13, 0, 10), offsets(13), 10);
        catalog.replaceSegments(lease, List.of("p13-a"), List.of(l1("p13-l1", 13)));
        Thread.sleep(20);
        assertThat(catalog.retiredBefore(Instant.now().plusSeconds(1))).extracting(CatalogSegment::name).contains("p13-a");
        assertThat(catalog.retiredBefore(Instant.now().minusSeconds(3600))).extracting(CatalogSegment::name).doesNotContain("p13-a");
        assertThat(catalog.markDeleted(lease, "p13-a")).isTrue();
        assertThat(catalog.markDeleted(lease, "p13-a")).isFalse();
        assertThat(catalog.markDeleted(lease, "p13-l1")).isFalse(); // active segments are never marked deleted
        assertThat(catalog.segment("p13-a").orElseThrow().state()).isEqualTo(SegmentState.DELETED);
        assertThat(catalog.retiredBefore(Instant.now().plusSeconds(1))).extracting(CatalogSegment::name).doesNotContain("p13-a");
    }

    @Test
    void registerL0AndCommitOffsetRaiseTheTimelinesInTheSameTransaction() {
        TimelineKey a = TimelineKey.of("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "00000000000000000000000000000001");
        TimelineKey b = TimelineKey.of("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "00000000000000000000000000000002");
        Lease lease = catalog.acquireLease(15, "w1", TTL).orElseThrow();
        assertThat(catalog.registerL0(lease, l0("p15-a", 15, 0, 10), offsets(15), 10, java.util.Map.of(a, 900L, b, 50L)))
                .isEqualTo(RegisterResult.REGISTERED);
        assertThat(catalog.timeline(a).orElseThrow().lastAppliedLsn()).isEqualTo(900);
        assertThat(catalog.timeline(b).orElseThrow().lastAppliedLsn()).isEqualTo(50);
        catalog.commitOffset(lease, offsets(15), 12, java.util.Map.of(b, 70L, a, 800L));
        assertThat(catalog.timeline(a).orElseThrow().lastAppliedLsn()).as("never lowered").isEqualTo(900);
        assertThat(catalog.timeline(b).orElseThrow().lastAppliedLsn()).isEqualTo(70);

        // A refused registration (stale epoch) changes no timeline either.
        catalog.releaseLease(lease);
        Lease taken = catalog.acquireLease(15, "w2", TTL).orElseThrow();
        assertThatThrownBy(() -> catalog.registerL0(lease, l0("p15-b", 15, 12, 20), offsets(15), 20,
                java.util.Map.of(a, 5_000L))).isInstanceOf(StaleLeaseException.class);
        assertThat(catalog.timeline(a).orElseThrow().lastAppliedLsn()).isEqualTo(900);
        assertThat(taken.epoch()).isGreaterThan(lease.epoch());
    }

    @Test
    void gcHorizonOnlyMovesForwardAndTimelinesAreTracked() {
        TimelineKey t = TimelineKey.of("0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210");
        assertThat(catalog.gcHorizon(t)).isEmpty();
        catalog.touchTimeline(t, 500);
        assertThat(catalog.gcHorizon(t)).hasValue(0);
        assertThat(catalog.setGcHorizon(t, 1000)).isEqualTo(1000);
        assertThat(catalog.setGcHorizon(t, 900)).isEqualTo(1000);
        assertThat(catalog.gcHorizon(t)).hasValue(1000);
        catalog.touchTimeline(t, 400);
        TimelineInfo info = catalog.timeline(t).orElseThrow();
        assertThat(info.lastAppliedLsn()).isEqualTo(500);
        assertThat(info.lastSeen()).isAfterOrEqualTo(info.firstSeen());

        TimelineKey fresh = TimelineKey.of("11111111111111111111111111111111", "22222222222222222222222222222222");
        catalog.setGcHorizon(fresh, 7);
        assertThat(catalog.timeline(fresh).orElseThrow().lastAppliedLsn()).isEqualTo(-1); // never applied
        assertThat(catalog.timelines()).extracting(TimelineInfo::key).contains(t, fresh);
    }

    @Test
    void compactionJobsAreRecordedFromStartToFinish() {
        Lease lease = catalog.acquireLease(14, "w1", TTL).orElseThrow();
        UUID id = UUID.randomUUID();
        catalog.startJob(id, "L1", lease, List.of("a", "b"));
        catalog.startJob(id, "L1", lease, List.of("a", "b")); // retried: one row
        assertThat(catalog.jobs(14, 10)).singleElement().satisfies(j -> {
            assertThat(j.status()).isEqualTo(CompactionJob.Status.RUNNING);
            assertThat(j.inputs()).containsExactly("a", "b");
            assertThat(j.endedAt()).isNull();
        });
        catalog.finishJob(id, CompactionJob.Status.SUCCEEDED, List.of("c"), 2000, 1500, null);
        catalog.finishJob(id, CompactionJob.Status.FAILED, List.of(), 0, 0, "late duplicate");
        CompactionJob j = catalog.jobs(14, 10).getFirst();
        assertThat(j.status()).isEqualTo(CompactionJob.Status.SUCCEEDED);
        assertThat(j.outputs()).containsExactly("c");
        assertThat(j.bytesIn()).isEqualTo(2000);
        assertThat(j.endedAt()).isNotNull();
        assertThat(j.epoch()).isEqualTo(lease.epoch());
    }
}
