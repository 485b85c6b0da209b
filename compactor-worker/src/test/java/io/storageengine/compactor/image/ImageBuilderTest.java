package io.storageengine.compactor.image;

import io.storageengine.pagecore.VersionChains;
import static org.assertj.core.api.Assertions.assertThat;

import io.storageengine.compactor.internal.Cancellation;
import io.storageengine.compactor.merge.JobResult;
import io.storageengine.compactor.merge.TestData;
import io.storageengine.pagecore.StoredVersion;
import io.storageengine.schemas.page.VersionKey;
import io.storageengine.segments.segment.SegmentKind;
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
}
