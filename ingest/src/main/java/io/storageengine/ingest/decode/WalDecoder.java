package io.storageengine.ingest.decode;

import io.storageengine.schemas.page.PageRecords;
import io.storageengine.schemas.wal.BadRecordException;
import io.storageengine.schemas.wal.Frame;
import io.storageengine.schemas.wal.FrameCodec;
import io.storageengine.postgres.wal.WalFormatException;
import io.storageengine.postgres.wal.frame.PgRecordPayload;
import io.storageengine.schemas.wal.Lsn;
import io.storageengine.schemas.wal.RecordType;
import io.storageengine.schemas.wal.WalFormat;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streaming, zero-copy decoder of one WAL stream ({@code spec/wal-format.md}).
 *
 * <p>Bytes arrive in any chunks ({@link #readFrom(InputStream)} reads straight into the decoder's
 * buffer; {@link #feed} copies); frames may be split at any byte. Each complete frame is checked with
 * {@link FrameCodec#probe} in place and handed to the {@link FrameSink} as a view into the buffer.
 *
 * <p>Bad input, per the spec:
 * <ul>
 * <li>corrupt bytes (wrong magic, length over the limit, CRC mismatch): skip forward to the next
 *     position where magic and CRC are valid; count the skipped bytes and one corrupt frame per run;</li>
 * <li>reserved types: skipped and counted; they still advance the LSN;</li>
 * <li>PAGE_IMAGE / PAGE_DELTA / PG_RECORD breaking the payload rules (for PG_RECORD: its header,
 *     see {@code PgRecordFormat}, and its block reference, which must exist in the record and name the
 *     frame's page, or with VM_OF_BLOCK (format 1.2) its heap block's visibility-map page, see
 *     {@code PgRecordPayload}): rejected with a message naming the LSN, counted;</li>
 * <li>an LSN lower than the previous frame's: the decoder stops, with an error naming both LSNs; the
 *     last good LSN is {@link DecodeSummary#lastLsn()}; nothing after it reaches the sink;</li>
 * <li>end of stream ({@link #finish}): the undecided bytes are scanned for valid frames exactly as
 *     after corruption (a header claiming a length past the end does not hide the frames after it);
 *     what is left is the truncated tail.</li>
 * </ul>
 *
 * <p>Memory: one buffer of the pool (at least 2 × {@link WalFormat#MAX_FRAME}), whatever the input.
 * Undecided bytes never exceed one frame, so compaction always leaves room for the largest frame.
 *
 * <p>Not thread-safe: one decoder per stream, driven by one thread. {@link #summary()} may be called
 * from another thread for progress reports (values may lag slightly).
 */
public final class WalDecoder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WalDecoder.class);
    /** Compact when less than this is free at the end of the buffer. */
    private static final int MIN_READ = 256 * 1024;
    private static final byte MAGIC0 = (byte) (WalFormat.MAGIC >>> 24);

    private final BufferPool pool;
    private final FrameSink sink;
    private ByteBuffer buf;
    private final byte[] arr;
    private final ByteBuffer frameView;
    private final int capacity;

    private int start;        // first undecided byte
    private int end;          // end of valid data
    private long base;        // stream offset of arr[0]
    private boolean eof;
    private String error;

    private boolean seenFrame;
    private long lastLsn;
    private long pendingSkip; // bytes of the current, unfinished corruption run

    private long frames;
    private long bytes;
    private long delivered;
    private long corruptFrames;
    private long skippedBytes;
    private long reservedSkipped;
    private long rejected;
    private long truncatedTail;

    private WalDecoder(BufferPool pool, ByteBuffer buffer, FrameSink sink) {
        if (buffer.capacity() < 2 * WalFormat.MAX_FRAME || !buffer.hasArray()) {
            throw new IllegalArgumentException("decoder buffer must be a heap buffer of at least 2 x "
                    + WalFormat.MAX_FRAME + " bytes, got " + buffer.capacity());
        }
        this.pool = pool;
        this.buf = buffer;
        this.arr = buffer.array();
        this.capacity = buffer.capacity();
        this.frameView = buffer.duplicate();
        this.sink = sink;
    }

    /** A decoder on a buffer of {@code pool}, waiting up to {@code timeoutMillis} for one. */
    public static WalDecoder open(BufferPool pool, FrameSink sink, long timeoutMillis)
            throws InterruptedException, TimeoutException {
        ByteBuffer buffer = pool.acquire(timeoutMillis);
        try {
            return new WalDecoder(pool, buffer, sink);
        } catch (RuntimeException e) {
            pool.release(buffer);
            throw e;
        }
    }

    /** A decoder with its own buffer of the minimum size (tests, benchmarks, one-off tools). */
    public static WalDecoder unpooled(FrameSink sink) {
        return new WalDecoder(null, ByteBuffer.allocate(2 * WalFormat.MAX_FRAME), sink);
    }

    /** The minimum buffer size a pool must hand out. */
    public static int minBufferSize() {
        return 2 * WalFormat.MAX_FRAME;
    }

    /**
     * Reads once from {@code in} into the buffer and decodes what it can.
     *
     * @return bytes read, or -1 at end of stream (then call {@link #finish})
     */
    public int readFrom(InputStream in) throws IOException {
        checkOpen();
        makeRoom();
        int n = in.read(arr, end, capacity - end);
        if (n > 0) {
            end += n;
            bytes += n;
            drain();
        }
        return n;
    }

    /** As {@link #readFrom(InputStream)} for a channel. */
    public int readFrom(ReadableByteChannel ch) throws IOException {
        checkOpen();
        makeRoom();
        ByteBuffer dst = buf.duplicate();
        dst.limit(capacity).position(end);
        int n = ch.read(dst);
        if (n > 0) {
            end += n;
            bytes += n;
            drain();
        }
        return n;
    }

    /** Copies {@code src} (consumed) into the decoder and decodes; stops early once the decoder has stopped. */
    public void feed(ByteBuffer src) {
        checkOpen();
        while (src.hasRemaining() && error == null) {
            makeRoom();
            int n = Math.min(src.remaining(), capacity - end);
            src.get(arr, end, n);
            end += n;
            bytes += n;
            drain();
        }
    }

    public void feed(byte[] b, int off, int len) {
        feed(ByteBuffer.wrap(b, off, len));
    }

    public void feed(byte[] b) {
        feed(b, 0, b.length);
    }

    /** Decodes a whole stream and {@link #finish finishes}. Does not close {@code in}. */
    public DecodeSummary decodeAll(InputStream in) throws IOException {
        while (error == null && readFrom(in) >= 0) {
            // readFrom decodes
        }
        return finish();
    }

    /** True once the decoder has stopped on an error (LSN regression): feed no more. */
    public boolean stopped() {
        return error != null;
    }

    /**
     * Ends the stream: undecided bytes are scanned for valid frames as after corruption; the rest is
     * the truncated tail. Idempotent.
     */
    public DecodeSummary finish() {
        if (!eof) {
            eof = true;
            if (error == null) {
                drain();
            }
            // An LSN regression found by this last drain (behind a header whose claimed length ran past
            // the end) stops the stream as one found earlier does: what follows it is not a truncated tail.
            if (error == null) {
                truncatedTail = pendingSkip + (end - start);
                pendingSkip = 0;
                start = end;
                if (truncatedTail > 0) {
                    LOG.warn("stream ends with a truncated tail of {} bytes after LSN {}", truncatedTail, Lsn.format(lastLsn));
                }
            }
        }
        return summary();
    }

    public DecodeSummary summary() {
        return new DecodeSummary(frames, bytes, delivered, corruptFrames, skippedBytes, reservedSkipped, rejected,
                lastLsn, truncatedTail, error);
    }

    /** LSN of the last intact frame (0 before the first). */
    public long lastLsn() {
        return lastLsn;
    }

    @Override
    public void close() {
        if (buf != null && pool != null) {
            pool.release(buf);
        }
        buf = null;
    }

    private void checkOpen() {
        if (buf == null) {
            throw new IllegalStateException("decoder is closed");
        }
        if (eof) {
            throw new IllegalStateException("stream already finished");
        }
    }

    /** Moves the undecided bytes to the front when the free space at the end runs low. */
    private void makeRoom() {
        if (capacity - end >= MIN_READ) {
            return;
        }
        int undecided = end - start;
        System.arraycopy(arr, start, arr, 0, undecided);
        base += start;
        start = 0;
        end = undecided;
    }

    private void drain() {
        final byte[] a = arr;
        while (start < end && error == null) {
            int r = FrameCodec.probe(buf, start, end);
            if (r > 0) {
                onFrame(r);
                continue;
            }
            if (r == FrameCodec.NEED_MORE && !eof) {
                return;
            }
            // No valid frame starts here: skip to the next byte that could start a magic.
            int p = start + 1;
            while (p < end && a[p] != MAGIC0) {
                p++;
            }
            if (pendingSkip == 0 && LOG.isDebugEnabled()) {
                LOG.debug("corrupt bytes at stream offset {} after LSN {}: {}", base + start, Lsn.format(lastLsn),
                        FrameCodec.describeCorruption(buf, start, end));
            }
            pendingSkip += p - start;
            start = p;
        }
    }

    private void onFrame(int length) {
        final int pos = start;
        long lsn = ((long) getInt(pos + WalFormat.LSN_OFFSET) << 32) | (getInt(pos + WalFormat.LSN_OFFSET + 4) & 0xFFFFFFFFL);
        if (pendingSkip > 0) {
            corruptFrames++;
            skippedBytes += pendingSkip;
            if (corruptFrames <= 20 || corruptFrames % 10_000 == 0) {
                LOG.warn("corrupt run #{}: skipped {} bytes before stream offset {} (after LSN {})", corruptFrames,
                        pendingSkip, base + pos, Lsn.format(lastLsn));
            }
            pendingSkip = 0;
        }
        if (seenFrame && Lsn.isBefore(lsn, lastLsn)) {
            error = "LSN regression at stream offset " + (base + pos) + ": frame LSN " + Lsn.format(lsn)
                    + " follows LSN " + Lsn.format(lastLsn) + "; stopped, last good LSN " + Lsn.format(lastLsn);
            LOG.error(error);
            return;
        }
        seenFrame = true;
        lastLsn = lsn;
        frames++;
        start = pos + length;
        int code = arr[pos + WalFormat.TYPE_OFFSET] & 0xFF;
        RecordType type = RecordType.of(code);
        if (type == null) {
            reservedSkipped++;
            sink.skipped(lsn);
            return;
        }
        switch (type) {
            case PAGE_IMAGE, PAGE_DELTA, PG_RECORD -> {
                Frame frame = FrameCodec.decodeAt(buf, pos, length);
                try {
                    PageRecords.validate(lsn, type, frame.payload());
                    if (type == RecordType.PG_RECORD) {
                        // the block reference must exist in the record and name the frame's page (or its VM page)
                        PgRecordPayload.parse(frame.payload(), lsn);
                    }
                } catch (BadRecordException | WalFormatException e) {
                    reject(lsn, e.getMessage());
                    return;
                }
                deliver(frame, pos, length);
            }
            case LSN_ADVANCE -> deliver(FrameCodec.decodeAt(buf, pos, length), pos, length);
            case WATERMARK -> reject(lsn, "bad record at LSN " + Lsn.format(lsn)
                    + ": WATERMARK frames are only valid inside Kafka, not in an input stream");
        }
    }

    private void deliver(Frame frame, int pos, int length) {
        frameView.clear();
        frameView.position(pos).limit(pos + length);
        delivered++;
        sink.accept(frame, frameView);
    }

    private void reject(long lsn, String message) {
        rejected++;
        if (rejected <= 20 || rejected % 10_000 == 0) {
            LOG.warn("rejected record #{}: {}", rejected, message);
        }
        sink.rejected(lsn, message);
    }

    private int getInt(int i) {
        return ((arr[i] & 0xFF) << 24) | ((arr[i + 1] & 0xFF) << 16) | ((arr[i + 2] & 0xFF) << 8) | (arr[i + 3] & 0xFF);
    }
}
