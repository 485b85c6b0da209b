package io.storageengine.pagecore;

import static io.storageengine.pagecore.Versions.delta;
import static io.storageengine.pagecore.Versions.image;
import static io.storageengine.pagecore.Versions.list;
import static io.storageengine.pagecore.Versions.pg;
import static org.assertj.core.api.Assertions.assertThat;

import io.storageengine.pagecore.Versions.V;
import io.storageengine.schemas.wal.Lsn;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class VersionChainsTest {

    @Test
    void imagesAndWillInitRecordsStartChainsDeltasAndOtherRecordsDoNot() {
        assertThat(VersionChains.startsChain(image(1))).isTrue();
        assertThat(VersionChains.startsChain(delta(0, (byte) 1))).isFalse();
        assertThat(VersionChains.startsChain(pg(true, 10, 0))).isTrue();
        assertThat(VersionChains.startsChain(pg(false, 10, 0))).isFalse();
    }

    @Test
    void aMaterializedImageReplacesAnyOtherVersionAtItsLsnAndNothingElseDoes() {
        byte[][] all = {image(1), delta(0, (byte) 1), pg(true, 10, 0), pg(false, 10, 0)};
        for (byte[] candidate : all) {
            for (byte[] kept : all) {
                boolean expected = candidate[0] == 0x01 && kept[0] != 0x01;
                assertThat(VersionChains.replaces(candidate, kept)).isEqualTo(expected);
                assertThat(VersionChains.replaces(candidate[0], kept[0])).isEqualTo(expected);
            }
        }
        assertThat(VersionChains.covers(image(1), pg(true, 10, 0))).isTrue();
        assertThat(VersionChains.covers(image(1), image(2))).isFalse();
        assertThat(VersionChains.covers(delta(0, (byte) 1), delta(0, (byte) 1))).isTrue();
        assertThat(VersionChains.covers(delta(0, (byte) 1), image(1))).isFalse();
    }

    @Test
    void chainStartAndWhatAReaderNeeds() {
        List<V> chain = list(50, delta(0, (byte) 1), 40, pg(true, 10, 0), 30, image(1));
        assertThat(VersionChains.chainStart(VersionList.of(chain))).isEqualTo(1);
        assertThat(VersionChains.neededFrom(chain.subList(0, 2))).isEqualTo(40);
        assertThat(VersionChains.neededFrom(chain.subList(0, 1))).isZero();
        assertThat(VersionChains.neededFrom(List.<V>of())).isZero();
        assertThat(VersionChains.chainStart(VersionList.of(chain.subList(0, 1)))).isEqualTo(-1);
    }

    @Test
    void hotDeltaAndColdImageAtOneLsnMergeToTheImageWhichEndsTheChain() {
        List<V> hot = list(30, delta(0, (byte) 3), 20, delta(0, (byte) 2));
        List<V> cold = list(20, image(9), 10, delta(0, (byte) 1));
        List<V> out = merged(List.of(hot, cold), 100, true);
        assertThat(out).extracting(V::lsn).containsExactly(30L, 20L);
        assertThat(out.get(1).stored()[0]).isEqualTo((byte) 0x01);
    }

    @Test
    void willInitAndImageAtOneLsnKeepTheImageWhicheverInputHoldsIt() {
        byte[] init = pg(true, 10, 0);
        byte[] img = image(4);
        assertThat(merged(List.of(list(20, init), list(20, img)), 100, true)).extracting(V::stored).containsExactly(img);
        assertThat(merged(List.of(list(20, img), list(20, init)), 100, true)).extracting(V::stored).containsExactly(img);
    }

    @Test
    void versionsAboveMaxLsnAreLeftOutUnsigned() {
        List<V> a = list(-1L, delta(0, (byte) 1), 0x8000_0000_0000_0000L, delta(0, (byte) 2), 5, delta(0, (byte) 3));
        assertThat(merged(List.of(a), 0x8000_0000_0000_0000L, false)).extracting(V::lsn)
                .containsExactly(0x8000_0000_0000_0000L, 5L);
        assertThat(merged(List.of(a), -1L, false)).hasSize(3);
    }

    @Test
    void withoutACutEveryLsnOfEveryInputComesOnceNewestFirst() {
        List<V> a = list(40, delta(0, (byte) 4), 20, image(2));
        List<V> b = list(30, delta(0, (byte) 3), 20, delta(0, (byte) 9), 10, delta(0, (byte) 1));
        assertThat(merged(List.of(a, b), 100, false)).extracting(V::lsn).containsExactly(40L, 30L, 20L, 10L);
        assertThat(merged(List.of(a, b), 100, true)).extracting(V::lsn).containsExactly(40L, 30L, 20L);
    }

    /** Property: random inputs merge exactly as a simple map-based model of the rules does. */
    @Test
    void mergeMatchesAReferenceModel() {
        for (long seed = 0; seed < 500; seed++) {
            Random r = new Random(seed);
            int k = 1 + r.nextInt(4);
            List<List<V>> inputs = new ArrayList<>();
            for (int i = 0; i < k; i++) {
                List<V> in = new ArrayList<>();
                long lsn = 60 + r.nextInt(5);
                while (lsn > 0 && in.size() < 12) {
                    in.add(new V(lsn, randomVersion(r)));
                    lsn -= 1 + r.nextInt(6);
                }
                inputs.add(in);
            }
            long maxLsn = r.nextInt(70);
            boolean cut = r.nextBoolean();
            assertThat(merged(inputs, maxLsn, cut)).as("seed %d", seed).isEqualTo(reference(inputs, maxLsn, cut));
        }
    }

    private static byte[] randomVersion(Random r) {
        return switch (r.nextInt(4)) {
            case 0 -> image(r.nextInt(5));
            case 1 -> pg(r.nextBoolean(), 10, r.nextInt(256));
            default -> delta(r.nextInt(100), (byte) r.nextInt(5));
        };
    }

    /** The model: a map from LSN to the first version seen, an image replacing a non-image; then a cut. */
    private static List<V> reference(List<List<V>> inputs, long maxLsn, boolean cut) {
        TreeMap<Long, V> m = new TreeMap<>((x, y) -> Lsn.compare(y, x));
        for (List<V> in : inputs) {
            for (V v : in) {
                if (Lsn.isAfter(v.lsn(), maxLsn)) {
                    continue;
                }
                V prior = m.get(v.lsn());
                if (prior == null || (v.stored()[0] == 1 && prior.stored()[0] != 1)) {
                    m.put(v.lsn(), v);
                }
            }
        }
        List<V> out = new ArrayList<>();
        for (V v : m.values()) {
            out.add(v);
            boolean start = v.stored()[0] == 1 || (v.stored()[0] == 4 && (v.stored()[2] & 1) != 0);
            if (cut && start) {
                break;
            }
        }
        return out;
    }

    static List<V> merged(List<List<V>> inputs, long maxLsn, boolean cut) {
        VersionList[] views = inputs.stream().map(VersionList::of).toArray(VersionList[]::new);
        List<V> out = new ArrayList<>();
        VersionChains.merge(views, maxLsn, cut, (input, index) -> out.add(inputs.get(input).get(index)));
        return out;
    }
}
