package io.storageengine.segments.segment;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Iterates over a segment's records in key order (page, then LSN ascending), holding one
 * verified data block in memory at a time; compactor-worker merges segments with several of
 * these. Holds a reference to its {@link SegmentReader} until {@link #close()}. Reads blocks
 * through the reader's file handle, or with {@link BulkIo#DIRECT} through a
 * {@link DirectBlockWindow} of its own (buffered reads if the file system refuses direct I/O).
 * Not thread-safe: one thread per scanner (many scanners may share a reader).
 */
public final class SegmentScanner implements Iterator<SegmentRecord>, AutoCloseable {
    private static final int KEY = SegmentWriter.KEY_SIZE;

    private final SegmentReader reader;
    /** Direct reads of its own, or null: through the reader's file handle. */
    private final DirectBlockWindow direct;
    private int nextBlock;
    private int currentBlock = -1;
    private byte[] block;
    private ByteBuffer buf;
    private int pos;
    private int limit;
    private boolean closed;
    private byte[] recordBlock;
    private int recordPos;
    private int recordValueLength;

    SegmentScanner(SegmentReader reader, DirectBlockWindow direct) {
        this.reader = reader;
        this.direct = direct;
    }

    private byte[] readBlock(int b) {
        return direct != null ? direct.block(b) : reader.readBlock(b);
    }

    @Override
    public boolean hasNext() {
        if (closed) {
            return false;
        }
        while (block == null || pos >= limit) {
            if (nextBlock >= reader.blockCount()) {
                block = null;
                return false;
            }
            currentBlock = nextBlock++;
            block = readBlock(currentBlock);
            buf = ByteBuffer.wrap(block);
            pos = 0;
            limit = block.length - 4;
        }
        return true;
    }

    /** The key of the next record without consuming it (a fresh copy), or null at the end. */
    public byte[] peekKey() {
        return hasNext() ? Arrays.copyOfRange(block, pos, pos + KEY) : null;
    }

    @Override
    public SegmentRecord next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        int valueLen = reader.recordValueLength(block, buf, pos, limit, currentBlock);
        byte[] key = Arrays.copyOfRange(block, pos, pos + KEY);
        byte[] value = Arrays.copyOfRange(block, pos + KEY + 4, pos + KEY + 4 + valueLen);
        pos += KEY + 4 + valueLen;
        return new SegmentRecord(key, value);
    }

    /**
     * Cursor use, without copies: moves to the next record and returns true, or false at the end.
     * The current record is then {@link #recordBuffer()}{@code [}{@link #keyOffset()}{@code , +57)}
     * and its value {@code [}{@link #valueOffset()}{@code , +}{@link #valueLength()}{@code )}; the
     * buffer is a verified data block that stays valid (and unchanged) after later calls. Do not mix
     * with {@link #next()} on the same scanner.
     */
    public boolean advance() {
        if (!hasNext()) {
            recordBlock = null;
            return false;
        }
        recordValueLength = reader.recordValueLength(block, buf, pos, limit, currentBlock);
        recordBlock = block;
        recordPos = pos;
        pos += KEY + 4 + recordValueLength;
        return true;
    }

    /** The block holding the current record (see {@link #advance()}). */
    public byte[] recordBuffer() {
        return recordBlock;
    }

    public int keyOffset() {
        return recordPos;
    }

    public int valueOffset() {
        return recordPos + KEY + 4;
    }

    public int valueLength() {
        return recordValueLength;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            block = null;
            recordBlock = null;
            try {
                if (direct != null) {
                    direct.close();
                }
            } finally {
                reader.release();
            }
        }
    }
}
