package io.storageengine.schemas.page;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storageengine.schemas.timeline.TenantId;
import io.storageengine.schemas.timeline.TimelineId;
import io.storageengine.schemas.timeline.TimelineKey;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KeysTest {

    /** Property: 5,000 seeded random page keys round-trip through their 49 bytes. */
    @Test
    void pageKeyRoundTrips() {
        SplittableRandom r = new SplittableRandom(11);
        for (int i = 0; i < 5_000; i++) {
            long a = r.nextLong();
            long b = r.nextLong();
            PageKey key = new PageKey(new TimelineKey(new TenantId(a, b), new TimelineId(b, a)),
                    new PageRef(r.nextInt(), r.nextInt(), r.nextInt(), r.nextInt(4), i == 0 ? -1 : r.nextInt()));
            byte[] bytes = key.toBytes();
            assertThat(bytes).hasSize(49);
            assertThat(PageKey.fromBytes(bytes)).isEqualTo(key);
        }
    }

    @Test
    void pageRefLayoutIsTheSpecs() {
        ByteBuffer b = ByteBuffer.allocate(17);
        new PageRef(1663, 2, 3, 1, 0xFFFFFFFF).write(b);
        assertThat(b.array()).containsExactly(0, 0, 6, 127, 0, 0, 0, 2, 0, 0, 0, 3, 1, -1, -1, -1, -1);
        assertThat(new PageRef(1663, 2, 3, 1, 0xFFFFFFFF).block()).isEqualTo(4294967295L);
    }

    @Test
    void versionKeysSortByPageThenUnsignedLsn() {
        PageKey k = new PageKey(TimelineKey.of("00000000000000000000000000000001", "00000000000000000000000000000002"),
                PageRef.of(1663, 1, 1, Fork.MAIN, 1));
        byte[] low = VersionKey.encode(k, 5);
        byte[] high = VersionKey.encode(k.toBytes(), 0x8000000000000000L);
        assertThat(VersionKey.compare(low, high)).isNegative();
        assertThat(VersionKey.lsnOf(high)).isEqualTo(0x8000000000000000L);
        assertThat(VersionKey.pageKeyOf(low)).isEqualTo(k.toBytes());
        assertThat(VersionKey.hasPageKey(high, k.toBytes())).isTrue();
        assertThatThrownBy(() -> VersionKey.encode(new byte[48], 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void forksParseByNameOrNumber() {
        assertThat(Fork.parse("vm")).isEqualTo(Fork.VM);
        assertThat(Fork.parse("FSM")).isEqualTo(Fork.FSM);
        assertThat(Fork.parse("3")).isEqualTo(Fork.INIT);
        assertThatThrownBy(() -> Fork.parse("4")).hasMessageContaining("out of range");
        assertThatThrownBy(() -> Fork.parse("heap")).hasMessageContaining("unknown fork");
    }
}
