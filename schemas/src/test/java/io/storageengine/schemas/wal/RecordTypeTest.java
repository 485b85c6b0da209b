package io.storageengine.schemas.wal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RecordTypeTest {
    @Test
    void knownAndReservedCodes() {
        assertThat(RecordType.of(0x01)).isEqualTo(RecordType.PAGE_IMAGE);
        assertThat(RecordType.of(0x02)).isEqualTo(RecordType.PAGE_DELTA);
        assertThat(RecordType.of(0x03)).isEqualTo(RecordType.LSN_ADVANCE);
        assertThat(RecordType.of(0x04)).isEqualTo(RecordType.PG_RECORD);
        assertThat(RecordType.of(0x10)).isEqualTo(RecordType.WATERMARK);
        for (int c = 0; c < 256; c++) {
            boolean known = c == 1 || c == 2 || c == 3 || c == 4 || c == 0x10;
            assertThat(RecordType.isReserved(c)).as("code %d", c).isEqualTo(!known);
        }
    }
}
