package io.storageengine.segments.segment;

import io.storageengine.pagecore.StoredVersion;
import io.storageengine.pagecore.VersionChains;
import io.storageengine.schemas.segment.SegmentKind;
import io.storageengine.schemas.wal.Lsn;
import io.storageengine.segments.internal.BlockIndex;
import io.storageengine.segments.internal.KeyFilter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.zip.CRC32C;

/**
 * Reads one segment file (format: see {@link SegmentWriter}). page-service uses it for point
 * lookups ({@link #versions}), compactor-worker for merges ({@link #scan()}).
 *
 * <p>{@link #open} reads only the footer, index and filter and verifies their checksum (cheap).
 * Every data block read verifies the block's CRC-32C; any failed check raises
 * {@link CorruptSegmentException} naming the file and offset: nothing unverified is ever served.
 *
 * <p>Point lookup cost: the filter (in memory) rejects most pages that the segment does not
 * hold with zero reads; otherwise a binary search of the index (in memory) finds the last block
 * that can hold the page's newest version ≤ the requested LSN and reads backwards only while the
 * page's versions continue into earlier blocks (one read when the page fits in a block).
 *
 * <p>An optional shared {@link BlockCache} keeps recently read blocks of point lookups in memory.
 * An optional {@link IoFault} runs before every data block read from the file (cache misses and
 * scans): the {@code segment-read} failpoint of drills and tests; its error fails the read like an
 * I/O error ({@link UncheckedIOException}), never yields other bytes.
 *
 * <p>Thread-safety and lifetime: all reads are positional ({@link FileChannel#read(ByteBuffer, long)}),
 * so any number of threads may read concurrently. The reader is reference counted: {@code open}
 * gives the opener one reference ({@link #close()} gives it back, once); every other user calls
 * {@link #retain()} / {@link #tryRetain()} before and {@link #release()} after using it. The file
 * handle is closed when the count reaches zero, so a reader that started on a segment keeps it
 * readable even if the segment is retired and its file unlinked meanwhile (invariant 4).
 * An interrupt during a read closes a JDK FileChannel; the reader then reopens the file for the
 * other threads (possible while the file has not been deleted) and the interrupted thread gets
 * an {@link UncheckedIOException}.
 */
public final class SegmentReader implements AutoCloseable {
    private static final int KEY = SegmentWriter.KEY_SIZE;
    private static final int PAGE_KEY = SegmentWriter.PAGE_KEY_SIZE;
    /** Largest footer + index + filter region accepted (refuses absurd sizes from a corrupt footer). */
    private static final long MAX_METADATA = 1L << 30;

    private final Path file;
    private final SegmentInfo info;
    private final BlockIndex index;
    private final KeyFilter filter;
    private final byte[] minKey;
    private final byte[] maxKey;
    private final BlockCache cache;
    private final IoFault readFault;
    private final BulkIo scanIo;
    private final long cacheOwner;
    private final AtomicInteger refs = new AtomicInteger(1);
    private final AtomicBoolean openerReleased = new AtomicBoolean();
    private final LongAdder blockReads = new LongAdder();
    private final long metadataBytes;
    private volatile FileChannel channel;

    private SegmentReader(Path file, FileChannel channel, SegmentInfo info, BlockIndex index, KeyFilter filter,
                          BlockCache cache, IoFault readFault, BulkIo scanIo, long metadataBytes) {
        this.scanIo = scanIo;
        this.metadataBytes = metadataBytes;
        this.file = file;
        this.channel = channel;
        this.info = info;
        this.index = index;
        this.filter = filter;
        this.minKey = info.minKey();
        this.maxKey = info.maxKey();
        this.cache = cache;
        this.readFault = readFault;
        this.cacheOwner = cache == null ? 0 : cache.newOwner();
    }

    /**
     * Opens a segment and verifies its footer, index and filter.
     *
     * @throws CorruptSegmentException if any of them fails a check
     */
    public static SegmentReader open(Path file) throws IOException {
        return open(file, null);
    }

    /**
     * Opens a segment whose point lookups go through {@code cache} (shared by many readers; null
     * for none). Scans bypass the cache.
     *
     * @throws CorruptSegmentException if the footer, index or filter fails a check
     */
    public static SegmentReader open(Path file, BlockCache cache) throws IOException {
        return open(file, cache, IoFault.NONE);
    }

    /**
     * As {@link #open(Path, BlockCache)}, with {@code readFault} run before every data block read
     * from the file (drills and tests; {@link IoFault#NONE} for none).
     */
    public static SegmentReader open(Path file, BlockCache cache, IoFault readFault) throws IOException {
        return open(file, cache, readFault, BulkIo.PAGE_CACHE);
    }

    /** As {@link #open(Path, BlockCache, IoFault)}, its {@link #scan() scans} reading with {@code scanIo}. */
    public static SegmentReader open(Path file, BlockCache cache, IoFault readFault, BulkIo scanIo) throws IOException {
        java.util.Objects.requireNonNull(readFault, "readFault");
        java.util.Objects.requireNonNull(scanIo, "scanIo");
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        try {
            long size = ch.size();
            if (size < Footer.SIZE) {
                throw new CorruptSegmentException(file, 0, "file of " + size + " bytes is shorter than a footer");
            }
            long footerPos = size - Footer.SIZE;
            ByteBuffer fb = ByteBuffer.allocate(Footer.SIZE);
            readFully(ch, file, fb, footerPos);
            if (fb.getLong(Footer.MAGIC_POS) != Footer.MAGIC) {
                throw new CorruptSegmentException(file, footerPos + Footer.MAGIC_POS, "bad magic (not a segment file?)");
            }
            Footer f = Footer.decode(fb.duplicate().position(0), KEY);
            if (f.indexOffset() < 0 || f.indexLength() < 4 || f.filterLength() < 12
                    || f.filterOffset() != f.indexOffset() + f.indexLength()
                    || f.filterOffset() + f.filterLength() != footerPos
                    || size - f.indexOffset() > MAX_METADATA) {
                throw new CorruptSegmentException(file, footerPos, "footer offsets are inconsistent: index "
                        + f.indexOffset() + "+" + f.indexLength() + ", filter " + f.filterOffset() + "+" + f.filterLength()
                        + ", footer at " + footerPos);
            }
            ByteBuffer meta = ByteBuffer.allocate((int) (size - f.indexOffset()));
            readFully(ch, file, meta, f.indexOffset());
            CRC32C crc = new CRC32C();
            crc.update(meta.array(), 0, meta.capacity() - Footer.SIZE + Footer.CHECKSUM_POS);
            int stored = meta.getInt(meta.capacity() - Footer.SIZE + Footer.CHECKSUM_POS);
            if ((int) crc.getValue() != stored) {
                throw new CorruptSegmentException(file, f.indexOffset(), "checksum of footer, index and filter does not match");
            }
            if (f.formatVersion() != Footer.FORMAT_VERSION) {
                throw new CorruptSegmentException(file, footerPos, "unsupported format version " + f.formatVersion());
            }
            SegmentKind kind;
            BlockIndex index;
            KeyFilter filter;
            try {
                kind = SegmentKind.ofCode(f.kindCode());
            } catch (IllegalArgumentException e) {
                throw new CorruptSegmentException(file, footerPos + 4, e.getMessage());
            }
            try {
                index = BlockIndex.decode(meta.slice(0, f.indexLength()), KEY, f.indexOffset(), SegmentWriter.MAX_BLOCK);
            } catch (IllegalArgumentException e) {
                throw new CorruptSegmentException(file, f.indexOffset(), "index: " + e.getMessage());
            }
            if (index.size() != f.blockCount() || index.size() == 0) {
                throw new CorruptSegmentException(file, footerPos, "footer says " + f.blockCount() + " blocks, index has " + index.size());
            }
            try {
                filter = KeyFilter.decode(meta.slice(f.indexLength(), f.filterLength()));
            } catch (IllegalArgumentException e) {
                throw new CorruptSegmentException(file, f.filterOffset(), "filter: " + e.getMessage());
            }
            SegmentInfo info = new SegmentInfo(f.formatVersion(), kind, f.level(), f.partition(), f.recordCount(),
                    f.blockCount(), f.minLsn(), f.maxLsn(), f.minKey(), f.maxKey(), size);
            return new SegmentReader(file, ch, info, index, filter, cache, readFault, scanIo, size - f.indexOffset());
        } catch (IOException | RuntimeException | Error e) {
            ch.close();
            throw e;
        }
    }

    public Path file() {
        return file;
    }

    public SegmentInfo info() {
        return info;
    }

    /** Bytes of index, filter and footer this reader holds in memory while open (about their size on disk). */
    public long metadataBytes() {
        return metadataBytes;
    }

    /** Number of data blocks read so far (for metrics and tests). */
    public long blockReads() {
        return blockReads.sum();
    }

    /** False if the segment certainly holds no version of {@code pageKey} (49 bytes); no I/O. */
    public boolean mightContain(byte[] pageKey) {
        checkPageKey(pageKey);
        return inKeyRange(pageKey) && filter.mightContain(pageKey, 0, PAGE_KEY);
    }

    /**
     * The versions of page {@code pageKey} (49-byte PageKey) with lsn ≤ {@code maxLsn} (unsigned),
     * newest first. Empty if the segment holds none.
     *
     * @throws CorruptSegmentException if a block it reads fails its check
     */
    public List<SegmentVersion> versions(byte[] pageKey, long maxLsn) {
        return lookup(pageKey, maxLsn, false);
    }

    /**
     * Like {@link #versions} but stops at the newest chain start ({@link VersionChains#startsChain}:
     * an image or an initializing record): the result is the versions newer than it, then the
     * chain start itself (last), or all versions if there is none. This is exactly what
     * reconstructing the page at {@code maxLsn} needs from this segment.
     */
    public List<SegmentVersion> versionsToImage(byte[] pageKey, long maxLsn) {
        return lookup(pageKey, maxLsn, true);
    }

    private List<SegmentVersion> lookup(byte[] pageKey, long maxLsn, boolean stopAtImage) {
        checkPageKey(pageKey);
        ensureOpen();
        if (Lsn.isBefore(maxLsn, info.minLsn()) || !inKeyRange(pageKey)
                || !filter.mightContain(pageKey, 0, PAGE_KEY)) {
            return List.of();
        }
        int b = index.floorBlock(pageKey, maxLsn);
        if (b < 0) {
            return List.of();
        }
        List<SegmentVersion> out = null;
        for (; b >= 0; b--) {
            byte[] block = cachedBlock(b);
            int limit = block.length - 4;
            ByteBuffer buf = ByteBuffer.wrap(block);
            int start = out == null ? 0 : out.size();
            int pos = 0;
            while (pos < limit) {
                int valueLen = recordValueLength(block, buf, pos, limit, b);
                int c = Arrays.compareUnsigned(block, pos, pos + PAGE_KEY, pageKey, 0, PAGE_KEY);
                if (c > 0) {
                    break;
                }
                if (c == 0) {
                    long lsn = buf.getLong(pos + PAGE_KEY);
                    if (Lsn.isAfter(lsn, maxLsn)) {
                        break;
                    }
                    if (out == null) {
                        out = new ArrayList<>(4);
                    }
                    int vpos = pos + KEY + 4;
                    out.add(new SegmentVersion(lsn, Arrays.copyOfRange(block, vpos, vpos + valueLen)));
                }
                pos += KEY + 4 + valueLen;
            }
            if (out != null && out.size() > start) {
                Collections.reverse(out.subList(start, out.size()));
                if (stopAtImage) {
                    for (int i = start; i < out.size(); i++) {
                        if (VersionChains.startsChain(out.get(i).value())) {
                            out.subList(i + 1, out.size()).clear();
                            return out;
                        }
                    }
                }
            }
            if (!index.firstKeyHasPrefix(b, pageKey, PAGE_KEY)) {
                break;
            }
        }
        return out == null ? List.of() : out;
    }

    /**
     * Iterates over every record in key order, one block in memory at a time, reading the file
     * with the reader's scan I/O ({@link BulkIo}, given at {@link #open(Path, BlockCache, IoFault, BulkIo)}).
     * The scanner holds a reference to this reader until it is closed.
     */
    public SegmentScanner scan() {
        retain();
        try {
            return new SegmentScanner(this, scanIo == BulkIo.DIRECT ? DirectBlockWindow.open(this) : null);
        } catch (RuntimeException e) {
            release();
            throw e;
        }
    }

    /** Reads and checks every data block (CRC and record structure); used after downloads. */
    public void verifyAll() {
        try (SegmentScanner s = scan()) {
            long n = 0;
            while (s.hasNext()) {
                s.next();
                n++;
            }
            if (n != info.recordCount()) {
                throw new CorruptSegmentException(file, 0, "footer says " + info.recordCount() + " records, blocks hold " + n);
            }
        }
    }

    int blockCount() {
        return index.size();
    }

    private byte[] cachedBlock(int b) {
        if (cache == null) {
            return readBlock(b);
        }
        byte[] block = cache.get(cacheOwner, b);
        if (block == null) {
            block = readBlock(b);
            cache.put(cacheOwner, b, block);
        }
        return block;
    }

    /** Reads block {@code b}, verifies its CRC; the returned array's last 4 bytes are the CRC. */
    byte[] readBlock(int b) {
        beforeBlockRead(b);
        byte[] block = new byte[index.length(b)];
        readAt(ByteBuffer.wrap(block), index.offset(b));
        return checkedBlock(b, block);
    }

    /** Runs the read fault hook and counts the read of block {@code b} (every file read of a data block does). */
    void beforeBlockRead(int b) {
        try {
            readFault.check();
        } catch (IOException e) {
            throw new UncheckedIOException("reading segment " + file + " at offset " + index.offset(b) + ": " + e.getMessage(), e);
        }
        blockReads.increment();
    }

    long blockOffset(int b) {
        return index.offset(b);
    }

    int blockLength(int b) {
        return index.length(b);
    }

    /** Verifies the CRC of block {@code b} as read from the file; returns the block. */
    byte[] checkedBlock(int b, byte[] block) {
        long off = index.offset(b);
        int len = block.length;
        CRC32C crc = new CRC32C();
        crc.update(block, 0, len - 4);
        int stored = ((block[len - 4] & 0xFF) << 24) | ((block[len - 3] & 0xFF) << 16) | ((block[len - 2] & 0xFF) << 8)
                | (block[len - 1] & 0xFF);
        if ((int) crc.getValue() != stored) {
            throw new CorruptSegmentException(file, off, "CRC mismatch in data block " + b + " (" + len + " bytes)");
        }
        return block;
    }

    /** Checks the record at {@code pos} fits in the block and returns its value length. */
    int recordValueLength(byte[] block, ByteBuffer buf, int pos, int limit, int b) {
        if (limit - pos < KEY + 4) {
            throw new CorruptSegmentException(file, index.offset(b) + pos, "truncated record header in block " + b);
        }
        int valueLen = buf.getInt(pos + KEY);
        if (valueLen <= 0 || valueLen > limit - pos - KEY - 4) {
            throw new CorruptSegmentException(file, index.offset(b) + pos, "record value length " + valueLen + " runs past block " + b);
        }
        return valueLen;
    }

    /** Adds a reference. @throws IllegalStateException if the reader is already fully released */
    public SegmentReader retain() {
        if (!tryRetain()) {
            throw new IllegalStateException("segment reader is closed: " + file);
        }
        return this;
    }

    /** Adds a reference unless the reader is already fully released. */
    public boolean tryRetain() {
        for (;;) {
            int r = refs.get();
            if (r <= 0) {
                return false;
            }
            if (refs.compareAndSet(r, r + 1)) {
                return true;
            }
        }
    }

    /** Gives back one reference; the last one closes the file handle. */
    public void release() {
        int r = refs.decrementAndGet();
        if (r == 0) {
            if (cache != null) {
                cache.invalidate(cacheOwner);
            }
            closeChannel();
        } else if (r < 0) {
            refs.incrementAndGet();
            throw new IllegalStateException("segment reader released more often than retained: " + file);
        }
    }

    public int refCount() {
        return Math.max(0, refs.get());
    }

    public boolean isOpen() {
        return refs.get() > 0;
    }

    /** Gives back the opener's reference (idempotent). */
    @Override
    public void close() {
        if (openerReleased.compareAndSet(false, true)) {
            release();
        }
    }

    private void ensureOpen() {
        if (refs.get() <= 0) {
            throw new IllegalStateException("segment reader is closed: " + file);
        }
    }

    private boolean inKeyRange(byte[] pageKey) {
        return Arrays.compareUnsigned(pageKey, 0, PAGE_KEY, minKey, 0, PAGE_KEY) >= 0
                && Arrays.compareUnsigned(pageKey, 0, PAGE_KEY, maxKey, 0, PAGE_KEY) <= 0;
    }

    private static void checkPageKey(byte[] pageKey) {
        if (pageKey.length != PAGE_KEY) {
            throw new IllegalArgumentException("page key must be " + PAGE_KEY + " bytes, got " + pageKey.length);
        }
    }

    private void readAt(ByteBuffer dst, long pos) {
        int attempts = 0;
        for (;;) {
            FileChannel ch = channel;
            ensureOpen();
            try {
                readFully(ch, file, dst, pos);
                return;
            } catch (ClosedByInterruptException e) {
                reopen(ch);
                throw new UncheckedIOException("read of " + file + " interrupted", e);
            } catch (ClosedChannelException e) {
                ensureOpen();
                if (++attempts > 3) {
                    throw new UncheckedIOException("segment " + file + " keeps being closed under reads", e);
                }
                reopen(ch);
                dst.clear();
            } catch (IOException e) {
                throw new UncheckedIOException("reading segment " + file + " at offset " + pos, e);
            }
        }
    }

    private synchronized void reopen(FileChannel broken) {
        if (channel == broken && refs.get() > 0) {
            try {
                channel = FileChannel.open(file, StandardOpenOption.READ);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot reopen segment " + file, e);
            }
        }
    }

    private synchronized void closeChannel() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("closing segment " + file, e);
        }
    }

    private static void readFully(FileChannel ch, Path file, ByteBuffer dst, long pos) throws IOException {
        long p = pos;
        while (dst.hasRemaining()) {
            int n = ch.read(dst, p);
            if (n < 0) {
                throw new CorruptSegmentException(file, p, "unexpected end of file");
            }
            p += n;
        }
    }

    @Override
    public String toString() {
        return "SegmentReader[" + file + ", refs=" + refCount() + "]";
    }
}
