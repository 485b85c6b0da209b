package io.storageengine.ingest.decode;

import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32C;

/**
 * Builds seeded random WAL streams for the fuzz tests: frames in non-decreasing LSN order (valid page
 * records, LSN_ADVANCE, reserved types, page records that break the payload rules, WATERMARKs, rarely
 * a 1 MiB payload), a quarter of them mutated: bit flips, truncations, length lies (with and without
 * a matching CRC), oversized lengths, LSN regressions (CRC fixed, so the frame is intact), garbage
 * with embedded magics between frames, duplicates. Records where each unmutated frame starts so a
 * test can check that none was lost. Not thread-safe (one per stream).
 */
final class MutatedWalStream {
    static final int HEADER = ReferenceWalParser.HEADER;

    final Random r;
    byte[] buf = new byte[1 << 20];
    int size;
    /** Offsets of the frames written unmutated, and how many. */
    int[] clean = new int[1024];
    int cleanCount;
    /** Offset of the first LSN regression written (-1: none). */
    int regressionAt = -1;
    long mutations;
    /** The last thing written ends in a cut frame that the next bytes could complete. */
    private boolean openEnd;
    private boolean cutNext;
    private long lsn;
    private long prevLsn;

    MutatedWalStream(Random r) {
        this.r = r;
        // now and then start near the top of the unsigned range: LSN order is unsigned
        this.lsn = r.nextInt(8) == 0 ? 0xFFFF_FFFF_0000_0000L + r.nextInt(1 << 20) : r.nextLong(1L << 40);
    }

    /** Appends {@code frames} frames (mutated or not) and some garbage; returns this. */
    MutatedWalStream write(int frames, boolean allowRegression) {
        for (int i = 0; i < frames; i++) {
            prevLsn = lsn;
            lsn += r.nextInt(4) == 0 ? 0 : 1 + r.nextInt(200);
            byte[] f = cleanFrame();
            if (r.nextInt(4) != 0) {
                addClean(f);
            } else {
                mutations++;
                append(mutate(f, allowRegression));
            }
            if (r.nextInt(50) == 0) {
                mutations++;
                append(garbage());
            }
        }
        return this;
    }

    private void addClean(byte[] f) {
        if (openEnd) { // a cut frame right before may legally be completed by this one's first bytes
            append(f);
            return;
        }
        if (cleanCount == clean.length) {
            clean = Arrays.copyOf(clean, cleanCount * 2);
        }
        clean[cleanCount++] = size;
        append(f);
    }

    private byte[] cleanFrame() {
        int k = r.nextInt(1000);
        if (k < 420) {
            return frame(lsn, 0x02, delta(true));
        } else if (k < 650) {
            return frame(lsn, 0x03, random(r.nextInt(41)));
        } else if (k < 670) {
            return frame(lsn, 0x01, image(17 + 8192));
        } else if (k < 720) { // reserved type: skipped, still advances the LSN
            int t = 0x05 + r.nextInt(0xFB);
            return frame(lsn, t == 0x10 ? 0x11 : t, random(r.nextInt(64)));
        } else if (k < 740) {
            return frame(lsn, 0x01, image(r.nextBoolean() ? 17 + 8191 : 17 + 8193 + r.nextInt(100)));
        } else if (k < 770) {
            return frame(lsn, 0x02, delta(false));
        } else if (k < 780) {
            return frame(lsn, 0x10, random(r.nextInt(3)));
        } else if (k == 780 && r.nextInt(40) == 0) { // the largest legal frame
            return frame(lsn, 0x03, new byte[(int) ReferenceWalParser.MAX_PAYLOAD]);
        }
        return frame(lsn, 0x02, delta(true));
    }

    private byte[] mutate(byte[] f, boolean allowRegression) {
        switch (r.nextInt(allowRegression && regressionAt < 0 ? 9 : 8)) {
            case 0, 1 -> { // bit flips anywhere, magic and CRC included
                for (int i = 0, n = 1 + r.nextInt(3); i < n; i++) {
                    int bit = r.nextInt(f.length * 8);
                    f[bit >>> 3] ^= (byte) (1 << (bit & 7));
                }
                return f;
            }
            case 2 -> {
                cutNext = true;
                return Arrays.copyOf(f, r.nextInt(f.length)); // truncated
            }
            case 3 -> { // length lie, CRC left as it was
                putInt(f, 12, switch (r.nextInt(4)) {
                    case 0 -> r.nextInt(f.length);
                    case 1 -> f.length + r.nextInt(1 << 20);
                    case 2 -> -1;
                    default -> r.nextInt();
                });
                return f;
            }
            case 4 -> { // shorter length with a matching CRC: a valid frame, then its leftover payload as garbage
                int plen = f.length - HEADER;
                if (plen == 0) {
                    return Arrays.copyOf(f, f.length - 1);
                }
                putInt(f, 12, r.nextInt(plen));
                putInt(f, 17, crc(f, readInt(f, 12)));
                return f;
            }
            case 5 -> { // oversized: over 1 MiB, CRC matching the header (never valid)
                putInt(f, 12, (int) (ReferenceWalParser.MAX_PAYLOAD + 1 + r.nextInt(Integer.MAX_VALUE - (1 << 21))));
                putInt(f, 17, crc(f, 0));
                return r.nextBoolean() ? f : Arrays.copyOf(f, HEADER); // a bare header claiming a huge payload
            }
            case 6 -> { // garbage in front
                byte[] g = garbage();
                byte[] out = Arrays.copyOf(g, g.length + f.length);
                System.arraycopy(f, 0, out, g.length, f.length);
                return out;
            }
            case 7 -> { // duplicated frame (the same LSN twice is legal): both are read
                byte[] out = Arrays.copyOf(f, f.length * 2);
                System.arraycopy(f, 0, out, f.length, f.length);
                return out;
            }
            default -> { // LSN regression, CRC fixed: an intact frame that stops the stream
                regressionAt = size;
                long back = prevLsn - 1 - r.nextInt(1000);
                putLong(f, 4, Long.compareUnsigned(back, prevLsn) < 0 ? back : 0); // at LSN 0 not a regression
                putInt(f, 17, crc(f, f.length - HEADER));
                return f;
            }
        }
    }

    /** Random bytes, sometimes holding a magic and a plausible header. */
    private byte[] garbage() {
        byte[] g = random(1 + r.nextInt(300));
        if (g.length >= 16 && r.nextBoolean()) {
            int at = r.nextInt(g.length - 15);
            putInt(g, at, ReferenceWalParser.MAGIC);
            putInt(g, at + 12, r.nextInt(1 << 21));
        }
        return g;
    }

    private byte[] image(int plen) {
        byte[] p = random(plen);
        p[16] = (byte) r.nextInt(4);
        return p;
    }

    /** A PAGE_DELTA payload: valid, or breaking exactly one rule. */
    private byte[] delta(boolean valid) {
        int count = 1 + r.nextInt(3);
        byte[] p = new byte[17 + 2 + count * 4 + count * 40 + 8];
        r.nextBytes(p);
        int at = 17;
        putShort(p, at, count);
        at += 2;
        int bad = valid ? -1 : r.nextInt(4);
        for (int i = 0; i < count; i++) {
            int len = r.nextInt(41);
            int off = r.nextInt(8192 - len + 1);
            if (bad == 0 && i == count - 1) {
                off = 8192 - len + 1 + r.nextInt(100); // runs past the page
            }
            putShort(p, at, off);
            putShort(p, at + 2, len);
            at += 4 + len;
        }
        return switch (bad) {
            case 1 -> { putShort(p, 17, 0); yield Arrays.copyOf(p, at); } // count 0
            case 2 -> Arrays.copyOf(p, at - 1);                         // last patch runs past the payload
            case 3 -> Arrays.copyOf(p, at + 1 + r.nextInt(7));          // trailing bytes
            default -> Arrays.copyOf(p, at);
        };
    }

    private byte[] random(int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    static byte[] frame(long lsn, int type, byte[] payload) {
        byte[] f = new byte[HEADER + payload.length];
        putInt(f, 0, ReferenceWalParser.MAGIC);
        putLong(f, 4, lsn);
        putInt(f, 12, payload.length);
        f[16] = (byte) type;
        System.arraycopy(payload, 0, f, HEADER, payload.length);
        putInt(f, 17, crc(f, payload.length));
        return f;
    }

    private static int crc(byte[] f, int plen) {
        CRC32C c = new CRC32C();
        c.update(f, 4, 13);
        c.update(f, HEADER, plen);
        return (int) c.getValue();
    }

    private void append(byte[] b) {
        openEnd = cutNext || (openEnd && b.length == 0);
        cutNext = false;
        if (size + b.length > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + b.length));
        }
        System.arraycopy(b, 0, buf, size, b.length);
        size += b.length;
    }

    static void putShort(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 8);
        b[at + 1] = (byte) v;
    }

    static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    static void putLong(byte[] b, int at, long v) {
        putInt(b, at, (int) (v >>> 32));
        putInt(b, at + 4, (int) v);
    }

    static int readInt(byte[] b, int at) {
        return ReferenceWalParser.u32(b, at);
    }
}
