package io.storageengine.compactor.gc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PendingOutputsTest {
    @Test
    void aHeldPrefixCoversItsFilesAndTheirTemporaryFilesUntilReleased() {
        PendingOutputs pending = new PendingOutputs();
        PendingOutputs.Hold job = pending.hold("p2-L1-10-40-e3-abcd1234");
        PendingOutputs.Hold cut = pending.hold("p2-L0-40-50-e3");
        assertThat(pending.holds("p2-L1-10-40-e3-abcd1234-0")).isTrue();
        assertThat(pending.holds(".p2-L1-10-40-e3-abcd1234-1.8812.tmp")).isTrue();
        assertThat(pending.holds("p2-L0-40-50-e3")).isTrue();
        assertThat(pending.holds("p2-L1-10-40-e3-ffff0000-0")).isFalse();
        assertThat(pending.holds("p1-L0-40-50-e3")).isFalse();
        job.close();
        assertThat(pending.holds("p2-L1-10-40-e3-abcd1234-0")).isFalse();
        assertThat(pending.holds("p2-L0-40-50-e3")).isTrue();
        cut.close();
        assertThat(pending.holds("p2-L0-40-50-e3")).isFalse();
    }

    @Test
    void aPrefixHeldTwiceStaysHeldUntilBothHoldsAreClosed() {
        PendingOutputs pending = new PendingOutputs();
        PendingOutputs.Hold first = pending.hold("p0-L0-0-10-e1");
        PendingOutputs.Hold second = pending.hold("p0-L0-0-10-e1");
        first.close();
        first.close(); // closing twice releases once
        assertThat(pending.holds("p0-L0-0-10-e1")).isTrue();
        second.close();
        assertThat(pending.holds("p0-L0-0-10-e1")).isFalse();
    }

    @Test
    void anEmptyPrefixIsRefused() {
        assertThatThrownBy(() -> new PendingOutputs().hold("")).isInstanceOf(IllegalArgumentException.class);
    }
}
