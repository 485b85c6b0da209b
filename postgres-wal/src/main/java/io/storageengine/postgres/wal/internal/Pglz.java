package io.storageengine.postgres.wal.internal;

/**
 * PostgreSQL's pglz decompression ({@code common/pg_lzcompress.c} format), written for this project.
 *
 * <p>Format: a control byte announces 8 items, least significant bit first. A clear bit is one
 * literal byte. A set bit is a back-reference tag of 2 or 3 bytes: length = (b0 &amp; 0x0F) + 3
 * (18 means "add the next byte"), offset = ((b0 &amp; 0xF0) &lt;&lt; 4) | b1; the bytes are copied
 * one at a time from {@code offset} bytes back, so a reference may overlap its own output.
 * Stateless.
 */
public final class Pglz {
    private Pglz() {
    }

    /**
     * Decompresses {@code src[srcOff, srcOff+srcLen)} into {@code dst[0, rawSize)}.
     *
     * @return the number of bytes written, or -1 when the input is corrupt; with
     *         {@code checkComplete}, also -1 unless exactly {@code rawSize} bytes came from exactly all input
     */
    public static int decompress(byte[] src, int srcOff, int srcLen, byte[] dst, int rawSize, boolean checkComplete) {
        int sp = srcOff;
        int srcEnd = srcOff + srcLen;
        int dp = 0;
        while (sp < srcEnd && dp < rawSize) {
            int ctrl = src[sp++] & 0xFF;
            for (int item = 0; item < 8 && sp < srcEnd && dp < rawSize; item++) {
                if ((ctrl & 1) != 0) {
                    if (sp + 2 > srcEnd) {
                        return -1;
                    }
                    int b0 = src[sp] & 0xFF;
                    int len = (b0 & 0x0F) + 3;
                    int off = ((b0 & 0xF0) << 4) | (src[sp + 1] & 0xFF);
                    sp += 2;
                    if (len == 18) {
                        if (sp >= srcEnd) {
                            return -1;
                        }
                        len += src[sp++] & 0xFF;
                    }
                    if (off == 0 || off > dp) {
                        return -1;
                    }
                    len = Math.min(len, rawSize - dp);
                    if (off >= len) {
                        System.arraycopy(dst, dp - off, dst, dp, len);
                        dp += len;
                    } else {
                        for (int i = 0; i < len; i++, dp++) {
                            dst[dp] = dst[dp - off];
                        }
                    }
                } else {
                    dst[dp++] = src[sp++];
                }
                ctrl >>>= 1;
            }
        }
        if (checkComplete && (dp != rawSize || sp != srcEnd)) {
            return -1;
        }
        return dp;
    }
}
