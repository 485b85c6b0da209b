package io.storageengine.postgres.wal;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

import io.storageengine.postgres.wal.internal.XLog;
import io.storageengine.schemas.wal.Lsn;

/**
 * WAL pages from a stream of bytes as they arrive (physical replication sends the WAL byte for byte
 * from a start position). {@link #append} adds bytes at the next LSN; {@link XLogReader#follow}
 * reads records as soon as they are complete and asks for more otherwise; {@link #release} drops
 * pages the reader no longer needs.
 *
 * <p>Memory: the pages between the oldest unreleased one and the newest byte; {@link #append}
 * refuses to hold more than {@code maxBytes} (a record larger than that cannot be read). The
 * last page may be partial: bytes not received yet read as zeros. Single-threaded.
 */
public final class StreamingWalSource implements WalPageSource {

    private final int segmentSize;
    private final int maxPages;
    private final ArrayDeque<byte[]> pages = new ArrayDeque<>();
    private long firstPage;      // address of pages.peekFirst()
    private long received;       // LSN just after the last byte received
    private final long startPage;

    /**
     * @param start       the LSN of the first byte that will be appended (any position; the page
     *                    holding it must be streamed from its start for its header to be known, so
     *                    pass a page start)
     * @param segmentSize the server's {@code wal_segment_size}
     * @param maxBytes    bound on buffered WAL
     */
    public StreamingWalSource(long start, int segmentSize, long maxBytes) {
        if (start % XLog.XLOG_BLCKSZ != 0) {
            throw new IllegalArgumentException("a stream must start at a page boundary, not " + Lsn.of(start));
        }
        this.segmentSize = segmentSize;
        this.maxPages = (int) Math.max(4, maxBytes / XLog.XLOG_BLCKSZ);
        this.firstPage = start;
        this.startPage = start;
        this.received = start;
    }

    /** LSN just after the last byte received. */
    public long receivedEnd() {
        return received;
    }

    /** Bytes held now. */
    public long bufferedBytes() {
        return (long) pages.size() * XLog.XLOG_BLCKSZ;
    }

    /**
     * Appends the bytes in {@code data} (position to limit), which start at {@code lsn}; must be
     * {@link #receivedEnd()} (bytes before it, sent again after a reconnect, are skipped).
     *
     * @throws WalFormatException for a gap, or when the buffer would exceed its bound
     */
    public void append(long lsn, ByteBuffer data) {
        ByteBuffer d = data.duplicate();
        if (Long.compareUnsigned(lsn, received) < 0) {
            long skip = received - lsn;
            if (skip >= d.remaining()) {
                return;
            }
            d.position(d.position() + (int) skip);
            lsn = received;
        }
        if (lsn != received) {
            throw new WalFormatException(Lsn.of(received), "gap in the WAL stream: expected bytes at " + Lsn.of(received)
                    + ", got " + Lsn.of(lsn));
        }
        while (d.hasRemaining()) {
            int off = (int) (received % XLog.XLOG_BLCKSZ);
            if (off == 0) {
                if (pages.size() >= maxPages) {
                    throw new WalFormatException(Lsn.of(received), "WAL stream buffer full (" + bufferedBytes()
                            + " bytes) at " + Lsn.of(received) + ": a record larger than the buffer, or the reader stalled");
                }
                pages.addLast(new byte[XLog.XLOG_BLCKSZ]);
            }
            byte[] page = pages.peekLast();
            int n = Math.min(d.remaining(), XLog.XLOG_BLCKSZ - off);
            d.get(page, off, n);
            received += n;
        }
    }

    /** Drops the pages wholly before {@code lsn}'s page. */
    public void release(long lsn) {
        long keep = lsn - Long.remainderUnsigned(lsn, XLog.XLOG_BLCKSZ);
        while (!pages.isEmpty() && Long.compareUnsigned(firstPage, keep) < 0
                && Long.compareUnsigned(firstPage + XLog.XLOG_BLCKSZ, received) <= 0) {
            pages.removeFirst();
            firstPage += XLog.XLOG_BLCKSZ;
        }
    }

    @Override
    public int segmentSize() {
        return segmentSize;
    }

    @Override
    public long firstPageAddress() {
        return startPage;
    }

    @Override
    public boolean readPage(long pageAddress, byte[] dst) {
        if (Long.compareUnsigned(pageAddress, firstPage) < 0 || Long.compareUnsigned(pageAddress, received) >= 0) {
            return false;
        }
        int idx = (int) ((pageAddress - firstPage) / XLog.XLOG_BLCKSZ);
        int i = 0;
        for (byte[] p : pages) {
            if (i++ == idx) {
                System.arraycopy(p, 0, dst, 0, XLog.XLOG_BLCKSZ);
                return true;
            }
        }
        return false;
    }

    /** Whether the whole page at {@code pageAddress} has arrived. */
    public boolean pageComplete(long pageAddress) {
        return Long.compareUnsigned(pageAddress + XLog.XLOG_BLCKSZ, received) <= 0;
    }

    @Override
    public String describe(long pageAddress) {
        return "the WAL stream at " + Lsn.of(pageAddress);
    }

    @Override
    public void close() {
        pages.clear();
    }
}
