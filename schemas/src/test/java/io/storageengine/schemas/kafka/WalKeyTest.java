package io.storageengine.schemas.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storageengine.schemas.page.Fork;
import io.storageengine.schemas.page.PageKey;
import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.timeline.TimelineKey;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class WalKeyTest {
    static final TimelineKey T = TimelineKey.of("11111111111111111111111111111111", "22222222222222222222222222222222");

    @Test
    void pageAndWatermarkKeysRoundTripThroughTheTopicSerde() {
        var serde = Topics.WAL.keySerde();
        WalKey page = WalKey.of(new PageKey(T, PageRef.of(1663, 1, 2, Fork.VM, 9)));
        WalKey wm = WalKey.watermark(T);
        byte[] pb = serde.serializer().serialize("wal", page);
        byte[] wb = serde.serializer().serialize("wal", wm);
        assertThat(pb).hasSize(49);
        assertThat(wb).hasSize(32);
        assertThat(serde.deserializer().deserialize("wal", pb)).isEqualTo(page);
        assertThat(serde.deserializer().deserialize("wal", wb)).isEqualTo(wm);
        assertThat(wm.isWatermark()).isTrue();
        assertThatThrownBy(() -> serde.deserializer().deserialize("wal", new byte[33]))
                .isInstanceOf(SerializationException.class).hasMessageContaining("33");
    }

    @Test
    void partitioningIsKafkasDefaultPartitioner() {
        for (int block = 0; block < 1000; block++) {
            byte[] key = new PageKey(T, PageRef.of(1663, 1, 2, Fork.MAIN, block)).toBytes();
            assertThat(Partitioning.partitionOf(key, 8)).isEqualTo(BuiltInPartitioner.partitionForKey(key, 8));
        }
    }
}
