package io.storageengine.schemas.wal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LsnTest {

    @Test
    void parsesAndFormatsPostgresForm() {
        Lsn lsn = Lsn.parse("16/B374D848");
        assertThat(lsn.value()).isEqualTo(0x16B374D848L);
        assertThat(lsn).hasToString("16/B374D848");
        assertThat(Lsn.parse("0/0")).isEqualTo(Lsn.ZERO);
        assertThat(Lsn.parse("16/b374d848")).isEqualTo(lsn);
        assertThat(Lsn.MAX).hasToString("FFFFFFFF/FFFFFFFF");
    }

    @Test
    void parsesDecimal() {
        assertThat(Lsn.parse("97500").value()).isEqualTo(97500L);
        assertThat(Lsn.parse("18446744073709551615")).isEqualTo(Lsn.MAX);
    }

    @Test
    void rejectsMalformedText() {
        for (String bad : new String[] {"", "/", "1/", "/1", "123456789/0", "0/123456789", "x/1", "-1", "1.5", "0x10", "1/2/3",
                "18446744073709551616"}) {
            assertThatThrownBy(() -> Lsn.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("LSN");
        }
    }

    @Test
    void comparesUnsigned() {
        assertThat(Lsn.MAX.isAfter(Lsn.of(1))).isTrue();
        assertThat(Lsn.of(0x7FFFFFFFFFFFFFFFL).isBefore(Lsn.of(0x8000000000000000L))).isTrue();
    }

    /** Property: both text forms round-trip, for edge values and 10,000 seeded random ones. */
    @Test
    void textRoundTrips() {
        SplittableRandom r = new SplittableRandom(20261125);
        long[] edges = {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE, 0xFFFFFFFFL, 0x1_0000_0000L};
        for (int i = 0; i < 10_000 + edges.length; i++) {
            long value = i < edges.length ? edges[i] : r.nextLong();
            Lsn lsn = Lsn.of(value);
            assertThat(Lsn.parse(lsn.toString())).as("value %d", value).isEqualTo(lsn);
            assertThat(Lsn.parse(Long.toUnsignedString(value))).as("value %d", value).isEqualTo(lsn);
        }
    }

    @Test
    void rawValuesCompareUnsigned() {
        org.assertj.core.api.Assertions.assertThat(Lsn.isAfter(-1L, 1L)).isTrue();
        org.assertj.core.api.Assertions.assertThat(Lsn.isBefore(1L, 0x8000_0000_0000_0000L)).isTrue();
        org.assertj.core.api.Assertions.assertThat(Lsn.compare(5, 5)).isZero();
        org.assertj.core.api.Assertions.assertThat(Lsn.max(-2L, 3L)).isEqualTo(-2L);
    }
}
