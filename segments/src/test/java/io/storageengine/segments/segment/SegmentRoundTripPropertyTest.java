package io.storageengine.segments.segment;

import static io.storageengine.segments.segment.TestKeys.delta;
import static io.storageengine.segments.segment.TestKeys.image;
import static io.storageengine.segments.segment.TestKeys.page;
import static org.assertj.core.api.Assertions.assertThat;

import io.storageengine.schemas.page.StoredVersion;
import io.storageengine.schemas.page.VersionKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Whatever records (deltas and images) and block size: scan gives back exactly what was written, and
 * every lookup (with and without stopping at an image, through a block cache) matches a brute-force answer.
 */
class SegmentRoundTripPropertyTest {

    record Rec(int page, long lsn, int valueSize) {
    }

    @Provide
    Arbitrary<Rec> records() {
        return Combinators.combine(Arbitraries.integers().between(0, 25), Arbitraries.longs().between(1, 300),
                Arbitraries.integers().between(1, 3000)).as(Rec::new);
    }

    @Property(tries = 60)
    void writtenRecordsRoundTrip(@ForAll @Size(min = 1, max = 400) List<@From("records") Rec> input,
                                 @ForAll @IntRange(min = 256, max = 16384) int blockSize,
                                 @ForAll @IntRange(min = 0, max = 320) int queryLsn) throws IOException {
        TreeMap<byte[], byte[]> expected = new TreeMap<>(Arrays::compareUnsigned);
        for (Rec r : input) {
            long seed = r.page() * 1000L + r.lsn();
            expected.put(VersionKey.encode(page(r.page()), r.lsn()), r.valueSize() > 2700 ? image(seed) : delta(seed, r.valueSize()));
        }
        Path dir = Files.createTempDirectory("seg-prop");
        Path file = dir.resolve("p.seg");
        try {
            try (SegmentWriter w = SegmentWriter.create(file, new SegmentWriter.Options(SegmentKind.DELTA, 1, 0, blockSize))) {
                expected.forEach((k, v) -> {
                    try {
                        w.add(k, v);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
                assertThat(w.finish().recordCount()).isEqualTo(expected.size());
            }
            try (SegmentReader r = SegmentReader.open(file, new BlockCache(64 * 1024))) {
                List<byte[]> keys = new ArrayList<>();
                try (SegmentScanner s = r.scan()) {
                    while (s.hasNext()) {
                        SegmentRecord rec = s.next();
                        assertThat(rec.value()).isEqualTo(expected.get(rec.key()));
                        keys.add(rec.key());
                    }
                }
                assertThat(keys).containsExactlyElementsOf(expected.keySet());
                for (int p = -1; p <= 26; p++) {
                    byte[] pk = page(p < 0 ? 1 << 20 : p);
                    List<Long> want = expected.headMap(VersionKey.encode(pk, queryLsn), true).keySet().stream()
                            .filter(k -> VersionKey.hasPageKey(k, pk)).map(VersionKey::lsnOf)
                            .sorted((a, b) -> Long.compare(b, a)).toList();
                    List<SegmentVersion> got = r.versions(pk, queryLsn);
                    assertThat(got).extracting(SegmentVersion::lsn).containsExactlyElementsOf(want);
                    for (SegmentVersion v : got) {
                        assertThat(v.value()).isEqualTo(expected.get(VersionKey.encode(pk, v.lsn())));
                    }
                    List<Long> wantToImage = new ArrayList<>();
                    for (Long lsn : want) {
                        wantToImage.add(lsn);
                        if (StoredVersion.isImage(expected.get(VersionKey.encode(pk, lsn)))) {
                            break;
                        }
                    }
                    assertThat(r.versionsToImage(pk, queryLsn)).extracting(SegmentVersion::lsn).containsExactlyElementsOf(wantToImage);
                }
            }
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
    }
}
