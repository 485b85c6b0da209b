package io.storageengine.schemas.timeline;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A timeline of a tenant: the unit of WAL ordering. On the wire: tenant id (16) | timeline id (16),
 * the 32-byte Kafka key of WATERMARK records and the prefix of every page key. Immutable.
 */
public record TimelineKey(TenantId tenant, TimelineId timeline) {
    public static final int SIZE = TenantId.SIZE + TimelineId.SIZE;

    public TimelineKey {
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(timeline, "timeline");
    }

    public static TimelineKey of(String tenant, String timeline) {
        return new TimelineKey(TenantId.parse(tenant), TimelineId.parse(timeline));
    }

    public static TimelineKey read(ByteBuffer b) {
        return new TimelineKey(TenantId.read(b), TimelineId.read(b));
    }

    public void write(ByteBuffer b) {
        tenant.write(b);
        timeline.write(b);
    }

    public byte[] toBytes() {
        ByteBuffer b = ByteBuffer.allocate(SIZE);
        write(b);
        return b.array();
    }

    public static TimelineKey fromBytes(byte[] bytes) {
        if (bytes.length != SIZE) {
            throw new IllegalArgumentException("timeline key must be " + SIZE + " bytes, got " + bytes.length);
        }
        return read(ByteBuffer.wrap(bytes));
    }

    @Override
    public String toString() {
        return tenant + "/" + timeline;
    }
}
