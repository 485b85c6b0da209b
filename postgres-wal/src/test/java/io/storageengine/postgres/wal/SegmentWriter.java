package io.storageengine.postgres.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Test helper: lays records into WAL segments as PostgreSQL writes them (8 KiB pages, long header
 * at each segment start, short headers elsewhere, records MAXALIGNed, continuation pages with
 * XLP_FIRST_IS_CONTRECORD and xlp_rem_len), patching each record's xl_prev and CRC. Segments are
 * kept in memory (use small segment sizes) and written out with {@link #writeTo}.
 */
final class SegmentWriter {

    record Placed(long start, long end, byte[] bytes) {
    }

    final int segSize;
    final int tli;
    final long sysid;
    private final long firstSegStart;
    private final List<byte[]> segments = new ArrayList<>();
    private long pos;
    private long prev;
    final List<Placed> placed = new ArrayList<>();

    SegmentWriter(int segSize, int tli, long sysid, long firstSegNo) {
        this.segSize = segSize;
        this.tli = tli;
        this.sysid = sysid;
        this.firstSegStart = firstSegNo * segSize;
        this.pos = firstSegStart;
        this.prev = firstSegStart - 64;
    }

    /** Appends a record (its xl_prev and CRC are rewritten); returns where it went. */
    Placed append(byte[] recordIn) {
        byte[] rec = recordIn.clone();
        ByteBuffer.wrap(rec).order(ByteOrder.LITTLE_ENDIAN).putLong(8, prev);
        ByteBuffer.wrap(rec).order(ByteOrder.LITTLE_ENDIAN).putInt(20, DecodedRecord.computeCrc(rec));
        if (pos % 8192 == 0) {
            writePageHeader(pos, 0);
            pos += headerSize(pos);
        }
        long start = pos;
        int done = 0;
        while (done < rec.length) {
            if (pos % 8192 == 0) {
                writePageHeader(pos, rec.length - done);
                pos += headerSize(pos);
            }
            int room = (int) (8192 - pos % 8192);
            int n = Math.min(room, rec.length - done);
            put(pos, rec, done, n);
            pos += n;
            done += n;
        }
        long end = (pos + 7) & ~7L;
        pos = end;
        int rmid = rec[17] & 0xFF;
        if (rmid == 0 && (rec[16] & 0xF0) == 0x40) {  // XLOG SWITCH
            pos = (pos + segSize - 1) / segSize * segSize;
            end = pos;
        }
        prev = start;
        Placed p = new Placed(start, end, rec);
        placed.add(p);
        return p;
    }

    long position() {
        return pos;
    }

    private int headerSize(long addr) {
        return addr % segSize == 0 ? 40 : 24;
    }

    private void writePageHeader(long addr, int remLen) {
        ByteBuffer b = ByteBuffer.allocate(headerSize(addr)).order(ByteOrder.LITTLE_ENDIAN);
        int info = (remLen > 0 ? 0x0001 : 0) | (addr % segSize == 0 ? 0x0002 : 0);
        b.putShort((short) 0xD110).putShort((short) info).putInt(tli).putLong(addr).putInt(remLen).putInt(0);
        if (addr % segSize == 0) {
            b.putLong(sysid).putInt(segSize).putInt(8192);
        }
        put(addr, b.array(), 0, b.capacity());
    }

    private void put(long addr, byte[] src, int off, int len) {
        int seg = (int) ((addr - firstSegStart) / segSize);
        while (segments.size() <= seg) {
            segments.add(new byte[segSize]);
        }
        System.arraycopy(src, off, segments.get(seg), (int) ((addr - firstSegStart) % segSize), len);
    }

    /** The segment bytes (index 0 = the first segment). */
    byte[] segment(int i) {
        return segments.get(i);
    }

    int segmentCount() {
        return segments.size();
    }

    String fileName(int i) {
        long segNo = firstSegStart / segSize + i;
        long perId = 0x100000000L / segSize;
        return String.format(Locale.ROOT, "%08X%08X%08X", tli, segNo / perId, segNo % perId);
    }

    /** Writes every segment as a file; returns the directory. */
    Path writeTo(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (int i = 0; i < segments.size(); i++) {
            Files.write(dir.resolve(fileName(i)), segments.get(i));
        }
        return dir;
    }

    /** A heap-insert-like record with {@code dataLen} bytes of block data (deterministic content). */
    static byte[] record(int n, int dataLen) {
        byte[] data = new byte[dataLen];
        for (int i = 0; i < dataLen; i++) {
            data[i] = (byte) (i * 7 + n);
        }
        return new RecordBuilder(ResourceManager.HEAP, 0).xid(1000 + n)
                .block(0, 0, 16384 + n % 3, n, data, false, false).main(new byte[] {(byte) n, 0, 0}).build();
    }
}
