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
 *
 * <p>The same key and value are also written into the {@code page-versions} store as a watermark
 * marker. A standby replica restores each store's changelog on its own, so only a marker in the
 * versions changelog is ordered after the versions it covers. A 36-byte key never falls inside a
 * page's range [VersionKey(P, 0), VersionKey(P, L)] (57-byte keys sharing a 49-byte prefix), so
 * page scans never meet markers; code that iterates the whole store skips keys that are not
 * {@link io.storageengine.schemas.page.VersionKey#SIZE} long.
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
