package io.storageengine.postgres.redo;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import io.storageengine.postgres.wal.DecodedRecord;

/**
 * Redo test fixtures captured from real PostgreSQL 15 WAL ({@code src/test/resources/redo/*.gz},
 * written by {@link ConsistencyCheckIT} with {@code -Dpgredo.fixtures.out=DIR}). Gzipped sequence
 * of entries: UTF name (rmgr/kind), u64 end LSN, u8 block id, u8 has-before, [8192 bytes page
 * before the record], u32 length, the record's bytes as in the WAL. The expected page is the
 * record's own consistency image (wal_consistency_checking), compared after masking.
 */
final class RedoFixtures {

    record Entry(String name, long endLsn, int blockId, byte[] before, byte[] record) {
        DecodedRecord decode() {
            return DecodedRecord.decode(ByteBuffer.wrap(record), endLsn, true);
        }
    }

    private RedoFixtures() {
    }

    static void write(OutputStream out, List<Entry> entries) throws IOException {
        try (DataOutputStream d = new DataOutputStream(new GZIPOutputStream(out))) {
            for (Entry e : entries) {
                d.writeUTF(e.name());
                d.writeLong(e.endLsn());
                d.writeByte(e.blockId());
                d.writeByte(e.before() == null ? 0 : 1);
                if (e.before() != null) {
                    d.write(e.before());
                }
                d.writeInt(e.record().length);
                d.write(e.record());
            }
        }
    }

    static List<Entry> read(InputStream in) throws IOException {
        List<Entry> out = new ArrayList<>();
        try (DataInputStream d = new DataInputStream(new GZIPInputStream(in))) {
            while (true) {
                String name;
                try {
                    name = d.readUTF();
                } catch (EOFException e) {
                    return out;
                }
                long end = d.readLong();
                int blockId = d.readUnsignedByte();
                byte[] before = null;
                if (d.readUnsignedByte() != 0) {
                    before = new byte[8192];
                    d.readFully(before);
                }
                byte[] rec = new byte[d.readInt()];
                d.readFully(rec);
                out.add(new Entry(name, end, blockId, before, rec));
            }
        }
    }
}
