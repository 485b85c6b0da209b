package io.storageengine.pageservice.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageengine.schemas.page.VersionKey;
import io.storageengine.schemas.timeline.TimelineKey;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.Map;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/** The applied-watermarks layout: 36-byte key partition | tenant | timeline, 8-byte LSN, big-endian. */
class WatermarkKeysTest {
    private static final TimelineKey T = TimelineKey.of("0123456789abcdef0123456789abcdef", "000000000000000000000000000000aa");
    private static final TimelineKey U = TimelineKey.of("0123456789abcdef0123456789abcdef", "000000000000000000000000000000bb");

    @Test
    void keyAndValueLayout() {
        byte[] k = WatermarkKeys.key(7, T);
        assertThat(k).hasSize(36).hasSize(WatermarkKeys.KEY_SIZE);
        assertThat(HexFormat.of().formatHex(k)).isEqualTo("00000007" + "0123456789abcdef0123456789abcdef"
                + "000000000000000000000000000000aa");
        assertThat(WatermarkKeys.key(7, T.toBytes())).isEqualTo(k);
        assertThat(WatermarkKeys.partitionOf(k)).isEqualTo(7);
        assertThat(WatermarkKeys.timelineOf(k)).isEqualTo(T);
        assertThat(WatermarkKeys.value(0x16B3748)).isEqualTo(ByteBuffer.allocate(8).putLong(0x16B3748).array());
        assertThat(WatermarkKeys.lsnOf(WatermarkKeys.value(-2L))).isEqualTo(-2L);
        assertThat(WatermarkKeys.KEY_SIZE).as("never a VersionKey, so page scans skip markers").isNotEqualTo(VersionKey.SIZE);
    }

    @Test
    void loadKeepsOnlyThisPartitionsWellFormedMarks() {
        KeyValueStore<byte[], byte[]> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("w"),
                Serdes.ByteArray(), Serdes.ByteArray()).withLoggingDisabled().build();
        store.init(new MockProcessorContext<Void, Void>().getStateStoreContext(), store);
        store.put(WatermarkKeys.key(1, T), WatermarkKeys.value(100));
        store.put(WatermarkKeys.key(1, U), WatermarkKeys.value(-5L));
        store.put(WatermarkKeys.key(2, T), WatermarkKeys.value(200));
        store.put(WatermarkKeys.key(1, TimelineKey.of("0123456789abcdef0123456789abcdef", "000000000000000000000000000000cc")),
                new byte[] {1, 2, 3});
        store.put(new byte[] {0, 0, 0, 1}, WatermarkKeys.value(1));
        assertThat(WatermarkKeys.load(store, 1)).isEqualTo(Map.of(T, 100L, U, -5L));
        assertThat(WatermarkKeys.load(store, 2)).isEqualTo(Map.of(T, 200L));
        assertThat(WatermarkKeys.load(store, 3)).isEmpty();
        store.close();
    }
}
