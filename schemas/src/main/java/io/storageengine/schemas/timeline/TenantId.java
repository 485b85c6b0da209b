package io.storageengine.schemas.timeline;

import java.nio.ByteBuffer;

/**
 * A tenant id: 128 bits, written as 32 lower-case hex digits (a UUID with dashes is accepted on
 * input). Immutable. On the wire: 16 bytes, big-endian.
 */
public record TenantId(long hi, long lo) {
    public static final int SIZE = 16;

    /** @throws IllegalArgumentException for anything but 32 hex digits or a dashed UUID */
    public static TenantId parse(String text) {
        long[] v = Id128.parse("tenant", text);
        return new TenantId(v[0], v[1]);
    }

    public static TenantId random() {
        long[] v = Id128.random();
        return new TenantId(v[0], v[1]);
    }

    public static TenantId read(ByteBuffer b) {
        long[] v = Id128.read(b);
        return new TenantId(v[0], v[1]);
    }

    public void write(ByteBuffer b) {
        b.putLong(hi).putLong(lo);
    }

    @Override
    public String toString() {
        return Id128.format(hi, lo);
    }
}
