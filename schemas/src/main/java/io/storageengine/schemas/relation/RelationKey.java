package io.storageengine.schemas.relation;

import io.storageengine.schemas.timeline.TimelineKey;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The key of a record in the relations topic: tenant(16) | timeline(16) | {@link RelFork}(13),
 * 45 bytes, for a size change; or the 32-byte timeline key alone for a watermark (sent to every
 * partition explicitly). Size changes are placed by Kafka's default partitioner on these bytes, so
 * one fork's history is in one partition, in LSN order. Immutable.
 */
public record RelationKey(TimelineKey timeline, RelFork fork) {
    public static final int SIZE = TimelineKey.SIZE + RelFork.SIZE;

    public RelationKey {
        Objects.requireNonNull(timeline, "timeline");
    }

    public static RelationKey watermark(TimelineKey timeline) {
        return new RelationKey(timeline, null);
    }

    public boolean isWatermark() {
        return fork == null;
    }

    public byte[] toBytes() {
        ByteBuffer b = ByteBuffer.allocate(fork == null ? TimelineKey.SIZE : SIZE);
        timeline.write(b);
        if (fork != null) {
            fork.write(b);
        }
        return b.array();
    }

    /** @throws IllegalArgumentException unless the bytes are 32 or 45 long with a fork number 0-3 */
    public static RelationKey fromBytes(byte[] bytes) {
        if (bytes == null || (bytes.length != TimelineKey.SIZE && bytes.length != SIZE)) {
            throw new IllegalArgumentException("relation key must be " + TimelineKey.SIZE + " or " + SIZE
                    + " bytes, got " + (bytes == null ? "null" : bytes.length));
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        TimelineKey t = TimelineKey.read(b);
        return new RelationKey(t, b.hasRemaining() ? RelFork.read(b) : null);
    }

    @Override
    public String toString() {
        return timeline + (fork == null ? " (watermark)" : " " + fork);
    }
}
