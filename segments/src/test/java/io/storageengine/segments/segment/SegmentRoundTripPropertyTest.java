package io.storageengine.segments.segment;

import static io.storageengine.segments.segment.TestKeys.delta;
import static io.storageengine.segments.segment.TestKeys.image;
import static io.storageengine.segments.segment.TestKeys.page;
import static org.assertj.core.api.Assertions.assertThat;

import io.storageengine.pagecore.VersionChains;
import io.storageengine.schemas.page.VersionKey;
import io.storageengine.schemas.segment.SegmentKind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Whatever records (deltas and images) and block size: scan gives back exactly what was written, and
 * every lookup (with and without stopping at an image, through a block cache) matches a brute-force answer.
 */
class SegmentRoundTripPropertyTest {

    record Rec(int page, long lsn, int valueSize) {
    }

    /** 60 seeded random cases (seed in the failure message): records, block size and query LSN. */
    @Test
    void writtenRecordsRoundTrip() throws IOException {
        for (long seed = 0; seed < 60; seed++) {
            SplittableRandom rnd = new SplittableRandom(seed);
            List<Rec> input = new ArrayList<>();
            for (int i = 0, n = 1 + rnd.nextInt(400); i < n; i++) {
                input.add(new Rec(rnd.nextInt(26), 1 + rnd.nextInt(300), 1 + rnd.nextInt(3000)));
            }
            int blockSize = seed == 0 ? 256 : 256 + rnd.nextInt(16384 - 256 + 1);
            int queryLsn = rnd.nextInt(321);
            try {
                roundTrip(input, blockSize, queryLsn);
            } catch (AssertionError e) {
                throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
            }
        }
    }

    private static void roundTrip(List<Rec> input, int blockSize, int queryLsn) throws IOException {
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
                        if (VersionChains.isMaterializedImage(expected.get(VersionKey.encode(pk, lsn)))) {
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
