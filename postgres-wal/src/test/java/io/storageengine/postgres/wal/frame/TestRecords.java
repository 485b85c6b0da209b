package io.storageengine.postgres.wal.frame;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/** Records assembled by hand for frame tests (layout of PostgreSQL 15's XLogRecordAssemble). */
final class TestRecords {
    private TestRecords() {
    }

    /** Heap UPDATE with two blocks (16384 blocks 1 and 2), each with an uncompressed applied image with a hole. */
    static byte[] twoImages() {
        int hole = 8000;
        int img = 8192 - hole;
        ByteBuffer b = ByteBuffer.allocate(24 + 2 * (4 + 5 + 12 + 4) + 2 * img + 2).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(b.capacity()).putInt(700).putLong(0x2FFFF00L).put((byte) 0x20).put((byte) 10).putShort((short) 0).putInt(0);
        for (int id = 0; id < 2; id++) {
            b.put((byte) id).put((byte) 0x10).putShort((short) 0);
            b.putShort((short) img).putShort((short) 100).put((byte) 0x03);
            b.putInt(1663).putInt(5).putInt(16384).putInt(id + 1);
        }
        b.put((byte) 255).put((byte) 0);
        for (int id = 0; id < 2; id++) {
            for (int i = 0; i < img; i++) {
                b.put((byte) (i + id));
            }
        }
        return withCrc(b.array(), b.position());
    }

    /** A record with 17 blocks of 65,535 data bytes each: over 1 MiB whatever is stripped. */
    static byte[] huge() {
        int n = 17;
        int data = 65535;
        ByteBuffer b = ByteBuffer.allocate(24 + n * (4 + 12 + 4) + n * data).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(b.capacity()).putInt(700).putLong(0x2FFFF00L).put((byte) 0x50).put((byte) 9).putShort((short) 0).putInt(0);
        for (int id = 0; id < n; id++) {
            b.put((byte) id).put((byte) 0x20).putShort((short) data).putInt(1663).putInt(5).putInt(16384).putInt(id);
        }
        return withCrc(b.array(), b.capacity());
    }

    private static byte[] withCrc(byte[] rec, int len) {
        CRC32C c = new CRC32C();
        c.update(rec, 24, len - 24);
        c.update(rec, 0, 20);
        ByteBuffer.wrap(rec).order(ByteOrder.LITTLE_ENDIAN).putInt(20, (int) c.getValue());
        return rec;
    }
}
