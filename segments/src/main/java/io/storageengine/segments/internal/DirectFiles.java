package io.storageengine.segments.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Opens files for {@code O_DIRECT} I/O ({@code com.sun.nio.file.ExtendedOpenOption.DIRECT}) and
 * says which alignment such a channel demands: every transfer's file position and length must
 * be a multiple of the file store's block size, which {@link FileChannel} checks. Stateless.
 */
public final class DirectFiles {
    /** Largest alignment accepted; every transfer size the callers use is a multiple of it. */
    public static final int MAX_ALIGNMENT = 64 * 1024;

    private DirectFiles() {
    }

    /**
     * A native buffer of exactly {@code size} bytes whose address is a multiple of {@code alignment}
     * (what an {@code O_DIRECT} transfer needs; the JDK's own staging buffers for heap buffers miss
     * their cache on every aligned request). Released by the garbage collector.
     */
    public static ByteBuffer alignedBuffer(int size, int alignment) {
        return ByteBuffer.allocateDirect(size + alignment).alignedSlice(alignment).limit(size).slice();
    }

    /** A channel with {@code O_DIRECT} and its alignment, or null when the file system refuses direct I/O. */
    public record Direct(FileChannel channel, int alignment) {
    }

    /**
     * Opens {@code file} with {@code options} plus {@code O_DIRECT}.
     *
     * @return null if direct I/O is not available there (unsupported option, a file system that
     *         rejects {@code O_DIRECT}, or an alignment above {@link #MAX_ALIGNMENT}); other errors
     *         (no such file, permissions) are thrown as they are
     */
    public static Direct open(Path file, OpenOption... options) throws IOException {
        long align;
        try {
            align = Files.getFileStore(file).getBlockSize();
        } catch (UnsupportedOperationException e) {
            return null;
        }
        if (align <= 0 || align > MAX_ALIGNMENT || Long.bitCount(align) != 1) {
            return null;
        }
        OpenOption[] all = Arrays.copyOf(options, options.length + 1);
        all[options.length] = com.sun.nio.file.ExtendedOpenOption.DIRECT;
        try {
            return new Direct(FileChannel.open(file, all), (int) align);
        } catch (UnsupportedOperationException e) {
            return null;
        } catch (IOException e) {
            if (String.valueOf(e.getMessage()).contains("Invalid argument")) {
                return null; // EINVAL: the file system does not do O_DIRECT
            }
            throw e;
        }
    }
}
