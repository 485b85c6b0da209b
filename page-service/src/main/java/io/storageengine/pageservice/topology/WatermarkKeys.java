package io.storageengine.pageservice.topology;

import io.storageengine.schemas.timeline.TimelineKey;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Key and value layout of the {@code applied-watermarks} store. Key, 36 bytes: partition(4) |
 * tenant(16) | timeline(16); value, 8 bytes: the applied LSN. Big-endian. Stateless.
 */
public final class WatermarkKeys {
    public static final int KEY_SIZE = 4 + TimelineKey.SIZE;

    private WatermarkKeys() {
    }

    public static byte[] key(int partition, byte[] timelineKey32) {
        byte[] k = new byte[KEY_SIZE];
        ByteBuffer.wrap(k).putInt(partition).put(timelineKey32, 0, TimelineKey.SIZE);
        return k;
    }

    public static byte[] key(int partition, TimelineKey timeline) {
        return key(partition, timeline.toBytes());
    }

    public static int partitionOf(byte[] key) {
        return ByteBuffer.wrap(key).getInt(0);
    }

    public static TimelineKey timelineOf(byte[] key) {
        return TimelineKey.read(ByteBuffer.wrap(key, 4, TimelineKey.SIZE));
    }

    public static byte[] value(long lsn) {
        return ByteBuffer.allocate(8).putLong(lsn).array();
    }

    public static long lsnOf(byte[] value) {
        return ByteBuffer.wrap(value).getLong();
    }

    /** Reads one partition's marks from a watermark store (active, standby or test driver). */
    public static Map<TimelineKey, Long> load(ReadOnlyKeyValueStore<byte[], byte[]> store, int partition) {
        Map<TimelineKey, Long> out = new HashMap<>();
        try (KeyValueIterator<byte[], byte[]> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<byte[], byte[]> kv = it.next();
                if (kv.key.length == KEY_SIZE && partitionOf(kv.key) == partition && kv.value != null
                        && kv.value.length == 8) {
                    out.put(timelineOf(kv.key), lsnOf(kv.value));
                }
            }
        }
        return out;
    }
}
