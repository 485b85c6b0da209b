package io.storageengine.segments.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

class KeyFilterTest {

    private static byte[] key(long i) {
        byte[] k = new byte[49];
        ByteBuffer.wrap(k).putLong(0, 0xABCDL).putLong(41, i);
        return k;
    }

    private static KeyFilter filterOf(int n) {
        LongList hashes = new LongList();
        for (int i = 0; i < n; i++) {
            byte[] k = key(i * 2L);
            hashes.add(KeyFilter.hashKey(k, 0, k.length));
        }
        return KeyFilter.build(hashes.array(), hashes.size());
    }

    @Test
    void hasNoFalseNegativesAndAboutOnePercentFalsePositives() {
        KeyFilter f = filterOf(20_000);
        for (int i = 0; i < 20_000; i++) {
            assertThat(f.mightContain(key(i * 2L), 0, 49)).isTrue();
        }
        int fp = 0;
        for (int i = 0; i < 20_000; i++) {
            if (f.mightContain(key(i * 2L + 1), 0, 49)) {
                fp++;
            }
        }
        assertThat(fp / 20_000.0).isLessThan(0.02);
    }

    @Test
    void aFilterOfOneKeyRejectsOthers() {
        KeyFilter f = filterOf(1);
        assertThat(f.mightContain(key(0), 0, 49)).isTrue();
        int fp = 0;
        for (int i = 1; i < 1000; i++) {
            fp += f.mightContain(key(i), 0, 49) ? 1 : 0;
        }
        assertThat(fp).isLessThan(50);
    }

    @Test
    void encodingRoundTrips() {
        KeyFilter f = filterOf(500);
        ByteBuffer b = ByteBuffer.allocate(f.encodedSize());
        f.encode(b);
        KeyFilter g = KeyFilter.decode(b.flip());
        for (int i = 0; i < 1000; i++) {
            assertThat(g.mightContain(key(i), 0, 49)).isEqualTo(f.mightContain(key(i), 0, 49));
        }
    }

    @Test
    void decodingRejectsImpossibleHeaders() {
        assertThatThrownBy(() -> KeyFilter.decode(ByteBuffer.allocate(4))).isInstanceOf(IllegalArgumentException.class);
        ByteBuffer bad = ByteBuffer.allocate(12 + 8).putLong(63).putInt(7);
        assertThatThrownBy(() -> KeyFilter.decode(bad.flip())).isInstanceOf(IllegalArgumentException.class);
        ByteBuffer shortWords = ByteBuffer.allocate(12 + 8).putLong(128).putInt(7);
        assertThatThrownBy(() -> KeyFilter.decode(shortWords.flip())).hasMessageContaining("expected 16");
    }

    @Test
    void hashSpreadsKeysThatDifferInOneByte() {
        Random rnd = new Random(1);
        byte[] k = new byte[49];
        rnd.nextBytes(k);
        long h = Hashing.hash64(k, 0, 49);
        for (int i = 0; i < 49; i++) {
            k[i] ^= 1;
            assertThat(Hashing.hash64(k, 0, 49)).isNotEqualTo(h);
            k[i] ^= 1;
        }
    }
}
