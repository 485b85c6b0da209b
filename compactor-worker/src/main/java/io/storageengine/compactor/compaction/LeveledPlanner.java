package io.storageengine.compactor.compaction;

import io.storageengine.schemas.timeline.TimelineKey;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The default planner, in the spirit of Neon's layers:
 * <ol>
 *   <li>GC (cheap, metadata only): for each timeline, the newest IMAGE segment whose every image is
 *       at or below the timeline's horizon ({@code maxLsn ≤ horizon}) shadows every L1 segment of
 *       that timeline ending at or before its cut and every older image: a read at L ≥ horizon
 *       starts from that image or a newer one. Those are retired.</li>
 *   <li>L0 → L1 once the partition has {@code l0Trigger} L0 segments or {@code l0TriggerBytes}.
 *       All L0s are merged at once; they cover consecutive offsets, so L1 generations never overlap.</li>
 *   <li>Images for a timeline once {@code imageChainThreshold} L1 generations follow its newest image.</li>
 * </ol>
 * L0 segments are never retired directly: they span timelines and are merged first.
 * Stateless and thread-safe.
 */
public final class LeveledPlanner implements CompactionPlanner {

    @Override
    public List<PlannedJob> plan(PartitionSnapshot snapshot, CompactionPolicy policy) {
        List<PlannedJob> jobs = new ArrayList<>(3);
        List<SegmentView> retire = retirable(snapshot, policy);
        if (!retire.isEmpty()) {
            Map<TimelineKey, Long> horizons = new LinkedHashMap<>();
            for (SegmentView s : retire) {
                if (s.timelineOrNull() != null) {
                    horizons.computeIfAbsent(s.timelineOrNull(), t -> snapshot.horizon(t, policy));
                }
            }
            jobs.add(new PlannedJob.Retire(snapshot.partition(), retire, "shadowed by an image below the horizon", horizons));
        }
        List<SegmentView> l0 = snapshot.segments().stream().filter(SegmentView::isL0)
                .sorted(Comparator.comparingLong(SegmentView::startOffset)).toList();
        long l0Bytes = l0.stream().mapToLong(SegmentView::sizeBytes).sum();
        if (!l0.isEmpty() && (l0.size() >= policy.l0Trigger() || l0Bytes >= policy.l0TriggerBytes())) {
            jobs.add(new PlannedJob.MergeL0(snapshot.partition(), l0));
        }
        for (Map.Entry<TimelineKey, List<SegmentView>> e : l1ByTimeline(snapshot).entrySet()) {
            SegmentView image = newestImage(snapshot, e.getKey());
            long after = image == null ? Long.MIN_VALUE : image.endOffset();
            List<SegmentView> chain = e.getValue().stream().filter(s -> s.endOffset() > after).toList();
            long generations = chain.stream().mapToLong(SegmentView::endOffset).distinct().count();
            if (generations >= policy.imageChainThreshold()) {
                long cut = chain.stream().mapToLong(SegmentView::endOffset).max().orElseThrow();
                List<SegmentView> inputs = new ArrayList<>(chain.size() + 1);
                if (image != null) {
                    inputs.add(image);
                }
                inputs.addAll(chain);
                jobs.add(new PlannedJob.CreateImages(snapshot.partition(), e.getKey(), cut, inputs));
            }
        }
        return jobs;
    }

    /** The segments GC may retire now (see the class comment). */
    public static List<SegmentView> retirable(PartitionSnapshot snapshot, CompactionPolicy policy) {
        List<SegmentView> out = new ArrayList<>();
        Map<TimelineKey, List<SegmentView>> images = new LinkedHashMap<>();
        for (SegmentView s : snapshot.segments()) {
            TimelineKey t = s.timelineOrNull();
            if (s.isImage() && t != null) {
                images.computeIfAbsent(t, k -> new ArrayList<>()).add(s);
            }
        }
        for (Map.Entry<TimelineKey, List<SegmentView>> e : images.entrySet()) {
            long horizon = snapshot.horizon(e.getKey(), policy);
            SegmentView shadow = e.getValue().stream()
                    .filter(i -> Long.compareUnsigned(i.maxLsn(), horizon) <= 0)
                    .max(Comparator.comparingLong(SegmentView::endOffset)).orElse(null);
            if (shadow == null) {
                continue;
            }
            for (SegmentView s : snapshot.segments()) {
                if (!e.getKey().equals(s.timelineOrNull()) || s.id() == shadow.id()) {
                    continue;
                }
                if ((s.isL1() && s.endOffset() <= shadow.endOffset()) || (s.isImage() && s.endOffset() < shadow.endOffset())) {
                    out.add(s);
                }
            }
        }
        return out;
    }

    private static Map<TimelineKey, List<SegmentView>> l1ByTimeline(PartitionSnapshot snapshot) {
        Map<TimelineKey, List<SegmentView>> m = new LinkedHashMap<>();
        for (SegmentView s : snapshot.segments()) {
            TimelineKey t = s.timelineOrNull();
            if (s.isL1() && t != null) {
                m.computeIfAbsent(t, k -> new ArrayList<>()).add(s);
            }
        }
        return m;
    }

    private static SegmentView newestImage(PartitionSnapshot snapshot, TimelineKey t) {
        return snapshot.segments().stream().filter(s -> s.isImage() && t.equals(s.timelineOrNull()))
                .max(Comparator.comparingLong(SegmentView::endOffset)).orElse(null);
    }
}
