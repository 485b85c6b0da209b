package io.storageengine.ingest.decode;

import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * An independent reading of a WAL stream, written from docs/wal-format.md alone (no production
 * class): the model the fuzz tests compare {@link WalDecoder} against. Deliberately naive: at each
 * byte it asks "does a valid frame start here" (magic, length at most 1 MiB, the whole frame present,
 * CRC-32C of bytes 4..16 and the payload), takes it if so and skips one byte otherwise; a skipped run
 * followed by a frame is one corrupt region, a skipped run at the end the truncated tail; the first
 * frame whose LSN is lower (unsigned) than the previous one stops the stream. Payload rules: PAGE_IMAGE
 * exactly 17 + 8192 bytes; PAGE_DELTA a count of at least 1, patches inside the page and the payload,
 * nothing after them; WATERMARK not allowed in an input stream; reserved types skipped. PG_RECORD is
 * out of scope (the generator never makes one; meeting one is a test bug). Not thread-safe; stateless
 * between calls.
 */
final class ReferenceWalParser {
    static final int HEADER = 21;
    static final long MAX_PAYLOAD = 1_048_576;
    static final int MAGIC = 0x57414C31;

    enum Kind { DELIVER, REJECT, SKIP }

    /** One intact frame and what the spec says happens to it. */
    record Event(Kind kind, long lsn, int offset, int length) {
    }

    /** Everything the spec says about one whole stream. */
    record Result(List<Event> events, long frames, long corruptRuns, long skippedBytes, long reserved, long rejected,
                  long delivered, long lastLsn, long tail, boolean regression, long regressionLsn, int stopOffset) {
    }

    private ReferenceWalParser() {
    }

    static Result parse(byte[] s, int n) {
        List<Event> events = new ArrayList<>();
        long frames = 0, runs = 0, skipped = 0, reserved = 0, rejected = 0, delivered = 0, last = 0, run = 0;
        boolean seen = false;
        int p = 0;
        while (p < n) {
            int len = frameLength(s, p, n);
            if (len < 0) {
                p++;
                run++;
                continue;
            }
            if (run > 0) {
                runs++;
                skipped += run;
                run = 0;
            }
            long lsn = u64(s, p + 4);
            if (seen && Long.compareUnsigned(lsn, last) < 0) {
                return new Result(events, frames, runs, skipped, reserved, rejected, delivered, last, 0, true, lsn, p);
            }
            seen = true;
            last = lsn;
            frames++;
            int type = s[p + 16] & 0xFF;
            int payload = p + HEADER, plen = len - HEADER;
            Kind k = switch (type) {
                case 0x01 -> plen == 17 + 8192 ? Kind.DELIVER : Kind.REJECT;
                case 0x02 -> deltaOk(s, payload, plen) ? Kind.DELIVER : Kind.REJECT;
                case 0x03 -> Kind.DELIVER;
                case 0x10 -> Kind.REJECT;
                case 0x04 -> throw new IllegalStateException("the model does not parse PG_RECORD (offset " + p + ")");
                default -> Kind.SKIP;
            };
            switch (k) {
                case DELIVER -> delivered++;
                case REJECT -> rejected++;
                case SKIP -> reserved++;
            }
            events.add(new Event(k, lsn, p, len));
            p += len;
        }
        return new Result(events, frames, runs, skipped, reserved, rejected, delivered, last, run, false, 0, n);
    }

    /** Total length of the valid frame at {@code p}, or -1. */
    static int frameLength(byte[] s, int p, int n) {
        if (n - p < HEADER || u32(s, p) != MAGIC) {
            return -1;
        }
        long plen = u32(s, p + 12) & 0xFFFFFFFFL;
        if (plen > MAX_PAYLOAD || plen > n - p - HEADER) {
            return -1;
        }
        CRC32C crc = new CRC32C();
        crc.update(s, p + 4, 13);
        crc.update(s, p + HEADER, (int) plen);
        return (int) crc.getValue() == u32(s, p + 17) ? HEADER + (int) plen : -1;
    }

    private static boolean deltaOk(byte[] s, int payload, int plen) {
        if (plen < 17 + 2) {
            return false;
        }
        int end = payload + plen, p = payload + 17;
        int count = u16(s, p);
        p += 2;
        if (count == 0) {
            return false;
        }
        for (int i = 0; i < count; i++) {
            if (end - p < 4) {
                return false;
            }
            int off = u16(s, p), len = u16(s, p + 2);
            p += 4;
            if (off + len > 8192 || end - p < len) {
                return false;
            }
            p += len;
        }
        return p == end;
    }

    static int u16(byte[] s, int p) {
        return ((s[p] & 0xFF) << 8) | (s[p + 1] & 0xFF);
    }

    static int u32(byte[] s, int p) {
        return ((s[p] & 0xFF) << 24) | ((s[p + 1] & 0xFF) << 16) | ((s[p + 2] & 0xFF) << 8) | (s[p + 3] & 0xFF);
    }

    static long u64(byte[] s, int p) {
        return ((long) u32(s, p) << 32) | (u32(s, p + 4) & 0xFFFFFFFFL);
    }
}
