package io.storageengine.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ByteSizesTest {
    @Test
    void bareNumbersAreBytes() {
        assertThat(ByteSizes.parse("67108864")).isEqualTo(64L << 20);
        assertThat(ByteSizes.parse("0")).isZero();
        assertThat(ByteSizes.parse("512B")).isEqualTo(512);
    }

    @Test
    void binaryUnitsArePowersOf1024() {
        assertThat(ByteSizes.parse("64KiB")).isEqualTo(64L << 10);
        assertThat(ByteSizes.parse("256MiB")).isEqualTo(256L << 20);
        assertThat(ByteSizes.parse("1GiB")).isEqualTo(1L << 30);
        assertThat(ByteSizes.parse("2TiB")).isEqualTo(2L << 40);
        assertThat(ByteSizes.parse("8 mib")).isEqualTo(8L << 20);
    }

    @Test
    void decimalUnitsArePowersOf1000() {
        assertThat(ByteSizes.parse("64MB")).isEqualTo(64_000_000L);
        assertThat(ByteSizes.parse("4kB")).isEqualTo(4000);
        assertThat(ByteSizes.parse("4KB")).isEqualTo(4000);
        assertThat(ByteSizes.parse("1GB")).isEqualTo(1_000_000_000L);
        assertThat(ByteSizes.parse("3TB")).isEqualTo(3_000_000_000_000L);
    }

    @Test
    void malformedAndOverflowingSizesAreRefusedWithTheText() {
        assertThatThrownBy(() -> ByteSizes.parse("64 megs")).hasMessageContaining("'64 megs'").hasMessageContaining("MiB");
        assertThatThrownBy(() -> ByteSizes.parse("-1")).hasMessageContaining("'-1'");
        assertThatThrownBy(() -> ByteSizes.parse("1.5GiB")).hasMessageContaining("'1.5GiB'");
        assertThatThrownBy(() -> ByteSizes.parse("MiB")).hasMessageContaining("'MiB'");
        assertThatThrownBy(() -> ByteSizes.parse("9000000TiB")).hasMessageContaining("too large");
        assertThatThrownBy(() -> ByteSizes.parse("99999999999999999999")).hasMessageContaining("too large");
    }
}
