package io.storageengine.compactor.merge;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageengine.pagecore.StoredVersion;
import io.storageengine.pagecore.VersionChains;
import io.storageengine.schemas.page.VersionKey;
import io.storageengine.segments.segment.SegmentRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class KWayMergeTest {
    static IntStream cases() {
        return IntStream.range(0, 64);
    }

    /** 64 seeded cases: 0 to 7 inputs (case % 8) of random sorted versions. */
    @ParameterizedTest(name = "case {0}")
    @MethodSource("cases")
    void mergesAnyNumberOfSortedInputsIntoOneSortedStreamWithEachKeyOnce(int testCase) {
        int inputs = testCase % 8;
        Random rnd = new Random(testCase * 7919L);
        TreeMap<byte[], byte[]> union = new TreeMap<>(Arrays::compareUnsigned);
        List<Iterator<SegmentRecord>> its = new ArrayList<>();
        long expectedDuplicates = 0;
        for (int i = 0; i < inputs; i++) {
            TreeMap<byte[], byte[]> part = TestData.randomVersions(rnd, rnd.nextInt(50), 2, 5, rnd.nextInt(30));
            for (byte[] k : part.keySet()) {
                if (union.containsKey(k)) {
                    expectedDuplicates++;
                }
            }
            part.forEach(union::putIfAbsent);
            its.add(part.entrySet().stream().map(e -> new SegmentRecord(e.getKey(), e.getValue())).iterator());
        }
        List<byte[]> keys = new ArrayList<>();
        try (KWayMerge m = new KWayMerge(its)) {
            m.forEachRemaining(r -> keys.add(r.key()));
            assertThat(m.duplicates()).isEqualTo(expectedDuplicates);
        }
        assertThat(keys).containsExactlyElementsOf(union.keySet());
    }

    @Test
    void anImageWinsOverADeltaOrAPostgresRecordAtTheSameKeyWhicheverInputHoldsIt() {
        byte[] key = VersionKey.encode(TestData.pageKey(1, 1), 100);
        byte[] image = StoredVersion.image(new byte[8192]);
        List<byte[]> others = List.of(TestData.randomValue(new Random(1),
                new io.storageengine.schemas.page.PageRef(1663, 5, 16384, 0, 1), false),
                TestData.pgRecord(true), TestData.pgRecord(false));
        for (byte[] other : others) {
            for (boolean imageFirst : new boolean[] {true, false}) {
                List<Iterator<SegmentRecord>> its = List.of(
                        List.of(new SegmentRecord(key, imageFirst ? image : other)).iterator(),
                        List.of(new SegmentRecord(key, imageFirst ? other : image)).iterator());
                try (KWayMerge m = new KWayMerge(its)) {
                    assertThat(VersionChains.isMaterializedImage(m.next().value())).isTrue();
                    assertThat(m.hasNext()).isFalse();
                    assertThat(m.duplicates()).isEqualTo(1);
                }
            }
        }
    }
}
