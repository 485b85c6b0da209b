package io.storageengine.segments.segment;

import io.storageengine.schemas.page.PageKey;
import io.storageengine.schemas.page.VersionKey;
import io.storageengine.schemas.segment.SegmentKind;
import io.storageengine.schemas.wal.Lsn;
import io.storageengine.segments.internal.BlockIndex;
import io.storageengine.segments.internal.DirectFiles;
import io.storageengine.segments.internal.KeyFilter;
import io.storageengine.segments.internal.LongList;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * Writes one immutable segment file, streaming, in bounded memory. compactor-worker uses it to cut
 * L0 segments from the WAL and to write merged (L1) and image segments.
 *
 * <h2>Segment file format, version 1</h2>
 * All integers big-endian. A file is {@code block* index filter footer}:
 * <pre>
 * block  := record* crc          crc = CRC-32C (u32) of the block's record bytes
 * record := key[57] valueLength(u32) value[valueLength]
 * index  := count(u32) (firstKey[57] offset(u64) length(u32))*     length includes the block CRC
 * filter := bitCount(u64) probes(u32) words(u64 * bitCount/64)       Bloom filter on the 49-byte PageKey
 * footer := 190 bytes, see {@link Footer}: magic, format version, kind, level, partition,
 *           min/max key, min/max LSN, record count, block count, index/filter offsets and
 *           lengths, CRC-32C of index + filter + footer
 * </pre>
 * Keys are 57-byte VersionKeys ({@code PageKey(49) | lsn(8)}), strictly increasing as unsigned
 * bytes: one page's versions are contiguous and in ascending LSN order. Values are StoredVersion
 * bytes ({@code type(1) | body}), at most {@link #MAX_VALUE} bytes. Blocks hold about
 * {@code targetBlockSize} bytes (64 KiB by default): a block is closed once it reaches the target,
 * or before a record that would make it exceed the target, so a record larger than the target
 * gets a block of its own.
 *
 * <h2>Durability</h2>
 * The writer writes a hidden temporary file next to the target; {@link #finish()} writes the
 * index, filter and footer, fsyncs the file, renames it atomically to the target name and fsyncs
 * the directory. A crash leaves either no target file or a complete one. {@link #close()} without
 * {@code finish()} deletes the temporary file: a write that fails (a full disk) leaves nothing
 * once the writer is closed. An optional {@link IoFault} runs before every write to the file
 * (the {@code segment-write} failpoint of drills and tests).
 *
 * <h2>Direct I/O</h2>
 * With {@link BulkIo#DIRECT} the temporary file is opened with {@code O_DIRECT}: the write buffer
 * reaches the file only in whole multiples of the file system's block size (it drains when full,
 * 1 MiB), the last write is padded with zeros to the next multiple, and {@link #finish()}
 * truncates the file to its real length before the fsync. The bytes on disk are the same as with
 * buffered writes; none of them passes through the page cache. If the file system refuses
 * {@code O_DIRECT}, the writer writes buffered ({@link #isDirect()} says which).
 *
 * <h2>Memory</h2>
 * One block buffer, a 1 MiB write buffer (blocks are gathered there and reach the file in
 * 1 MiB sequential writes; a native buffer for direct I/O, released by the garbage collector),
 * one index entry per block (69 bytes) and one 8-byte hash per distinct
 * page for the filter, whatever the segment size.
 *
 * <p>Not thread-safe: one thread writes a segment.
 */
public final class SegmentWriter implements AutoCloseable {
    public static final int KEY_SIZE = VersionKey.SIZE;
    public static final int PAGE_KEY_SIZE = PageKey.SIZE;
    public static final int DEFAULT_BLOCK_SIZE = 64 * 1024;
    public static final int MAX_BLOCK_TARGET = 4 * 1024 * 1024;
    public static final int MAX_VALUE = 16 * 1024 * 1024;
    /** Largest block a reader accepts: a full target block plus one maximal record and the CRC. */
    static final int MAX_BLOCK = MAX_BLOCK_TARGET + KEY_SIZE + 4 + MAX_VALUE + 4;
    private static final int RECORD_OVERHEAD = KEY_SIZE + 4;
    private static final int WRITE_BUFFER = 1 << 20;

    /** What to write: kind, level, Kafka partition (-1 if none) and the target block size. */
    public record Options(SegmentKind kind, int level, int partition, int targetBlockSize) {
        public Options {
            Objects.requireNonNull(kind, "kind");
            if (level < 0 || level > 255) {
                throw new IllegalArgumentException("level must be 0..255, got " + level);
            }
            if (targetBlockSize < 256 || targetBlockSize > MAX_BLOCK_TARGET) {
                throw new IllegalArgumentException("target block size must be 256.." + MAX_BLOCK_TARGET + ", got " + targetBlockSize);
            }
        }

        public static Options of(SegmentKind kind, int level, int partition) {
            return new Options(kind, level, partition, DEFAULT_BLOCK_SIZE);
        }
    }

    private final Path target;
    private final Path temp;
    private final Options options;
    private final FileChannel out;
    /** The O_DIRECT alignment, or 0 for buffered writes. */
    private final int align;
    private final IoFault writeFault;
    private final BlockIndex.Builder index = new BlockIndex.Builder(KEY_SIZE);
    private final LongList pageHashes = new LongList();
    private final CRC32C crc = new CRC32C();
    /**
     * Blocks are gathered here and reach the file in large sequential writes. For direct I/O a
     * native buffer aligned to the file system's block size: the JDK would otherwise stage every
     * write in a freshly allocated aligned native buffer (its per-thread cache keeps the unaligned
     * parent and misses), touching new memory on each write.
     */
    private final ByteBuffer writeBuffer;
    private byte[] block;
    private int blockLen;
    private final byte[] blockFirstKey = new byte[KEY_SIZE];
    private final byte[] lastKey = new byte[KEY_SIZE];
    private byte[] firstKey;
    private long recordCount;
    private long minLsn = -1;
    private long maxLsn;
    private long fileOffset;
    private boolean finished;
    private boolean closed;

    private SegmentWriter(Path target, Path temp, Options options, FileChannel out, int align, IoFault writeFault) {
        this.target = target;
        this.align = align;
        this.writeBuffer = align > 0 ? DirectFiles.alignedBuffer(WRITE_BUFFER, align) : ByteBuffer.allocate(WRITE_BUFFER);
        this.writeFault = writeFault;
        this.temp = temp;
        this.options = options;
        this.out = out;
        this.block = new byte[options.targetBlockSize() + RECORD_OVERHEAD];
    }

    /**
     * Starts a segment that {@link #finish()} will publish at {@code target}.
     *
     * @throws FileAlreadyExistsException if {@code target} exists: segments are never overwritten
     */
    public static SegmentWriter create(Path target, Options options) throws IOException {
        return create(target, options, IoFault.NONE);
    }

    /**
     * As {@link #create(Path, Options)}, with {@code writeFault} run before every write to the
     * file (drills and tests; {@link IoFault#NONE} for none).
     */
    public static SegmentWriter create(Path target, Options options, IoFault writeFault) throws IOException {
        return create(target, options, writeFault, BulkIo.PAGE_CACHE);
    }

    /** As {@link #create(Path, Options, IoFault)}, writing with {@code io} (buffered if the file system refuses direct I/O). */
    public static SegmentWriter create(Path target, Options options, IoFault writeFault, BulkIo io) throws IOException {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(writeFault, "writeFault");
        Objects.requireNonNull(io, "io");
        Path abs = target.toAbsolutePath();
        if (Files.exists(abs)) {
            throw new FileAlreadyExistsException(abs.toString(), null, "segment files are immutable");
        }
        Path dir = abs.getParent();
        Files.createDirectories(dir);
        Path temp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".tmp");
        FileChannel ch = null;
        try {
            DirectFiles.Direct direct = io == BulkIo.DIRECT
                    ? DirectFiles.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING) : null;
            ch = direct != null ? direct.channel()
                    : FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            return new SegmentWriter(abs, temp, options, ch, direct != null ? direct.alignment() : 0, writeFault);
        } catch (IOException | RuntimeException | Error e) { // Error: no native memory for the write buffer
            if (ch != null) {
                ch.close();
            }
            Files.deleteIfExists(temp);
            throw e;
        }
    }

    /** Adds a record; {@code pageKey} is the 49-byte PageKey. */
    public void add(byte[] pageKey, long lsn, byte[] value) throws IOException {
        add(VersionKey.encode(pageKey, lsn), value);
    }

    /**
     * Adds a record. Keys must be 57 bytes and strictly increasing (unsigned byte order).
     *
     * @throws IllegalArgumentException for a wrong key size, an out-of-order or duplicate key, or an
     *         empty or oversized value; the writer stays usable (the record is not written)
     */
    public void add(byte[] key, byte[] value) throws IOException {
        if (key.length != KEY_SIZE) {
            throw new IllegalArgumentException("segment keys are " + KEY_SIZE + " bytes, got " + key.length);
        }
        add(key, 0, value, 0, value.length);
    }

    /**
     * Adds a record whose 57-byte key starts at {@code keyBuf[keyOffset]} and whose value is
     * {@code valueBuf[valueOffset, valueOffset + valueLength)}: the same checks as
     * {@link #add(byte[], byte[])}, without the caller copying the bytes into arrays of their own.
     */
    public void add(byte[] keyBuf, int keyOffset, byte[] valueBuf, int valueOffset, int valueLength) throws IOException {
        ensureWritable();
        Objects.checkFromIndexSize(keyOffset, KEY_SIZE, keyBuf.length);
        if (valueLength <= 0 || valueLength > MAX_VALUE) {
            throw new IllegalArgumentException("value of " + valueLength + " bytes (must be 1.." + MAX_VALUE + ")");
        }
        Objects.checkFromIndexSize(valueOffset, valueLength, valueBuf.length);
        boolean newPage = recordCount == 0;
        if (recordCount > 0) {
            int c = Arrays.compareUnsigned(keyBuf, keyOffset, keyOffset + KEY_SIZE, lastKey, 0, KEY_SIZE);
            if (c <= 0) {
                byte[] key = Arrays.copyOfRange(keyBuf, keyOffset, keyOffset + KEY_SIZE);
                throw new IllegalArgumentException((c == 0 ? "duplicate" : "out-of-order") + " key at record "
                        + recordCount + ": " + describe(key) + " after " + describe(lastKey));
            }
            newPage = !Arrays.equals(keyBuf, keyOffset, keyOffset + PAGE_KEY_SIZE, lastKey, 0, PAGE_KEY_SIZE);
        }
        int recordSize = RECORD_OVERHEAD + valueLength;
        if (blockLen > 0 && blockLen + recordSize > options.targetBlockSize()) {
            flushBlock();
        }
        if (blockLen == 0) {
            System.arraycopy(keyBuf, keyOffset, blockFirstKey, 0, KEY_SIZE);
        }
        if (blockLen + recordSize > block.length) {
            block = Arrays.copyOf(block, blockLen + recordSize);
        }
        System.arraycopy(keyBuf, keyOffset, block, blockLen, KEY_SIZE);
        putInt(block, blockLen + KEY_SIZE, valueLength);
        System.arraycopy(valueBuf, valueOffset, block, blockLen + RECORD_OVERHEAD, valueLength);
        blockLen += recordSize;

        if (newPage) {
            pageHashes.add(KeyFilter.hashKey(keyBuf, keyOffset, PAGE_KEY_SIZE));
        }
        long lsn = getLong(keyBuf, keyOffset + PAGE_KEY_SIZE);
        if (recordCount == 0) {
            firstKey = Arrays.copyOfRange(keyBuf, keyOffset, keyOffset + KEY_SIZE);
            minLsn = lsn;
            maxLsn = lsn;
        } else {
            if (Lsn.isBefore(lsn, minLsn)) {
                minLsn = lsn;
            }
            if (Lsn.isAfter(lsn, maxLsn)) {
                maxLsn = lsn;
            }
        }
        System.arraycopy(keyBuf, keyOffset, lastKey, 0, KEY_SIZE);
        recordCount++;
        if (blockLen >= options.targetBlockSize()) {
            flushBlock();
        }
    }

    public long recordCount() {
        return recordCount;
    }

    /** True when the file is written with {@code O_DIRECT}. */
    public boolean isDirect() {
        return align > 0;
    }

    /** Bytes written so far plus the open block: what the file would hold without its metadata. */
    public long estimatedSize() {
        return fileOffset + blockLen;
    }

    private void flushBlock() throws IOException {
        crc.reset();
        crc.update(block, 0, blockLen);
        if (block.length < blockLen + 4) {
            block = Arrays.copyOf(block, blockLen + 4);
        }
        putInt(block, blockLen, (int) crc.getValue());
        int len = blockLen + 4;
        write(block, 0, len);
        index.add(blockFirstKey, fileOffset, len);
        fileOffset += len;
        blockLen = 0;
        if (block.length > 2 * (options.targetBlockSize() + RECORD_OVERHEAD)) {
            block = new byte[options.targetBlockSize() + RECORD_OVERHEAD];
        }
    }

    /**
     * Completes the file, fsyncs it and atomically renames it to the target.
     *
     * @throws IllegalStateException if no record was added (an empty segment is never written)
     */
    public SegmentInfo finish() throws IOException {
        ensureWritable();
        if (recordCount == 0) {
            throw new IllegalStateException("segment " + target + " has no records");
        }
        if (blockLen > 0) {
            flushBlock();
        }
        BlockIndex idx = index.build();
        KeyFilter filter = KeyFilter.build(pageHashes.array(), pageHashes.size());
        long indexOffset = fileOffset;
        int indexLength = idx.encodedSize();
        int filterLength = filter.encodedSize();
        Footer footer = new Footer(Footer.FORMAT_VERSION, options.kind().code(), options.level(), options.partition(),
                idx.size(), recordCount, minLsn, maxLsn, firstKey, lastKey.clone(),
                indexOffset, indexLength, indexOffset + indexLength, filterLength);
        ByteBuffer meta = ByteBuffer.allocate(indexLength + filterLength + Footer.SIZE);
        idx.encode(meta);
        filter.encode(meta);
        footer.encodeBody(meta);
        crc.reset();
        crc.update(meta.array(), 0, meta.position());
        meta.putInt((int) crc.getValue()).putLong(Footer.MAGIC);
        write(meta.array(), 0, meta.position());
        long size = indexOffset + indexLength + filterLength + Footer.SIZE;
        if (align > 0 && writeBuffer.position() % align != 0) {
            // O_DIRECT writes whole blocks: pad the tail, then cut the file back to its length.
            int padded = (writeBuffer.position() + align - 1) / align * align;
            writeBuffer.put(new byte[padded - writeBuffer.position()]);
            drain();
            out.truncate(size);
        } else {
            drain();
        }
        out.force(true);
        out.close();
        if (Files.exists(target)) {
            throw new FileAlreadyExistsException(target.toString(), null, "segment files are immutable");
        }
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        finished = true;
        closed = true;
        fsyncDirectory(target.getParent());
        return new SegmentInfo(Footer.FORMAT_VERSION, options.kind(), options.level(), options.partition(),
                recordCount, idx.size(), minLsn, maxLsn, firstKey, lastKey, size);
    }

    /** Abandons an unfinished segment (deletes the temporary file); no-op after {@link #finish()}. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            out.close();
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    private void ensureWritable() {
        if (closed) {
            throw new IllegalStateException("segment writer for " + target + " is " + (finished ? "finished" : "closed"));
        }
    }

    /**
     * Appends to the write buffer, which reaches the file each time it is full: the file sees 1 MiB
     * sequential writes (whole multiples of any direct-I/O alignment) and one shorter last write.
     */
    private void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            if (!writeBuffer.hasRemaining()) {
                drain();
            }
            int n = Math.min(len, writeBuffer.remaining());
            writeBuffer.put(b, off, n);
            off += n;
            len -= n;
        }
    }

    private void drain() throws IOException {
        writeBuffer.flip();
        writeFully(writeBuffer);
        writeBuffer.clear();
    }

    private void writeFully(ByteBuffer buf) throws IOException {
        if (buf.hasRemaining()) {
            writeFault.check();
        }
        while (buf.hasRemaining()) {
            out.write(buf);
        }
    }

    private static void putInt(byte[] b, int pos, int v) {
        b[pos] = (byte) (v >>> 24);
        b[pos + 1] = (byte) (v >>> 16);
        b[pos + 2] = (byte) (v >>> 8);
        b[pos + 3] = (byte) v;
    }

    private static long getLong(byte[] b, int pos) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[pos + i] & 0xFF);
        }
        return v;
    }

    private static String describe(byte[] key) {
        return java.util.HexFormat.of().formatHex(key, 0, PAGE_KEY_SIZE) + "@" + io.storageengine.schemas.wal.Lsn.of(VersionKey.lsnOf(key));
    }
}
