package io.storageengine.pageservice.read;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageengine.pagecore.StoredVersion;
import io.storageengine.schemas.page.Fork;
import io.storageengine.schemas.page.PageRef;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

class VersionChainTest {
    private static final PageRef REF = PageRef.of(1663, 5, 16384, Fork.MAIN, 1);

    private static byte[] delta(int offset, int value) {
        return new byte[] {0x02, 0, 1, (byte) (offset >> 8), (byte) offset, 0, 1, (byte) value};
    }

    private static byte[] image(int fill) {
        byte[] page = new byte[8192];
        java.util.Arrays.fill(page, (byte) fill);
        return StoredVersion.image(page);
    }

    private static byte[] willInit() {
        ByteBuffer rec = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putInt(24);
        return StoredVersion.pgRecord(0, 1, rec.clear());
    }

    @Test
    void theHotScanStopsAtTheFirstChainStart() {
        VersionChain c = new VersionChain();
        assertThat(c.addOlder(30, delta(0, 3))).isFalse();
        assertThat(c.complete()).isFalse();
        assertThat(c.addOlder(20, willInit())).isTrue();
        assertThat(c.complete()).isTrue();
        assertThat(c.size()).isEqualTo(2);
        assertThat(c.newestLsn()).isEqualTo(30);
    }

    @Test
    void coldVersionsMergeByLsnWithAColdImageReplacingTheHotDeltaAndTheChainCutAtItsStart() throws Exception {
        VersionChain hot = new VersionChain();
        hot.addOlder(40, delta(0, 4));
        hot.addOlder(30, delta(1, 3));
        List<ColdVersion> cold = List.of(new ColdVersion(50, delta(2, 5)), new ColdVersion(30, image(7)),
                new ColdVersion(20, delta(3, 2)));
        VersionChain merged = hot.mergeCold(cold, 45);
        assertThat(merged.size()).isEqualTo(2);
        assertThat(merged.lsn(0)).isEqualTo(40);
        assertThat(merged.lsn(1)).isEqualTo(30);
        assertThat(merged.stored(1)).isEqualTo(image(7));
        assertThat(merged.complete()).isTrue();
        byte[] page = merged.reconstruct(REF);
        assertThat(page[0]).isEqualTo((byte) 4);
        assertThat(page[1]).isEqualTo((byte) 7);
    }

    @Test
    void withoutAnyChainStartEveryVersionIsKeptAndAppliedOntoZeros() throws Exception {
        VersionChain hot = new VersionChain();
        hot.addOlder(40, delta(0, 4));
        VersionChain merged = hot.mergeCold(List.of(new ColdVersion(40, delta(0, 9)), new ColdVersion(10, delta(1, 1))), 100);
        assertThat(merged.size()).isEqualTo(2);
        assertThat(merged.stored(0)).isEqualTo(delta(0, 4)); // the hot copy wins between equals
        assertThat(merged.complete()).isFalse();
        byte[] page = merged.reconstruct(REF);
        assertThat(page[0]).isEqualTo((byte) 4);
        assertThat(page[1]).isEqualTo((byte) 1);
        assertThat(page[2]).isZero();
    }
}
