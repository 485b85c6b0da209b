package io.storageengine.pageservice.http.internal;

import io.storageengine.schemas.wal.Lsn;
import io.storageengine.schemas.wal.WalFormat;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The binary body of a batch response ({@code application/octet-stream}), all integers big-endian:
 * <pre>
 *   u32 count
 *   count times, in request order:
 *     u16 status        200, or the page's error status (404, 410, 503, 504, ...)
 *     u64 page_lsn      LSN of the newest record applied (0 unless 200)
 *     u64 request_lsn   LSN the page is as of
 *     u32 length        8192 for 200; else the length of an application/problem+json document
 *     length bytes      the page, or the problem document
 * </pre>
 * 22 bytes of framing per page, so a response is one buffer the server writes without copying
 * pages through JSON/base64. Stateless.
 */
public final class BatchCodec {
    public static final int ENTRY_HEADER = 2 + 8 + 8 + 4;

    /** One page's outcome in a batch. */
    public record Entry(int status, Lsn pageLsn, Lsn requestLsn, byte[] body) {
    }

    private BatchCodec() {
    }

    /** Encoded size of {@code entries} in bytes. */
    public static int size(List<Entry> entries) {
        int size = 4;
        for (Entry e : entries) {
            size += ENTRY_HEADER + e.body().length;
        }
        return size;
    }

    /**
     * Streams the encoding to {@code out} without building it in memory (a 64-page answer is half a
     * MiB: one such array per request is a humongous allocation for G1 with a small heap).
     */
    public static void writeTo(List<Entry> entries, OutputStream out) throws IOException {
        byte[] header = new byte[ENTRY_HEADER];
        ByteBuffer h = ByteBuffer.wrap(header);
        out.write(ByteBuffer.allocate(4).putInt(entries.size()).array());
        for (Entry e : entries) {
            h.clear();
            h.putShort((short) e.status()).putLong(e.pageLsn().value()).putLong(e.requestLsn().value())
                    .putInt(e.body().length);
            out.write(header);
            out.write(e.body());
        }
    }

    public static byte[] encode(List<Entry> entries) {
        ByteBuffer b = ByteBuffer.allocate(size(entries));
        b.putInt(entries.size());
        for (Entry e : entries) {
            b.putShort((short) e.status());
            b.putLong(e.pageLsn().value());
            b.putLong(e.requestLsn().value());
            b.putInt(e.body().length);
            b.put(e.body());
        }
        return b.array();
    }

    /** @throws IllegalArgumentException if the body is not a well-formed batch response */
    public static List<Entry> decode(byte[] body) {
        ByteBuffer b = ByteBuffer.wrap(body);
        if (b.remaining() < 4) {
            throw new IllegalArgumentException("batch response shorter than its count");
        }
        int count = b.getInt();
        if (count < 0 || count > body.length / ENTRY_HEADER) {
            throw new IllegalArgumentException("batch response count " + count + " does not fit its size");
        }
        List<Entry> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            if (b.remaining() < ENTRY_HEADER) {
                throw new IllegalArgumentException("batch response truncated at entry " + i);
            }
            int status = b.getShort() & 0xFFFF;
            Lsn pageLsn = Lsn.of(b.getLong());
            Lsn requestLsn = Lsn.of(b.getLong());
            int len = b.getInt();
            if (len < 0 || len > b.remaining() || len > WalFormat.PAGE_SIZE + 65536) {
                throw new IllegalArgumentException("batch response entry " + i + " has bad length " + len);
            }
            byte[] data = new byte[len];
            b.get(data);
            out.add(new Entry(status, pageLsn, requestLsn, data));
        }
        return out;
    }
}
