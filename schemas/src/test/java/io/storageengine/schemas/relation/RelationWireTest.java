package io.storageengine.schemas.relation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storageengine.schemas.kafka.RelationTopic;
import io.storageengine.schemas.page.Fork;
import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.timeline.TimelineKey;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class RelationWireTest {
    private static final TimelineKey TL = TimelineKey.of("0123456789abcdef0123456789abcdef",
            "fedcba9876543210fedcba9876543210");

    @Test
    void keysRoundTripInBothSizes() {
        RelFork fork = RelFork.of(1663, 0xFFFF_FFF0L, 16384, Fork.VM);
        RelationKey k = new RelationKey(TL, fork);
        byte[] bytes = k.toBytes();
        assertThat(bytes).hasSize(45);
        assertThat(RelationKey.fromBytes(bytes)).isEqualTo(k);
        assertThat(fork.db()).isEqualTo(0xFFFF_FFF0L);
        assertThat(fork).hasToString("1663/4294967280/16384.vm");
        RelationKey w = RelationKey.watermark(TL);
        assertThat(w.toBytes()).hasSize(32).isEqualTo(TL.toBytes());
        assertThat(RelationKey.fromBytes(w.toBytes()).isWatermark()).isTrue();
        assertThat(RelFork.of(PageRef.of(1663, 5, 7, Fork.FSM, 99))).isEqualTo(RelFork.of(1663, 5, 7, Fork.FSM));
    }

    @Test
    void badKeysAreRejected() {
        assertThatThrownBy(() -> RelationKey.fromBytes(new byte[44])).hasMessageContaining("44");
        byte[] bad = new RelationKey(TL, RelFork.of(1, 2, 3, Fork.MAIN)).toBytes();
        bad[44] = 9;
        assertThatThrownBy(() -> RelationKey.fromBytes(bad)).hasMessageContaining("fork number 9");
        assertThatThrownBy(() -> RelationTopic.KEY_SERDE.deserializer().deserialize("t", new byte[3]))
                .isInstanceOf(SerializationException.class);
    }

    @Test
    void recordsRoundTripWithCrc() {
        RelationRecord s = new RelationRecord.Size(0x1_0000_0010L, 0xFFFF_FFFFL, true);
        byte[] b = s.encode();
        assertThat(b).hasSize(18);
        assertThat(RelationRecord.decode(b)).isEqualTo(s);
        RelationRecord gone = RelationRecord.size(42, RelationSize.dropped(RelFork.of(1, 2, 3, Fork.MAIN)));
        assertThat(RelationRecord.decode(gone.encode())).isEqualTo(new RelationRecord.Size(42, 0, false));
        RelationRecord w = new RelationRecord.Watermark(77);
        assertThat(RelationTopic.VALUE_SERDE.deserializer().deserialize("t",
                RelationTopic.VALUE_SERDE.serializer().serialize("t", w))).isEqualTo(w);
    }

    @Test
    void corruptRecordsAreRejectedWithTheirLsn() {
        byte[] b = new RelationRecord.Size(0x10, 3, true).encode();
        b[12] ^= 1;
        assertThatThrownBy(() -> RelationRecord.decode(b)).hasMessageContaining("0/10").hasMessageContaining("CRC");
        assertThatThrownBy(() -> RelationRecord.decode(new byte[17])).hasMessageContaining("17");
        byte[] unknown = new RelationRecord.Watermark(5).encode();
        unknown[0] = 0x02;
        fixCrc(unknown);
        assertThatThrownBy(() -> RelationRecord.decode(unknown)).hasMessageContaining("unknown type 0x2");
        byte[] blocksButGone = new RelationRecord.Size(5, 3, true).encode();
        blocksButGone[13] = 0;
        fixCrc(blocksButGone);
        assertThatThrownBy(() -> RelationRecord.decode(blocksButGone)).hasMessageContaining("bad flags");
    }

    @Test
    void sizesCheckTheirRange() {
        RelFork f = RelFork.of(1, 2, 3, Fork.MAIN);
        assertThatThrownBy(() -> new RelationSize(f, 1, false)).hasMessageContaining("0 blocks");
        assertThatThrownBy(() -> RelationSize.of(f, 1L << 32)).hasMessageContaining("out of range");
        assertThatThrownBy(() -> new RelFork(1, 2, 3, 4)).hasMessageContaining("fork number 4");
    }

    @Test
    void topicNameFollowsTheWalTopic() {
        assertThat(RelationTopic.DEFAULT_NAME).isEqualTo("wal-relations");
        assertThat(RelationTopic.nameFor("wal-test-7")).isEqualTo("wal-test-7-relations");
    }

    private static void fixCrc(byte[] b) {
        java.util.zip.CRC32C c = new java.util.zip.CRC32C();
        c.update(b, 0, 14);
        java.nio.ByteBuffer.wrap(b).putInt(14, (int) c.getValue());
    }
}
