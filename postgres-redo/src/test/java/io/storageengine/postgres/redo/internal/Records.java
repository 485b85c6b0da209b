package io.storageengine.postgres.redo.internal;

import java.io.ByteArrayOutputStream;

/** Builders of synthetic redo records for unit tests (real records are in the fixture tests). */
final class Records {

    private Records() {
    }

    static RedoBlock block(int id, int blk, boolean willInit, byte[] data) {
        return new RedoBlock(id, 1663, 5, 16384, 0, blk, willInit, false, false, data, null);
    }

    static RedoBlock imageBlock(int id, int blk, boolean apply, byte[] image) {
        return new RedoBlock(id, 1663, 5, 16384, 0, blk, false, true, apply, new byte[0], () -> image.clone());
    }

    static RedoRecord rec(int rmid, int info, int xid, byte[] main, RedoBlock... blocks) {
        int max = -1;
        for (RedoBlock b : blocks) {
            max = Math.max(max, b.id());
        }
        RedoBlock[] byId = new RedoBlock[max + 1];
        for (RedoBlock b : blocks) {
            byId[b.id()] = b;
        }
        return new RedoRecord(rmid, info, xid, main, byId);
    }

    /** Little-endian byte writer. */
    static final class Le {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Le u8(int v) {
            out.write(v);
            return this;
        }

        Le u16(int v) {
            out.write(v);
            out.write(v >>> 8);
            return this;
        }

        Le u32(int v) {
            return u16(v & 0xFFFF).u16(v >>> 16);
        }

        Le bytes(byte[] b) {
            out.writeBytes(b);
            return this;
        }

        byte[] get() {
            return out.toByteArray();
        }
    }

    static Le le() {
        return new Le();
    }

    /** xl_heap_header + tuple body (bitmap/padding/data after the 23-byte header). */
    static byte[] heapTupleData(int infomask2, int infomask, int hoff, byte[] body) {
        return le().u16(infomask2).u16(infomask).u8(hoff).bytes(body).get();
    }
}
