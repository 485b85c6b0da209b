package io.storageengine.segments.segment;

import io.storageengine.segments.internal.DirectFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;

/**
 * A scanner's {@code O_DIRECT} reads ({@link BulkIo#DIRECT}): the file is read front to back in
 * aligned windows of {@value #WINDOW} bytes (a larger block gets a window of its own size) into
 * one aligned native buffer (released by the garbage collector; the JDK would otherwise stage
 * each read in freshly allocated native memory), and each data block is handed out as its own
 * verified copy, as {@link SegmentReader#readBlock} does. Bytes read this way never enter the page
 * cache, so a merge's inputs do not evict the blocks point lookups use. Owns its own file handle,
 * closed with the scanner. Not thread-safe: one scanner's.
 */
final class DirectBlockWindow implements AutoCloseable {
    static final int WINDOW = 1 << 20;

    private final SegmentReader reader;
    private final FileChannel channel;
    private final long alignMask;
    private ByteBuffer window;
    private long start;
    private int filled;

    private DirectBlockWindow(SegmentReader reader, FileChannel channel, int alignment) {
        this.reader = reader;
        this.channel = channel;
        this.alignMask = alignment - 1L;
    }

    /** A window on {@code reader}'s file, or null when its file system refuses direct I/O. */
    static DirectBlockWindow open(SegmentReader reader) {
        try {
            DirectFiles.Direct d = DirectFiles.open(reader.file(), StandardOpenOption.READ);
            return d == null ? null : new DirectBlockWindow(reader, d.channel(), d.alignment());
        } catch (IOException e) {
            throw new UncheckedIOException("opening segment " + reader.file() + " for direct reads", e);
        }
    }

    /** Data block {@code b}, CRC verified; the array's last 4 bytes are the CRC. */
    byte[] block(int b) {
        long off = reader.blockOffset(b);
        int len = reader.blockLength(b);
        reader.beforeBlockRead(b);
        if (off < start || off + len > start + filled) {
            fill(off, len);
        }
        byte[] block = new byte[len];
        window.get((int) (off - start), block);
        return reader.checkedBlock(b, block);
    }

    /** Reads the aligned window that starts at or before {@code off} and holds {@code [off, off + len)}. */
    private void fill(long off, int len) {
        long aligned = off & ~alignMask;
        int need = (int) (off + len - aligned);
        int size = (int) ((Math.max(WINDOW, need) + alignMask) & ~alignMask);
        if (window == null || window.capacity() < size || (window.capacity() > WINDOW && size == WINDOW)) {
            window = DirectFiles.alignedBuffer(size, (int) alignMask + 1);
        }
        ByteBuffer dst = window.clear().limit(size);
        long pos = aligned;
        try {
            while (dst.hasRemaining()) {
                int n = channel.read(dst, pos);
                if (n <= 0) {
                    break;
                }
                pos += n;
                if ((dst.position() & alignMask) != 0) {
                    break; // a short direct read ends at the end of the file
                }
            }
        } catch (IOException e) {
            filled = 0;
            throw new UncheckedIOException("reading segment " + reader.file() + " at offset " + pos, e);
        }
        start = aligned;
        filled = dst.position();
        if (filled < need) {
            throw new CorruptSegmentException(reader.file(), aligned + filled, "unexpected end of file");
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("closing segment " + reader.file(), e);
        }
    }
}
