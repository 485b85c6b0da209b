package io.storageengine.compactor.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageengine.catalog.Catalog;
import io.storageengine.catalog.segmentmap.CatalogSegment;
import io.storageengine.compactor.merge.TestData;
import io.storageengine.pagecore.StoredVersion;
import io.storageengine.pagecore.VersionChains;
import io.storageengine.schemas.page.VersionKey;
import io.storageengine.schemas.segment.SegmentKind;
import io.storageengine.schemas.wal.Lsn;
import io.storageengine.segments.segment.SegmentReader;
import io.storageengine.segments.segment.SegmentScanner;
import io.storageengine.segments.segment.SegmentVersion;
import io.storageengine.segments.store.SegmentStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/** Checks of the cold tier against the reference model: exactly-once records and page reads. */
final class SegmentCheck {
    private SegmentCheck() {
    }

    /** Every record of the active DELTA segments, key → how many segments hold it. */
    static TreeMap<byte[], Integer> deltaRecordCounts(Catalog catalog, SegmentStore store) throws IOException {
        TreeMap<byte[], Integer> counts = new TreeMap<>(Arrays::compareUnsigned);
        for (CatalogSegment s : catalog.segments().active()) {
            if (s.meta().kind() != SegmentKind.DELTA) {
                continue;
            }
            try (SegmentReader r = store.open(s.name()); SegmentScanner sc = r.scan()) {
                while (sc.hasNext()) {
                    counts.merge(sc.next().key(), 1, Integer::sum);
                }
            }
        }
        return counts;
    }

    /** Every published record is in exactly one active DELTA segment, and nothing else is. */
    static void assertExactlyOnce(Catalog catalog, SegmentStore store, WalStream wal) throws IOException {
        TreeMap<byte[], Integer> counts = deltaRecordCounts(catalog, store);
        List<String> doubled = new ArrayList<>();
        counts.forEach((k, n) -> {
            if (n != 1) {
                doubled.add(HexFormat.of().formatHex(k) + " x" + n);
            }
        });
        assertThat(doubled).as("records in more than one active segment").isEmpty();
        List<String> missing = wal.reference.keySet().stream().filter(k -> !counts.containsKey(k))
                .map(k -> HexFormat.of().formatHex(k)).limit(5).toList();
        assertThat(missing).as("published records missing from the active segments").isEmpty();
        assertThat(counts.size()).as("records that were never published (bad input must be skipped)")
                .isEqualTo(wal.reference.size());
    }

    /** Reads a page as a reader of the cold tier does: newest image ≤ lsn in any segment, then later deltas. */
    static byte[] read(List<SegmentReader> readers, byte[] pageKey, long lsn) {
        TreeMap<Long, byte[]> versions = new TreeMap<>(Lsn::compare);
        for (SegmentReader r : readers) {
            for (SegmentVersion v : r.versions(pageKey, lsn)) {
                versions.merge(v.lsn(), v.value(), (a, b) -> VersionChains.isMaterializedImage(b) ? b : a);
            }
        }
        if (versions.isEmpty()) {
            return null;
        }
        Long base = null;
        for (Map.Entry<Long, byte[]> e : versions.descendingMap().entrySet()) {
            if (VersionChains.isMaterializedImage(e.getValue())) {
                base = e.getKey();
                break;
            }
        }
        byte[] page = new byte[8192];
        for (Map.Entry<Long, byte[]> e : (base == null ? versions : versions.tailMap(base, true)).entrySet()) {
            TestData.apply(page, e.getValue());
        }
        return page;
    }

    static byte[] reference(TreeMap<byte[], byte[]> all, byte[] pageKey, long lsn) {
        byte[] page = null;
        for (byte[] v : all.subMap(VersionKey.encode(pageKey, 0), true, VersionKey.encode(pageKey, lsn), true).values()) {
            if (page == null) {
                page = new byte[8192];
            }
            TestData.apply(page, v);
        }
        return page;
    }

    /**
     * Compares {@code samples} random (page, LSN) reads with the model, LSNs at or above
     * {@code minLsn}: a version's own LSN, just below the next one, or the newest.
     */
    static int assertPagesMatch(Catalog catalog, SegmentStore store, WalStream wal, long minLsn, int samples, long seed)
            throws IOException {
        return assertPagesMatch(catalog, store, wal, page -> minLsn, samples, seed);
    }

    /** Like above with a minimum LSN per page (the GC horizon of its timeline). */
    static int assertPagesMatch(Catalog catalog, SegmentStore store, WalStream wal,
                                java.util.function.ToLongFunction<byte[]> minLsnOf, int samples, long seed)
            throws IOException {
        List<SegmentReader> readers = new ArrayList<>();
        try {
            for (CatalogSegment s : catalog.segments().active()) {
                readers.add(store.open(s.name()));
            }
            List<byte[]> keys = new ArrayList<>(wal.reference.keySet());
            Random rnd = new Random(seed);
            int checked = 0;
            for (int i = 0; i < samples; i++) {
                byte[] k = keys.get(rnd.nextInt(keys.size()));
                byte[] page = VersionKey.pageKeyOf(k);
                long lsn = switch (rnd.nextInt(3)) {
                    case 0 -> VersionKey.lsnOf(k);
                    case 1 -> VersionKey.lsnOf(k) + 1;
                    default -> Long.MAX_VALUE;
                };
                long minLsn = minLsnOf.applyAsLong(page);
                if (Lsn.isBefore(lsn, minLsn)) {
                    lsn = minLsn;
                }
                byte[] got = read(readers, page, lsn);
                byte[] want = reference(wal.reference, page, lsn);
                if (!Arrays.equals(got, want)) {
                    StringBuilder sb = new StringBuilder();
                    for (SegmentReader r : readers) {
                        for (SegmentVersion v : r.versions(page, lsn)) {
                            sb.append(r.file().getFileName()).append('@').append(v.lsn())
                                    .append(VersionChains.isMaterializedImage(v.value()) ? "I" : "D").append(' ');
                        }
                    }
                    sb.append("| scan: ");
                    for (SegmentReader r : readers) {
                        try (var sc = r.scan()) {
                            while (sc.hasNext()) {
                                var rec = sc.next();
                                if (Arrays.equals(rec.pageKey(), page)) {
                                    sb.append(r.file().getFileName()).append('@').append(rec.lsn())
                                            .append(" mightContain=").append(r.mightContain(page)).append(' ');
                                }
                            }
                        }
                    }
                    sb.append("| model: ");
                    wal.reference.subMap(VersionKey.encode(page, 0), true, VersionKey.encode(page, lsn), true)
                            .forEach((kk, vv) -> sb.append(VersionKey.lsnOf(kk)).append(VersionChains.isMaterializedImage(vv) ? "I " : "D "));
                    throw new AssertionError("page " + HexFormat.of().formatHex(page) + " at " + lsn + " differs: " + sb);
                }
                checked++;
            }
            return checked;
        } finally {
            readers.forEach(SegmentReader::close);
        }
    }

    static long count(Catalog catalog, SegmentKind kind, int level) {
        return catalog.segments().active().stream()
                .filter(s -> s.meta().kind() == kind && (level < 0 || s.meta().level() == level)).count();
    }

}
