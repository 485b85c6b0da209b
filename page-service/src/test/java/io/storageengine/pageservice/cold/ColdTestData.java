package io.storageengine.pageservice.cold;

import io.storageengine.catalog.segmentmap.CatalogSegment;
import io.storageengine.catalog.segmentmap.SegmentMeta;
import io.storageengine.catalog.segmentmap.SegmentState;
import io.storageengine.pagecore.StoredVersion;
import io.storageengine.pagecore.VersionChains;
import io.storageengine.pageservice.read.ColdPageSource;
import io.storageengine.pageservice.read.ColdVersion;
import io.storageengine.pageservice.read.PageReadException;
import io.storageengine.pageservice.topology.SyntheticWal;
import io.storageengine.pageservice.topology.trim.TrimCoverage;
import io.storageengine.schemas.kafka.Partitioning;
import io.storageengine.schemas.page.VersionKey;
import io.storageengine.schemas.segment.SegmentKind;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.Frame;
import io.storageengine.schemas.wal.FrameCodec;
import io.storageengine.schemas.wal.Lsn;
import io.storageengine.segments.segment.SegmentInfo;
import io.storageengine.segments.segment.SegmentNames;
import io.storageengine.segments.segment.SegmentWriter;
import io.storageengine.segments.store.SegmentMetas;
import io.storageengine.segments.store.SegmentStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Test helpers for the cold tier: the stored versions a WAL event list produces (as the topology
 * stores them), segment files written with the real {@link SegmentWriter}, and {@link MapCold}, an
 * in-memory cold tier over a sorted map of version keys. Not thread-safe unless stated.
 */
public final class ColdTestData {
    private static final AtomicLong IDS = new AtomicLong();

    private ColdTestData() {
    }

    /** A sorted map of 57-byte version keys (unsigned order, as RocksDB and segments sort them). */
    public static NavigableMap<byte[], byte[]> sortedVersions() {
        return new TreeMap<>(Arrays::compareUnsigned);
    }

    /** The page versions of {@code events} (VersionKey → StoredVersion), optionally of one partition only. */
    public static NavigableMap<byte[], byte[]> versionsOf(List<SyntheticWal.Event> events, int partition, int partitions) {
        NavigableMap<byte[], byte[]> out = sortedVersions();
        for (SyntheticWal.Event e : events) {
            if (e.key().length == TimelineKey.SIZE) {
                continue;
            }
            if (partitions > 0 && Partitioning.partitionOf(e.key(), partitions) != partition) {
                continue;
            }
            Frame f = FrameCodec.decodeAt(ByteBuffer.wrap(e.value()), 0, e.value().length);
            out.put(VersionKey.encode(e.key(), f.lsn()), StoredVersion.fromPayload(f.type(), f.payload()));
        }
        return out;
    }

    /** Writes {@code records} (sorted) as one segment, puts it in the store and returns its meta. */
    public static SegmentMeta writeSegment(SegmentStore store, SegmentKind kind, int level, int partition,
                                    Map<byte[], byte[]> records, long offsetStart, long offsetEnd) throws IOException {
        Path tmp = store.stagingDirectory().resolve("building-" + UUID.randomUUID() + ".seg");
        SegmentInfo info;
        try (SegmentWriter w = SegmentWriter.create(tmp, SegmentWriter.Options.of(kind, level, partition))) {
            for (Map.Entry<byte[], byte[]> r : records.entrySet()) {
                w.add(r.getKey(), r.getValue());
            }
            info = w.finish();
        }
        String name = SegmentNames.newName(info);
        String location = store.put(name, tmp);
        return offsetStart < 0 ? SegmentMetas.of(name, info, store.name(), location)
                : SegmentMetas.of(name, info, store.name(), location, offsetStart, offsetEnd);
    }

    public static CatalogSegment active(SegmentMeta meta) {
        return new CatalogSegment(IDS.incrementAndGet(), meta, SegmentState.ACTIVE, Instant.now(), null);
    }

    /** Versions of one page in a sorted version map, ≤ maxLsn, newest first, optionally down to the newest chain start. */
    public static List<ColdVersion> lookup(NavigableMap<byte[], byte[]> map, byte[] pageKey, long maxLsn, boolean stopAtImage) {
        List<ColdVersion> out = new ArrayList<>();
        for (Map.Entry<byte[], byte[]> e : map.subMap(VersionKey.encode(pageKey, 0), true,
                VersionKey.encode(pageKey, maxLsn), true).descendingMap().entrySet()) {
            out.add(new ColdVersion(VersionKey.lsnOf(e.getKey()), e.getValue()));
            if (stopAtImage && VersionChains.startsChain(e.getValue())) {
                break;
            }
        }
        return out;
    }

    /** An in-memory cold tier (read path and trim coverage) over a sorted version map; can be made unavailable. */
    public static final class MapCold implements ColdPageSource, TrimCoverage {
        public final NavigableMap<byte[], byte[]> map = sortedVersions();
        public volatile boolean unavailable;
        public volatile int lookups;
        public volatile long horizon;
        public volatile long generation = -1;

        @Override
        public long generation() {
            return generation;
        }

        @Override
        public synchronized List<ColdVersion> versions(byte[] pageKey, long maxLsn, boolean stopAtImage)
                throws PageReadException {
            if (unavailable) {
                throw new PageReadException.Unavailable("cold tier down (test)", java.time.Duration.ofSeconds(1));
            }
            lookups++;
            return lookup(map, pageKey, maxLsn, stopAtImage);
        }

        @Override
        public List<ColdVersion> coveredVersions(byte[] pageKey, long maxLsn) throws PageReadException {
            return versions(pageKey, maxLsn, true);
        }

        @Override
        public long settledGcHorizon(TimelineKey timeline) {
            return horizon;
        }

        @Override
        public Lsn gcHorizon(TimelineKey timeline) {
            return new Lsn(horizon);
        }

        @Override
        public Lsn durableLsn(TimelineKey timeline) {
            return Lsn.ZERO;
        }
    }
}
