package io.storageengine.compactor.compaction;

import io.storageengine.catalog.Catalog;
import io.storageengine.catalog.segmentmap.CatalogSegment;
import io.storageengine.catalog.segmentmap.SegmentMeta;
import io.storageengine.catalog.timeline.TimelineInfo;
import io.storageengine.schemas.timeline.TimelineKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Builds a {@link PartitionSnapshot} from the catalog: the partition's ACTIVE segments (with the
 * offsets each covers) and, for every timeline they hold, its newest known LSN
 * ({@code last_applied_lsn}, raised by each L0 cut from records and watermarks) and its explicit
 * GC horizon ({@code gc_horizon_lsn} when above 0). Keeps the catalog rows by id so jobs can name
 * their inputs. Stateless.
 */
public final class CatalogSnapshots {
    /** A snapshot and the catalog rows behind its segment views. */
    public record Loaded(PartitionSnapshot snapshot, Map<Long, CatalogSegment> rows) {
        public List<String> names(List<SegmentView> views) {
            return views.stream().map(v -> rows.get(v.id()).name()).toList();
        }

        public long l0Count() {
            return snapshot.segments().stream().filter(SegmentView::isL0).count();
        }
    }

    private CatalogSnapshots() {
    }

    public static Loaded load(Catalog catalog, int partition) {
        List<CatalogSegment> active = catalog.segments().active(partition);
        List<SegmentView> views = new ArrayList<>(active.size());
        Map<Long, CatalogSegment> rows = new HashMap<>();
        Set<TimelineKey> timelines = new LinkedHashSet<>();
        for (CatalogSegment s : active) {
            SegmentView v = view(s);
            views.add(v);
            rows.put(s.id(), s);
            TimelineKey t = v.timelineOrNull();
            if (t != null) {
                timelines.add(t);
            }
        }
        Map<TimelineKey, Long> newest = new HashMap<>();
        Map<TimelineKey, Long> explicit = new HashMap<>();
        for (TimelineKey t : timelines) {
            Optional<TimelineInfo> info = catalog.timelines().find(t);
            if (info.isPresent()) {
                if (info.get().lastAppliedLsn() >= 0) {
                    newest.put(t, info.get().lastAppliedLsn());
                }
                if (info.get().gcHorizonLsn() > 0) {
                    explicit.put(t, info.get().gcHorizonLsn());
                }
            }
        }
        return new Loaded(new PartitionSnapshot(partition, views, newest, explicit), rows);
    }

    public static SegmentView view(CatalogSegment s) {
        SegmentMeta m = s.meta();
        return new SegmentView(s.id(), m.kind(), m.level(), m.partition(), m.hasOffsets() ? m.offsetStart() : -1,
                m.hasOffsets() ? m.offsetEnd() : -1, m.minKey(), m.maxKey(), m.minLsn(), m.maxLsn(), m.sizeBytes());
    }
}
