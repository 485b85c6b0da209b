package io.storageengine.schemas.page;

import io.storageengine.schemas.timeline.TimelineKey;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * One page of one timeline: the Kafka key of page records, 49 bytes:
 * tenant id (16) | timeline id (16) | PageRef (17). Every version of a page has this key, so
 * Kafka's default partitioner puts them in one partition, in LSN order. Immutable.
 */
public record PageKey(TimelineKey timeline, PageRef page) {
    public static final int SIZE = TimelineKey.SIZE + PageRef.SIZE;

    public PageKey {
        Objects.requireNonNull(timeline, "timeline");
        Objects.requireNonNull(page, "page");
    }

    public void write(ByteBuffer b) {
        timeline.write(b);
        page.write(b);
    }

    public byte[] toBytes() {
        ByteBuffer b = ByteBuffer.allocate(SIZE);
        write(b);
        return b.array();
    }

    public static PageKey read(ByteBuffer b) {
        return new PageKey(TimelineKey.read(b), PageRef.read(b));
    }

    public static PageKey fromBytes(byte[] bytes) {
        if (bytes.length != SIZE) {
            throw new IllegalArgumentException("page key must be " + SIZE + " bytes, got " + bytes.length);
        }
        return read(ByteBuffer.wrap(bytes));
    }

    @Override
    public String toString() {
        return timeline + "/" + page;
    }
}
