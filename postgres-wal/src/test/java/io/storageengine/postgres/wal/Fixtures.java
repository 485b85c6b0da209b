package io.storageengine.postgres.wal;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Test fixture format for real PostgreSQL records ({@code src/test/resources/wal/*.records}):
 * a sequence of entries, each u64 startLsn | u64 endLsn | u32 length | the record's bytes
 * (big-endian header fields; the record itself as in the WAL, little-endian). Next to each file, a
 * {@code .waldump.txt} with what {@code pg_waldump -b} printed for the same records.
 */
final class Fixtures {

    record Entry(long startLsn, long endLsn, byte[] bytes) {
        DecodedRecord decode() {
            return DecodedRecord.decode(ByteBuffer.wrap(bytes), endLsn, true);
        }
    }

    private Fixtures() {
    }

    static void write(OutputStream out, List<DecodedRecord> records) throws IOException {
        DataOutputStream d = new DataOutputStream(out);
        for (DecodedRecord r : records) {
            d.writeLong(r.startLsn().value());
            d.writeLong(r.endLsn().value());
            d.writeInt(r.totalLength());
            byte[] b = new byte[r.totalLength()];
            r.bytes().get(b);
            d.write(b);
        }
        d.flush();
    }

    static List<Entry> read(InputStream in) throws IOException {
        DataInputStream d = new DataInputStream(in);
        List<Entry> out = new ArrayList<>();
        while (true) {
            long start;
            try {
                start = d.readLong();
            } catch (EOFException e) {
                return out;
            }
            long end = d.readLong();
            byte[] b = new byte[d.readInt()];
            d.readFully(b);
            out.add(new Entry(start, end, b));
        }
    }

    static List<Entry> resource(String name) throws IOException {
        try (InputStream in = Fixtures.class.getResourceAsStream("/wal/" + name)) {
            if (in == null) {
                throw new IOException("missing test resource /wal/" + name);
            }
            return read(in);
        }
    }

    static String text(String name) throws IOException {
        try (InputStream in = Fixtures.class.getResourceAsStream("/wal/" + name)) {
            if (in == null) {
                throw new IOException("missing test resource /wal/" + name);
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }
}
