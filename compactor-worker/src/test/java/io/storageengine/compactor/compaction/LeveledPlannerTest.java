package io.storageengine.compactor.compaction;

import static io.storageengine.compactor.compaction.Metas.image;
import static io.storageengine.compactor.compaction.Metas.l0;
import static io.storageengine.compactor.compaction.Metas.l1;
import static io.storageengine.compactor.compaction.Metas.timeline;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LeveledPlannerTest {
    private static final CompactionPolicy POLICY = new CompactionPolicy(3, 1000, 100, 2, 100);
    private final LeveledPlanner planner = new LeveledPlanner();

    private static PartitionSnapshot snap(List<SegmentView> segs, Map<io.storageengine.schemas.timeline.TimelineKey, Long> newest) {
        return new PartitionSnapshot(0, segs, newest, Map.of());
    }

    @Test
    void fewerL0ThanTriggerPlansNothing() {
        assertThat(planner.plan(snap(List.of(l0(1, 0, 10, 10), l0(2, 10, 20, 10)), Map.of()), POLICY)).isEmpty();
    }

    @Test
    void l0TriggerMergesEveryL0InOffsetOrder() {
        List<PlannedJob> jobs = planner.plan(snap(List.of(l0(3, 20, 30, 10), l0(1, 0, 10, 10), l0(2, 10, 20, 10)),
                Map.of()), POLICY);
        assertThat(jobs).singleElement().isInstanceOf(PlannedJob.MergeL0.class);
        assertThat(jobs.get(0).inputs()).extracting(SegmentView::id).containsExactly(1L, 2L, 3L);
    }

    @Test
    void l0BytesTriggerMergesEvenBelowTheCount() {
        List<PlannedJob> jobs = planner.plan(snap(List.of(l0(1, 0, 10, 600), l0(2, 10, 20, 600)), Map.of()), POLICY);
        assertThat(jobs).singleElement().isInstanceOf(PlannedJob.MergeL0.class);
    }

    @Test
    void imagesAreDueAfterThresholdGenerationsSinceTheNewestImage() {
        SegmentView img = image(10, 1, 10, 50);
        SegmentView old = l1(11, 1, 0, 10, 50);
        SegmentView g1 = l1(12, 1, 10, 20, 80);
        SegmentView g2a = l1(13, 1, 20, 30, 90);
        SegmentView g2b = l1(14, 1, 20, 30, 95);
        assertThat(planner.plan(snap(List.of(img, old, g1), Map.of()), POLICY)).isEmpty();
        List<PlannedJob> jobs = planner.plan(snap(List.of(img, old, g1, g2a, g2b), Map.of()), POLICY);
        assertThat(jobs).singleElement().isInstanceOfSatisfying(PlannedJob.CreateImages.class, j -> {
            assertThat(j.timeline()).isEqualTo(timeline(1));
            assertThat(j.cutOffset()).isEqualTo(30);
            assertThat(j.inputs()).extracting(SegmentView::id).containsExactlyInAnyOrder(10L, 12L, 13L, 14L);
        });
    }

    @Test
    void imagesAreNotDueForATimelineWithFewGenerations() {
        List<PlannedJob> jobs = planner.plan(snap(List.of(l1(1, 1, 0, 10, 5), l1(2, 2, 0, 10, 5), l1(3, 2, 10, 20, 9)),
                Map.of()), POLICY);
        assertThat(jobs).singleElement().isInstanceOfSatisfying(PlannedJob.CreateImages.class,
                j -> assertThat(j.timeline()).isEqualTo(timeline(2)));
    }

    @Test
    void gcKeepsEverythingWhileTheImageIsAboveTheHorizon() {
        // newest 140, retention 100: horizon 40 < image max LSN 50.
        List<SegmentView> segs = List.of(l1(1, 1, 0, 10, 50), image(2, 1, 10, 50));
        assertThat(LeveledPlanner.retirable(snap(segs, Map.of(timeline(1), 140L)), POLICY)).isEmpty();
    }

    @Test
    void gcRetiresL1AndOlderImagesShadowedByAnImageBelowTheHorizon() {
        List<SegmentView> segs = List.of(l1(1, 1, 0, 10, 40), image(2, 1, 10, 40), l1(3, 1, 10, 20, 60),
                image(4, 1, 20, 60), l1(5, 1, 20, 30, 90), l0(6, 30, 40, 10), l1(7, 2, 0, 10, 5));
        // horizon 160 - 100 = 60: image 4 (max LSN 60) shadows L1 1, 3 and image 2; not L1 5 (after the cut),
        // not the L0, not timeline 2 (no horizon).
        List<SegmentView> r = LeveledPlanner.retirable(snap(segs, Map.of(timeline(1), 160L)), POLICY);
        assertThat(r).extracting(SegmentView::id).containsExactlyInAnyOrder(1L, 2L, 3L);
        // The job carries the horizon it relies on, to be published before the segments go.
        assertThat(planner.plan(snap(segs, Map.of(timeline(1), 160L)), POLICY).get(0))
                .isInstanceOfSatisfying(PlannedJob.Retire.class,
                        j -> assertThat(j.horizons()).containsExactlyEntriesOf(Map.of(timeline(1), 60L)));
    }

    @Test
    void thePublishedHorizonIsAFloorThatRetentionRaises() {
        List<SegmentView> segs = List.of(l1(1, 1, 0, 10, 40), image(2, 1, 10, 40));
        // Published 30 (an earlier retirement), newest 1000, retention 100: the horizon moves on to 900.
        PartitionSnapshot moved = new PartitionSnapshot(0, segs, Map.of(timeline(1), 1000L), Map.of(timeline(1), 30L));
        assertThat(moved.horizon(timeline(1), POLICY)).isEqualTo(900);
        assertThat(LeveledPlanner.retirable(moved, POLICY)).extracting(SegmentView::id).containsExactly(1L);
        // Published above the retention horizon (an operator raised it): the published one holds.
        PartitionSnapshot raised = new PartitionSnapshot(0, segs, Map.of(timeline(1), 100L), Map.of(timeline(1), 45L));
        assertThat(raised.horizon(timeline(1), POLICY)).isEqualTo(45);
        assertThat(LeveledPlanner.retirable(raised, POLICY)).extracting(SegmentView::id).containsExactly(1L);
        PartitionSnapshot low = new PartitionSnapshot(0, segs, Map.of(timeline(1), 100L), Map.of(timeline(1), 35L));
        assertThat(LeveledPlanner.retirable(low, POLICY)).isEmpty();
        assertThat(snap(segs, Map.of(timeline(1), 50L)).horizon(timeline(1), POLICY)).isZero();
    }

    private static final CompactionPolicy REMERGE = new CompactionPolicy(3, 1000, 1000, 2, 100, 4);

    /** Generations of timeline {@code t} at offsets [10i, 10i + 10), one segment each, of the given sizes; ids from {@code firstId}. */
    private static List<SegmentView> generations(int t, long firstId, long... sizes) {
        List<SegmentView> out = new java.util.ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            out.add(l1(firstId + i, t, i * 10L, i * 10L + 10, 100L + i, sizes[i]));
        }
        return out;
    }

    private List<Long> reMerged(List<SegmentView> segs) {
        return planner.plan(snap(segs, Map.of()), REMERGE).stream().filter(j -> j instanceof PlannedJob.MergeL1)
                .findFirst().map(j -> j.inputs().stream().map(SegmentView::id).toList()).orElse(List.of());
    }

    @Test
    void aRunOfTriggerManySmallAdjacentGenerationsIsReMergedBeforeImages() {
        List<SegmentView> segs = generations(1, 1, 100, 100, 100, 100);
        List<PlannedJob> jobs = planner.plan(snap(segs, Map.of()), REMERGE);
        assertThat(jobs.get(0)).isInstanceOfSatisfying(PlannedJob.MergeL1.class, j -> {
            assertThat(j.timeline()).isEqualTo(timeline(1));
            assertThat(j.inputs()).extracting(SegmentView::id).containsExactly(1L, 2L, 3L, 4L);
            assertThat(j.kind()).isEqualTo("merge_l1");
        });
        assertThat(jobs).hasAtLeastOneElementOfType(PlannedJob.CreateImages.class);
    }

    @Test
    void fewerSmallGenerationsWaitUnlessTogetherTheyHoldHalfTheTarget() {
        assertThat(reMerged(generations(1, 1, 100, 100, 100))).isEmpty();
        assertThat(reMerged(generations(1, 1, 300, 300))).containsExactly(1L, 2L);
        // Generations of half the target or more are not small: never re-merged.
        assertThat(reMerged(generations(1, 1, 500, 100, 100, 100))).isEmpty();
    }

    @Test
    void theLargestGenerationOfARunIsNoLargerThanTheOthersTogether() {
        // An earlier re-merge (400) is only rewritten once the small ones after it add up to as much.
        assertThat(reMerged(generations(1, 1, 400, 100, 100, 100))).isEmpty();
        assertThat(reMerged(generations(1, 1, 400, 100, 100, 100, 100))).containsExactly(1L, 2L, 3L, 4L, 5L);
    }

    @Test
    void aLargeGenerationBreaksARunAndARunStopsAtTheTargetSize() {
        assertThat(reMerged(generations(1, 1, 100, 100, 600, 100, 100, 100, 100))).containsExactly(4L, 5L, 6L, 7L);
        assertThat(reMerged(generations(1, 1, 200, 200, 200, 200, 200, 200, 200))).containsExactly(1L, 2L, 3L, 4L, 5L);
    }

    @Test
    void wholeGenerationsAfterTheNewestImageOfOneTimelineOnly() {
        List<SegmentView> segs = new java.util.ArrayList<>(List.of(
                l1(1, 1, 0, 10, 10, 50), l1(2, 1, 10, 20, 20, 50), image(3, 1, 20, 20),
                l1(4, 1, 20, 30, 30, 50), l1(5, 1, 20, 30, 31, 50), // one generation, two segments
                l1(6, 1, 30, 40, 40, 50), l1(7, 1, 40, 50, 50, 50), l1(8, 1, 50, 60, 60, 50),
                l1(9, 2, 20, 30, 30, 50), l1(10, 2, 30, 40, 40, 50)));
        List<PlannedJob> jobs = planner.plan(snap(segs, Map.of()), REMERGE);
        assertThat(jobs.stream().filter(j -> j instanceof PlannedJob.MergeL1).toList()).singleElement()
                .satisfies(j -> assertThat(j.inputs()).extracting(SegmentView::id).containsExactly(4L, 5L, 6L, 7L, 8L));
    }

    @Test
    void overlappingOffsetRangesAreLeftAlone() {
        List<SegmentView> segs = List.of(l1(1, 1, 0, 10, 10, 50), l1(2, 1, 5, 15, 15, 50), l1(3, 1, 15, 25, 25, 50),
                l1(4, 1, 25, 35, 35, 50), l1(5, 1, 35, 45, 45, 50));
        assertThat(reMerged(segs)).isEmpty();
    }
}
