package io.storageengine.pagecore;

import io.storageengine.schemas.page.Fork;
import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.page.Patch;
import io.storageengine.schemas.wal.RecordType;
import io.storageengine.testsupport.PagePayloads;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/** Test builders of stored versions and newest-first lists. */
final class Versions {
    static final PageRef REF = PageRef.of(1663, 5, 16384, Fork.MAIN, 7);

    private Versions() {
    }

    record V(long lsn, byte[] stored) implements Versioned {
    }

    static byte[] image(int fill) {
        byte[] page = new byte[8192];
        java.util.Arrays.fill(page, (byte) fill);
        return StoredVersion.image(page);
    }

    static byte[] delta(int offset, byte... data) {
        return StoredVersion.fromPayload(RecordType.PAGE_DELTA,
                ByteBuffer.wrap(PagePayloads.delta(REF, List.of(new Patch(offset, data)))));
    }

    /** An XLogRecord: 24-byte header (little-endian) with the given rmgr and info, then {@code data}. */
    static ByteBuffer xlog(int rmgr, int info, byte... data) {
        ByteBuffer b = ByteBuffer.allocate(24 + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(24 + data.length).putInt(777).putLong(0x1000).put((byte) info).put((byte) rmgr).putShort((short) 0)
                .putInt(0).put(data);
        return b.flip();
    }

    static byte[] pg(boolean willInit, int rmgr, int info) {
        return StoredVersion.pgRecord(3, willInit ? 1 : 0, xlog(rmgr, info, (byte) 1, (byte) 2));
    }

    /** A newest-first list from (lsn, stored) pairs given newest first. */
    static List<V> list(Object... lsnThenStored) {
        List<V> out = new ArrayList<>();
        for (int i = 0; i < lsnThenStored.length; i += 2) {
            out.add(new V(((Number) lsnThenStored[i]).longValue(), (byte[]) lsnThenStored[i + 1]));
        }
        return out;
    }
}
