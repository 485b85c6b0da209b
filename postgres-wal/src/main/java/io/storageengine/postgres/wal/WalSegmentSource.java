package io.storageengine.postgres.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.storageengine.postgres.wal.internal.XLog;
import io.storageengine.schemas.wal.Lsn;

/**
 * WAL pages from a directory of segment files (a {@code pg_wal} copy or a WAL archive), named as
 * PostgreSQL names them: {@code TTTTTTTTXXXXXXXXYYYYYYYY} (timeline, then the segment number as
 * two 32-bit halves). Other files ({@code .history}, {@code .partial}, {@code .backup}, ...) are ignored.
 *
 * <p>The timeline read is the one of the oldest segment file; the segment size, system id and
 * timeline come from that file's long page header. Each later file is checked when the reader
 * first needs it: its size must be the segment size ("truncated segment" / "wrong segment size"),
 * its long header must carry the same system id, segment size and timeline, and a segment that
 * exists only under another timeline, or is missing while later ones exist, is an error naming
 * the file and the LSN.
 *
 * <p>Memory: one read-ahead buffer (256 KiB) and one open file. Single-threaded.
 */
public final class WalSegmentSource implements WalPageSource {

    private static final Pattern NAME = Pattern.compile("[0-9A-F]{24}");
    private static final int CHUNK = 256 * 1024;

    private final Path dir;
    private final int timeline;
    private final long systemId;
    private final int segmentSize;
    /** Segment number → file of the chosen timeline. */
    private final NavigableMap<Long, Path> files;
    /** Segment number → a file of another timeline, for error messages. */
    private final NavigableMap<Long, Path> otherTimelineFiles;

    private long openSegNo = -1;
    private FileChannel channel;
    private final ByteBuffer chunk = ByteBuffer.allocate(CHUNK);
    private long chunkStart = -1;  // LSN of chunk[0]
    private int chunkLen;

    private WalSegmentSource(Path dir, int timeline, long systemId, int segmentSize, NavigableMap<Long, Path> files,
                             NavigableMap<Long, Path> other) {
        this.dir = dir;
        this.timeline = timeline;
        this.systemId = systemId;
        this.segmentSize = segmentSize;
        this.files = files;
        this.otherTimelineFiles = other;
    }

    /**
     * Opens a directory of segment files.
     *
     * @throws WalFormatException if it holds no segment file or the oldest one is not a valid first segment
     */
    public static WalSegmentSource open(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("not a directory: " + dir);
        }
        TreeMap<String, Path> byName = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.filter(p -> NAME.matcher(p.getFileName().toString()).matches() && Files.isRegularFile(p))
                    .forEach(p -> byName.put(p.getFileName().toString(), p));
        }
        if (byName.isEmpty()) {
            throw new WalFormatException(Lsn.ZERO, "no WAL segment files (24 hex digits) in " + dir);
        }
        // Oldest segment: lowest segment part of the name, then lowest timeline.
        String oldest = null;
        for (String n : byName.keySet()) {
            if (oldest == null || n.substring(8).compareTo(oldest.substring(8)) < 0) {
                oldest = n;
            }
        }
        Path first = byName.get(oldest);
        int tli = (int) Long.parseLong(oldest.substring(0, 8), 16);
        byte[] page = new byte[XLog.XLOG_BLCKSZ];
        try (FileChannel ch = FileChannel.open(first, StandardOpenOption.READ)) {
            ByteBuffer bb = ByteBuffer.wrap(page);
            while (bb.hasRemaining() && ch.read(bb) > 0) {
                // fill
            }
            if (bb.hasRemaining()) {
                throw new WalFormatException(Lsn.ZERO, "truncated segment file " + first + ": " + ch.size()
                        + " bytes, shorter than one WAL page");
            }
        }
        int magic = DecodedRecord.le16(page, 0);
        int info = DecodedRecord.le16(page, 2);
        if (magic != XLog.XLOG_PAGE_MAGIC || (info & XLog.XLP_LONG_HEADER) == 0) {
            throw new WalFormatException(Lsn.ZERO, "segment file " + first + " does not start with a PostgreSQL 15 long"
                    + " page header (magic " + String.format(Locale.ROOT, "%04X", magic) + ", info "
                    + String.format(Locale.ROOT, "%04X", info) + ")");
        }
        long sysid = DecodedRecord.le64(page, 24);
        int segSize = DecodedRecord.le32(page, 32);
        int blcksz = DecodedRecord.le32(page, 36);
        if (blcksz != XLog.XLOG_BLCKSZ) {
            throw new WalFormatException(Lsn.ZERO, "segment file " + first + ": XLOG_BLCKSZ " + blcksz + ", only 8192 is supported");
        }
        if (segSize < (1 << 20) || segSize > (1 << 30) || Integer.bitCount(segSize) != 1) {
            throw new WalFormatException(Lsn.ZERO, "segment file " + first + ": invalid segment size " + segSize
                    + " in its long page header");
        }
        TreeMap<Long, Path> files = new TreeMap<>();
        TreeMap<Long, Path> other = new TreeMap<>();
        long segsPerId = 0x100000000L / segSize;
        for (var e : byName.entrySet()) {
            String n = e.getKey();
            int t = (int) Long.parseLong(n.substring(0, 8), 16);
            long hi = Long.parseLong(n.substring(8, 16), 16);
            long lo = Long.parseLong(n.substring(16, 24), 16);
            if (lo >= segsPerId) {
                throw new WalFormatException(Lsn.ZERO, "segment file " + e.getValue() + " does not fit segment size "
                        + segSize + " (read from " + first.getFileName() + "): wrong segment size");
            }
            long segNo = hi * segsPerId + lo;
            (t == tli ? files : other).putIfAbsent(segNo, e.getValue());
        }
        WalSegmentSource src = new WalSegmentSource(dir, tli, sysid, segSize, files, other);
        long firstPage = src.firstPageAddress();
        long pageAddr = DecodedRecord.le64(page, 8);
        if (pageAddr != firstPage) {
            throw new WalFormatException(Lsn.of(firstPage), "segment file " + first + ": page address "
                    + Lsn.of(pageAddr) + " in its header, its name says " + Lsn.of(firstPage));
        }
        return src;
    }

    @Override
    public int segmentSize() {
        return segmentSize;
    }

    /** The PostgreSQL timeline read (of the oldest segment file). */
    public int timeline() {
        return timeline;
    }

    /** The database system identifier from the oldest segment's long page header. */
    public long systemId() {
        return systemId;
    }

    @Override
    public long firstPageAddress() {
        return files.firstKey() * segmentSize;
    }

    /** The LSN just after the newest segment file of the timeline. */
    public long endAddress() {
        return (files.lastKey() + 1) * segmentSize;
    }

    public Path directory() {
        return dir;
    }

    /** PostgreSQL's file name of the segment holding {@code lsn} on this source's timeline. */
    public String fileName(long lsn) {
        long segNo = Long.divideUnsigned(lsn, segmentSize);
        long segsPerId = 0x100000000L / segmentSize;
        return String.format(Locale.ROOT, "%08X%08X%08X", timeline, segNo / segsPerId, segNo % segsPerId);
    }

    @Override
    public String describe(long pageAddress) {
        long segNo = Long.divideUnsigned(pageAddress, segmentSize);
        Path p = files.get(segNo);
        return (p != null ? p.toString() : dir.resolve(fileName(pageAddress)) + " (absent)") + " offset "
                + Long.remainderUnsigned(pageAddress, segmentSize);
    }

    @Override
    public boolean readPage(long pageAddress, byte[] dst) throws IOException {
        if (pageAddress >= chunkStart && chunkStart >= 0 && pageAddress + XLog.XLOG_BLCKSZ <= chunkStart + chunkLen) {
            System.arraycopy(chunk.array(), (int) (pageAddress - chunkStart), dst, 0, XLog.XLOG_BLCKSZ);
            return true;
        }
        long segNo = Long.divideUnsigned(pageAddress, segmentSize);
        if (segNo != openSegNo) {
            if (!openSegment(segNo, pageAddress)) {
                return false;
            }
        }
        long segStart = segNo * segmentSize;
        int off = (int) (pageAddress - segStart);
        chunk.clear();
        chunk.limit(Math.min(CHUNK, segmentSize - off));
        long pos = off;
        while (chunk.hasRemaining()) {
            int n = channel.read(chunk, pos);
            if (n < 0) {
                break;
            }
            pos += n;
        }
        chunkStart = pageAddress;
        chunkLen = chunk.position();
        if (chunkLen < XLog.XLOG_BLCKSZ) {
            Path p = files.get(segNo);
            throw new WalFormatException(Lsn.of(pageAddress), "truncated segment file " + p + ": it ended at offset "
                    + (off + chunkLen) + " while reading the page at " + Lsn.of(pageAddress));
        }
        System.arraycopy(chunk.array(), 0, dst, 0, XLog.XLOG_BLCKSZ);
        return true;
    }

    private boolean openSegment(long segNo, long pageAddress) throws IOException {
        closeChannel();
        Path p = files.get(segNo);
        Lsn lsn = Lsn.of(pageAddress);
        if (p == null) {
            Path otherTl = otherTimelineFiles.get(segNo);
            if (otherTl != null) {
                throw new WalFormatException(lsn, "WAL at " + lsn + " exists only as " + otherTl
                        + ", of another timeline than " + timeline + " (read from the oldest segment)");
            }
            Long later = files.higherKey(segNo);
            if (later != null) {
                throw new WalFormatException(lsn, "segment file " + dir.resolve(fileName(pageAddress))
                        + " is missing (WAL at " + lsn + "), but later segment " + files.get(later) + " exists");
            }
            return false;
        }
        long size = Files.size(p);
        FileChannel ch = FileChannel.open(p, StandardOpenOption.READ);
        ByteBuffer head = ByteBuffer.allocate(XLog.SIZE_OF_LONG_PHD);
        ch.read(head, 0);
        byte[] h = head.array();
        int magic = DecodedRecord.le16(h, 0);
        int info = DecodedRecord.le16(h, 2);
        if (size != segmentSize) {
            ch.close();
            int headerSegSize = magic == XLog.XLOG_PAGE_MAGIC && (info & XLog.XLP_LONG_HEADER) != 0
                    ? DecodedRecord.le32(h, 32) : segmentSize;
            String what = headerSegSize != segmentSize
                    ? "wrong segment size: " + p + " says " + headerSegSize + " in its long page header and is " + size
                            + " bytes, the segment size is " + segmentSize
                    : size < segmentSize
                            ? "truncated segment file " + p + ": " + size + " bytes, the segment size is " + segmentSize
                            : "wrong segment size: " + p + " is " + size + " bytes, the segment size is " + segmentSize;
            throw new WalFormatException(lsn, what + " (WAL at " + lsn + ")");
        }
        if (magic == XLog.XLOG_PAGE_MAGIC && (info & XLog.XLP_LONG_HEADER) != 0) {
            // A recycled or not yet written segment has an old or no header: the reader treats it as end of WAL.
            long sysid = DecodedRecord.le64(h, 24);
            int segSize = DecodedRecord.le32(h, 32);
            int tli = DecodedRecord.le32(h, 4);
            long addr = DecodedRecord.le64(h, 8);
            if (addr == segNo * segmentSize) {
                if (sysid != systemId) {
                    ch.close();
                    throw new WalFormatException(lsn, "segment file " + p + " is from another database system: system id "
                            + Long.toUnsignedString(sysid) + ", expected " + Long.toUnsignedString(systemId));
                }
                if (segSize != segmentSize) {
                    ch.close();
                    throw new WalFormatException(lsn, "wrong segment size: " + p + " says " + segSize
                            + " in its long page header, expected " + segmentSize);
                }
                if (tli != timeline) {
                    ch.close();
                    throw new WalFormatException(lsn, "segment file " + p + " holds timeline " + tli
                            + " in its page header, expected " + timeline);
                }
            }
        }
        channel = ch;
        openSegNo = segNo;
        chunkStart = -1;
        return true;
    }

    private void closeChannel() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
            openSegNo = -1;
        }
    }

    @Override
    public void close() throws IOException {
        closeChannel();
    }
}
