package io.storageengine.compactor.worker;

import io.storageengine.catalog.Catalog;
import io.storageengine.catalog.lease.Lease;
import io.storageengine.catalog.offset.OffsetKey;
import io.storageengine.catalog.segmentmap.CatalogSegment;
import io.storageengine.schemas.segment.SegmentKind;
import java.io.PrintStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * {@code Main status}: per partition, from the catalog, the active segments per level (count and
 * bytes), the L0 backlog, the committed offset and the lease holder. Stateless.
 */
public final class StatusReport {
    private StatusReport() {
    }

    public static void print(Catalog catalog, CompactorConfig config, PrintStream out) {
        List<CatalogSegment> active = catalog.segments().active();
        Map<Integer, List<CatalogSegment>> byPartition = active.stream()
                .collect(Collectors.groupingBy(s -> s.meta().partition(), TreeMap::new, Collectors.toList()));
        out.printf("compactor segments (catalog %s, group %s, topic %s)%n", config.catalog().jdbcUrl(),
                config.consumerGroup(), config.topic());
        out.printf("%-9s %-16s %-16s %-16s %-10s %-12s %s%n", "partition", "L0 (n/MiB)", "L1 (n/MiB)", "image (n/MiB)",
                "L0 backlog", "offset", "lease");
        long total = 0;
        for (Map.Entry<Integer, List<CatalogSegment>> e : byPartition.entrySet()) {
            int p = e.getKey();
            List<CatalogSegment> segs = e.getValue();
            OptionalLong offset = catalog.offsets().committed(new OffsetKey(config.consumerGroup(), config.topic(), p));
            Optional<Lease> lease = catalog.leases().current(p);
            long l0 = segs.stream().filter(s -> s.meta().kind() == SegmentKind.DELTA && s.meta().level() == 0).count();
            out.printf("%-9d %-16s %-16s %-16s %-10d %-12s %s%n", p,
                    cell(segs, SegmentKind.DELTA, 0), cell(segs, SegmentKind.DELTA, 1), cell(segs, SegmentKind.IMAGE, -1),
                    l0, offset.isPresent() ? Long.toString(offset.getAsLong()) : "-",
                    lease.map(l -> l.owner() + " e" + l.epoch() + (l.expiresAt().isBefore(Instant.now()) ? " (expired)" : ""))
                            .orElse("-"));
            total += segs.stream().mapToLong(s -> s.meta().sizeBytes()).sum();
        }
        if (byPartition.isEmpty()) {
            out.println("(no active segments yet)");
        }
        out.printf("total: %d active segments, %.1f MiB%n", active.size(), total / 1048576.0);
    }

    private static String cell(List<CatalogSegment> segs, SegmentKind kind, int level) {
        List<CatalogSegment> m = segs.stream().filter(s -> s.meta().kind() == kind && (level < 0 || s.meta().level() == level)).toList();
        return m.size() + "/" + String.format("%.1f", m.stream().mapToLong(s -> s.meta().sizeBytes()).sum() / 1048576.0);
    }
}
