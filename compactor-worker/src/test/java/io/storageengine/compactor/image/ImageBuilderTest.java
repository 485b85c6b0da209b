package io.storageengine.compactor.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageengine.compactor.internal.Cancellation;
import io.storageengine.compactor.merge.JobResult;
import io.storageengine.compactor.merge.L1Merger;
import io.storageengine.compactor.merge.SegmentOutputs;
import io.storageengine.compactor.merge.TestData;
import io.storageengine.pagecore.StoredVersion;
import io.storageengine.pagecore.VersionChains;
import io.storageengine.schemas.page.VersionKey;
import io.storageengine.schemas.segment.SegmentKind;
import io.storageengine.segments.segment.SegmentReader;
import io.storageengine.segments.segment.SegmentRecord;
import io.storageengine.segments.segment.SegmentScanner;
import io.storageengine.segments.store.DirectorySegmentStore;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageBuilderTest {
    @TempDir
    Path dir;

    private static Map<String, SegmentRecord> images(DirectorySegmentStore store, String name) throws Exception {
        Map<String, SegmentRecord> m = new HashMap<>();
        try (SegmentReader r = store.open(name); SegmentScanner s = r.scan()) {
            assertThat(r.info().kind()).isEqualTo(SegmentKind.IMAGE);
            while (s.hasNext()) {
                SegmentRecord rec = s.next();
                assertThat(VersionChains.isMaterializedImage(rec.value())).isTrue();
                assertThat(m.put(HexFormat.of().formatHex(rec.pageKey()), rec)).as("one image per page").isNull();
            }
        }
        return m;
    }

    @Test
    void everyPageIsMaterializedAtItsNewestVersionAsTheReferenceModelComputesIt() throws Exception {
        DirectorySegmentStore store = new DirectorySegmentStore(dir);
        Random rnd = new Random(3);
        TreeMap<byte[], byte[]> a = TestData.randomVersions(rnd, 1500, 1, 60, 0);
        TreeMap<byte[], byte[]> b = TestData.randomVersions(rnd, 1500, 1, 60, 100_000);
        TestData.write(store, "g1", SegmentKind.DELTA, 1, a);
        TestData.write(store, "g2", SegmentKind.DELTA, 1, b);
        TreeMap<byte[], byte[]> all = new TreeMap<>(Arrays::compareUnsigned);
        all.putAll(a);
        all.putAll(b);

        JobResult r = ImageBuilder.build(store, List.of("g1", "g2"), 0, "img", Cancellation.none());

        Map<String, SegmentRecord> imgs = images(store, r.outputs().get(0).name());
        assertThat(r.outputs()).hasSize(1);
        long pages = all.keySet().stream().map(k -> HexFormat.of().formatHex(VersionKey.pageKeyOf(k))).distinct().count();
        assertThat(imgs).hasSize((int) pages);
        for (SegmentRecord img : imgs.values()) {
            byte[] newest = all.floorKey(VersionKey.encode(img.pageKey(), -1L));
            assertThat(VersionKey.lsnOf(newest)).isEqualTo(img.lsn());
            assertThat(StoredVersion.body(img.value())).isEqualTo(
                    java.nio.ByteBuffer.wrap(TestData.reference(all, img.pageKey(), img.lsn())));
        }
    }

    @Test
    void anImageBuiltOnAnOlderImageEqualsOneBuiltFromTheWholeHistory() throws Exception {
        DirectorySegmentStore store = new DirectorySegmentStore(dir);
        Random rnd = new Random(5);
        TestData.write(store, "g1", SegmentKind.DELTA, 1, TestData.randomVersions(rnd, 800, 1, 30, 0));
        TestData.write(store, "g2", SegmentKind.DELTA, 1, TestData.randomVersions(rnd, 800, 1, 30, 50_000));
        TestData.write(store, "g3", SegmentKind.DELTA, 1, TestData.randomVersions(rnd, 800, 1, 40, 100_000));

        JobResult first = ImageBuilder.build(store, List.of("g1", "g2"), 0, "i1", Cancellation.none());
        JobResult stacked = ImageBuilder.build(store, List.of(first.outputs().get(0).name(), "g3"), 0, "i2",
                Cancellation.none());
        JobResult whole = ImageBuilder.build(store, List.of("g1", "g2", "g3"), 0, "i3", Cancellation.none());

        Map<String, SegmentRecord> s = images(store, stacked.outputs().get(0).name());
        Map<String, SegmentRecord> w = images(store, whole.outputs().get(0).name());
        assertThat(s.keySet()).isEqualTo(w.keySet());
        w.forEach((k, v) -> {
            assertThat(s.get(k).key()).isEqualTo(v.key());
            assertThat(s.get(k).value()).isEqualTo(v.value());
        });
    }

    private static List<SegmentRecord> all(DirectorySegmentStore store, String name) throws Exception {
        List<SegmentRecord> out = new java.util.ArrayList<>();
        try (SegmentReader r = store.open(name); SegmentScanner s = r.scan()) {
            s.forEachRemaining(out::add);
        }
        return out;
    }

    private static byte[] delta(int block, int seed) {
        return TestData.randomValue(new Random(seed), new io.storageengine.schemas.page.PageRef(1663, 5, 16384, 0, block), false);
    }

    @Test
    void aPageWhosePostgresRecordCannotBeReplayedKeepsItsVersionsFromItsChainStartAndIsCounted() throws Exception {
        DirectorySegmentStore store = new DirectorySegmentStore(dir);
        byte[] a = TestData.pageKey(1, 1);
        byte[] b = TestData.pageKey(1, 2);
        byte[] c = TestData.pageKey(1, 3);
        byte[] imgB = StoredVersion.image(new byte[8192]);
        TreeMap<byte[], byte[]> g1 = new TreeMap<>(Arrays::compareUnsigned);
        g1.put(VersionKey.encode(a, 10), StoredVersion.image(new byte[8192]));
        g1.put(VersionKey.encode(a, 20), delta(1, 1));
        g1.put(VersionKey.encode(b, 5), delta(2, 2));
        g1.put(VersionKey.encode(b, 10), imgB);
        g1.put(VersionKey.encode(b, 20), TestData.pgRecord(false));
        g1.put(VersionKey.encode(b, 30), delta(2, 3));
        g1.put(VersionKey.encode(c, 5), delta(3, 4));
        g1.put(VersionKey.encode(c, 15), TestData.pgRecord(true));
        TreeMap<byte[], byte[]> g2 = new TreeMap<>(Arrays::compareUnsigned);
        g2.put(VersionKey.encode(a, 40), delta(1, 5));
        g2.put(VersionKey.encode(b, 50), delta(2, 6));
        g2.put(VersionKey.encode(c, 25), delta(3, 7));
        TestData.write(store, "g1", SegmentKind.DELTA, 1, g1);
        TestData.write(store, "g2", SegmentKind.DELTA, 1, g2);

        JobResult r = ImageBuilder.build(store, List.of("g1", "g2"), 0, "img", Cancellation.none());

        assertThat(r.pagesKeptAsVersions()).isEqualTo(2);
        List<SegmentRecord> out = all(store, r.outputs().get(0).name());
        assertThat(out).extracting(x -> HexFormat.of().formatHex(x.pageKey()) + "@" + x.lsn()).containsExactly(
                HexFormat.of().formatHex(a) + "@40",
                HexFormat.of().formatHex(b) + "@10", HexFormat.of().formatHex(b) + "@20",
                HexFormat.of().formatHex(b) + "@30", HexFormat.of().formatHex(b) + "@50",
                HexFormat.of().formatHex(c) + "@15", HexFormat.of().formatHex(c) + "@25");
        assertThat(VersionChains.isMaterializedImage(out.get(0).value())).isTrue();
        assertThat(out.get(1).value()).isEqualTo(imgB);
        assertThat(out.get(2).value()).isEqualTo(TestData.pgRecord(false));
        assertThat(out.get(5).value()).isEqualTo(TestData.pgRecord(true));
        assertThat(out.get(6).value()).isEqualTo(g2.get(VersionKey.encode(c, 25)));
    }

    @Test
    void pendingVersionsOverTheMemoryBoundAreWrittenAsTheyAreAndTheImageStillFollows() throws Exception {
        DirectorySegmentStore store = new DirectorySegmentStore(dir);
        byte[] a = TestData.pageKey(1, 1);
        TreeMap<byte[], byte[]> g1 = new TreeMap<>(Arrays::compareUnsigned);
        g1.put(VersionKey.encode(a, 10), StoredVersion.image(new byte[8192]));
        for (int i = 1; i <= 5; i++) {
            g1.put(VersionKey.encode(a, 10 + i), delta(1, i));
        }
        TestData.write(store, "g1", SegmentKind.DELTA, 1, g1);
        SegmentOutputs outs = new SegmentOutputs(store, SegmentKind.IMAGE, 1, 0, Long.MAX_VALUE, "img");
        JobResult r = L1Merger.rewrite(store, List.of("g1"), outs, Cancellation.none(), new ImageBuilder.Replay(100));
        List<SegmentRecord> out = all(store, r.outputs().get(0).name());
        // every version but the newest went out as it is (the bound is below one image), then the image
        assertThat(out).extracting(SegmentRecord::lsn).containsExactly(10L, 11L, 12L, 13L, 14L, 15L);
        for (int i = 0; i < 5; i++) {
            assertThat(out.get(i).value()).isEqualTo(g1.get(out.get(i).key()));
        }
        assertThat(VersionChains.isMaterializedImage(out.get(5).value())).isTrue();
        assertThat(StoredVersion.body(out.get(5).value()))
                .isEqualTo(java.nio.ByteBuffer.wrap(TestData.reference(g1, a, 15)));
        assertThat(r.pagesKeptAsVersions()).isZero();
    }
}
