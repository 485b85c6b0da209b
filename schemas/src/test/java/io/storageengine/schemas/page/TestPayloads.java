package io.storageengine.schemas.page;

import io.storageengine.schemas.wal.WalFormat;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * PAGE_IMAGE and PAGE_DELTA payloads for this module's own tests, spelled out byte by byte per the
 * WAL format (schemas cannot use test-support's {@code PagePayloads}: test-support depends on
 * schemas). Stateless.
 */
public final class TestPayloads {
    private TestPayloads() {
    }

    /** PageRef | 8192 bytes. */
    public static byte[] image(PageRef ref, byte[] page) {
        ByteBuffer b = ByteBuffer.allocate(PageRef.SIZE + WalFormat.PAGE_SIZE);
        ref.write(b);
        b.put(page);
        return b.array();
    }

    /** PageRef | u16 count | count × (u16 offset, u16 length, bytes). */
    public static byte[] delta(PageRef ref, List<Patch> patches) {
        int size = PageRef.SIZE + 2;
        for (Patch p : patches) {
            size += 4 + p.data().length;
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        ref.write(b);
        b.putShort((short) patches.size());
        for (Patch p : patches) {
            b.putShort((short) p.offset()).putShort((short) p.data().length).put(p.data());
        }
        return b.array();
    }
}
