package io.storageengine.schemas.timeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class IdsTest {
    @Test
    void parsesHexAndDashedUuid() {
        TenantId a = TenantId.parse("0123456789abcdef0123456789ABCDEF");
        TenantId b = TenantId.parse("01234567-89ab-cdef-0123-456789abcdef");
        assertThat(a).isEqualTo(b).hasToString("0123456789abcdef0123456789abcdef");
    }

    @Test
    void rejectsMalformedIds() {
        for (String bad : new String[] {"", "123", "0123456789abcdef0123456789abcdeg", "0123456789abcdef0123456789abcdef0",
                "01234567-89ab-cdef-0123-456789abcdeg", "0123456789-ab-cdef-0123-456789abcdef"}) {
            assertThatThrownBy(() -> TimelineId.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("timeline id");
        }
    }

    /** Property: text and bytes round-trip for 5,000 seeded random ids. */
    @Test
    void textAndBytesRoundTrip() {
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 5_000; i++) {
            long hi = r.nextLong();
            long lo = i == 0 ? 0 : r.nextLong();
            TimelineKey k = new TimelineKey(new TenantId(hi, lo), new TimelineId(lo, hi));
            assertThat(TimelineKey.of(k.tenant().toString(), k.timeline().toString())).isEqualTo(k);
            assertThat(TimelineKey.fromBytes(k.toBytes())).isEqualTo(k);
        }
    }
}
