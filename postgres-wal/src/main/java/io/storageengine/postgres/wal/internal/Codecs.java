package io.storageengine.postgres.wal.internal;

import com.github.luben.zstd.Zstd;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * LZ4 (lz4-java) and zstd (zstd-jni) decompression of full-page images, as PostgreSQL 15's
 * {@code RestoreBlockImage} calls {@code LZ4_decompress_safe} and {@code ZSTD_decompress}.
 * The libraries are bound lazily, so a reader that never meets such an image never loads native
 * code. Thread-safe (the decompressors are stateless).
 */
public final class Codecs {
    private Codecs() {
    }

    private static final class Lz4Holder {
        static final LZ4SafeDecompressor DECOMPRESSOR = LZ4Factory.fastestInstance().safeDecompressor();
    }

    /** @return bytes written to {@code dst[0..)}, or -1 if the input is corrupt. */
    public static int lz4(byte[] src, int off, int len, byte[] dst, int maxOut) {
        try {
            return Lz4Holder.DECOMPRESSOR.decompress(src, off, len, dst, 0, maxOut);
        } catch (LZ4Exception e) {
            return -1;
        }
    }

    /** @return bytes written to {@code dst[0..)}, or -1 if the input is corrupt. */
    public static int zstd(byte[] src, int off, int len, byte[] dst, int maxOut) {
        long r = Zstd.decompressByteArray(dst, 0, maxOut, src, off, len);
        return Zstd.isError(r) ? -1 : (int) r;
    }
}
