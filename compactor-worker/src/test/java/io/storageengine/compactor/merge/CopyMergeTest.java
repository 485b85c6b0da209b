package io.storageengine.compactor.merge;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageengine.pagecore.StoredVersion;
import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.page.VersionKey;
import io.storageengine.schemas.segment.SegmentKind;
import io.storageengine.segments.segment.SegmentReader;
import io.storageengine.segments.segment.SegmentRecord;
import io.storageengine.segments.segment.SegmentScanner;
import io.storageengine.segments.store.DirectorySegmentStore;
import io.storageengine.segments.store.SegmentStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class CopyMergeTest {
    @TempDir
    Path dir;

    static IntStream cases() {
        return IntStream.range(0, 24);
    }

    /**
     * Seeded cases: 1 to 6 segments whose keys overlap (the same key may hold a delta in one input
     * and an image in another); the copy merge must yield exactly what {@link KWayMerge} yields over
     * the same segments, record by record, with the same duplicate count.
     */
    @ParameterizedTest(name = "case {0}")
    @MethodSource("cases")
    void yieldsWhatTheRecordMergeYields(int testCase) throws Exception {
        Random rnd = new Random(testCase * 31L + 5);
        SegmentStore store = new DirectorySegmentStore(dir.resolve("c" + testCase));
        int inputs = 1 + testCase % 6;
        List<String> names = new ArrayList<>();
        List<Map.Entry<byte[], byte[]>> shared = new ArrayList<>(
                TestData.randomVersions(rnd, 40, 2, 6, 1).entrySet());
        for (int i = 0; i < inputs; i++) {
            TreeMap<byte[], byte[]> part = TestData.randomVersions(rnd, rnd.nextInt(400), 2, 30, rnd.nextInt(50));
            for (Map.Entry<byte[], byte[]> e : shared) {
                if (rnd.nextBoolean()) {
                    // The same key in several inputs, sometimes as an image here and a delta elsewhere.
                    part.put(e.getKey(), rnd.nextInt(3) == 0 ? StoredVersion.image(new byte[8192]) : e.getValue());
                }
            }
            if (part.isEmpty()) {
                part.put(VersionKey.encode(TestData.pageKey(1, 1), 7), e0(rnd));
            }
            String name = "in-" + i;
            TestData.write(store, name, SegmentKind.DELTA, 0, part);
            names.add(name);
        }
        List<SegmentReader> readers = new ArrayList<>();
        for (String n : names) {
            readers.add(store.open(n));
        }
        try {
            List<byte[][]> expected = new ArrayList<>();
            long expectedDuplicates;
            List<Iterator<SegmentRecord>> its = new ArrayList<>();
            readers.forEach(r -> its.add(r.scan()));
            try (KWayMerge m = new KWayMerge(its)) {
                m.forEachRemaining(r -> expected.add(new byte[][] {r.key(), r.value()}));
                expectedDuplicates = m.duplicates();
            }
            List<SegmentScanner> scanners = new ArrayList<>();
            readers.forEach(r -> scanners.add(r.scan()));
            List<byte[][]> actual = new ArrayList<>();
            try (CopyMerge m = new CopyMerge(scanners)) {
                while (m.next()) {
                    byte[] b = m.buffer();
                    actual.add(new byte[][] {Arrays.copyOfRange(b, m.keyOffset(), m.keyOffset() + 57),
                            Arrays.copyOfRange(b, m.valueOffset(), m.valueOffset() + m.valueLength())});
                }
                assertThat(m.duplicates()).isEqualTo(expectedDuplicates);
                assertThat(m.emitted()).isEqualTo(expected.size());
            }
            assertThat(actual).hasSameSizeAs(expected);
            for (int i = 0; i < expected.size(); i++) {
                assertThat(actual.get(i)[0]).isEqualTo(expected.get(i)[0]);
                assertThat(actual.get(i)[1]).isEqualTo(expected.get(i)[1]);
            }
            if (inputs > 1) {
                assertThat(expectedDuplicates).isPositive();
            }
        } finally {
            readers.forEach(SegmentReader::close);
        }
    }

    private static byte[] e0(Random rnd) {
        return TestData.randomValue(rnd, new PageRef(1663, 5, 16384, 0, 1), false);
    }

    @Test
    void anImageWinsOverADeltaOrAPostgresRecordAtTheSameKeyWhicheverInputHoldsIt() throws Exception {
        byte[] key = VersionKey.encode(TestData.pageKey(1, 1), 100);
        byte[] image = StoredVersion.image(new byte[8192]);
        List<byte[]> others = List.of(TestData.randomValue(new Random(1), new PageRef(1663, 5, 16384, 0, 1), false),
                TestData.pgRecord(true), TestData.pgRecord(false));
        for (int o = 0; o < others.size(); o++) {
            for (boolean imageFirst : new boolean[] {true, false}) {
                byte[] other = others.get(o);
                SegmentStore store = new DirectorySegmentStore(dir.resolve("img" + o + imageFirst));
                TestData.write(store, "a", SegmentKind.DELTA, 0, Map.of(key, imageFirst ? image : other));
                TestData.write(store, "b", SegmentKind.DELTA, 0, Map.of(key, imageFirst ? other : image));
                try (SegmentReader a = store.open("a"); SegmentReader b = store.open("b");
                     CopyMerge m = new CopyMerge(List.of(a.scan(), b.scan()))) {
                    assertThat(m.next()).isTrue();
                    assertThat(m.buffer()[m.valueOffset()]).isEqualTo(image[0]);
                    assertThat(m.valueLength()).isEqualTo(image.length);
                    assertThat(m.next()).isFalse();
                    assertThat(m.duplicates()).isEqualTo(1);
                }
            }
        }
    }
}
