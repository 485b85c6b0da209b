package io.storageengine.postgres.wal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.storageengine.schemas.wal.Lsn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The XLOG page reader over segment files laid out as PostgreSQL writes them (1 MiB segments):
 * records across pages and segments, start positions, end of WAL, and each kind of damage.
 */
class XLogReaderTest {

    static final int SEG = 1 << 20;
    static final long SYSID = 7_300_000_000_000_000_001L;

    @TempDir
    Path tmp;

    /** About 2.5 segments of records of mixed sizes, some spanning many pages. */
    static SegmentWriter mixed() {
        SegmentWriter w = new SegmentWriter(SEG, 1, SYSID, 3);
        int n = 0;
        while (w.position() < 3L * SEG + 2 * SEG + SEG / 2) {
            int len = switch (n % 7) {
                case 0 -> 30_000;
                case 3 -> 9000;
                default -> 20 + (n * 37) % 900;
            };
            w.append(SegmentWriter.record(n, len));
            n++;
        }
        return w;
    }

    static List<DecodedRecord> readAll(XLogReader r) throws IOException {
        List<DecodedRecord> out = new ArrayList<>();
        DecodedRecord d;
        while ((d = r.next()) != null) {
            out.add(d);
        }
        return out;
    }

    @Test
    void readsRecordsAcrossPagesAndSegmentsThenStopsAtTheEnd() throws IOException {
        SegmentWriter w = mixed();
        Path dir = w.writeTo(tmp.resolve("wal"));
        try (WalSegmentSource src = WalSegmentSource.open(dir); XLogReader r = XLogReader.open(src, null)) {
            assertThat(src.segmentSize()).isEqualTo(SEG);
            assertThat(src.systemId()).isEqualTo(SYSID);
            assertThat(src.timeline()).isEqualTo(1);
            List<DecodedRecord> got = readAll(r);
            assertThat(got).hasSize(w.placed.size());
            for (int i = 0; i < got.size(); i++) {
                SegmentWriter.Placed p = w.placed.get(i);
                assertThat(got.get(i).startLsn().value()).isEqualTo(p.start());
                assertThat(got.get(i).endLsn().value()).isEqualTo(p.end());
                byte[] b = new byte[got.get(i).totalLength()];
                got.get(i).bytes().get(b);
                assertThat(b).isEqualTo(p.bytes());
            }
            assertThat(r.atEnd()).isTrue();
            assertThat(r.endLsn().value()).isEqualTo(w.placed.getLast().end());
            assertThat(r.endReason()).contains("invalid record length").contains("got 0");
            assertThat(r.systemId()).isEqualTo(SYSID);
        }
    }

    @Test
    void startLsnFindsTheFirstRecordAtOrAfterIt() throws IOException {
        SegmentWriter w = mixed();
        Path dir = w.writeTo(tmp.resolve("wal"));
        for (int k : new int[] {1, 7, 50, 101}) {
            SegmentWriter.Placed target = w.placed.get(k);
            try (XLogReader r = XLogReader.open(WalSegmentSource.open(dir), Lsn.of(target.start() - 3))) {
                assertThat(r.next().startLsn().value()).isEqualTo(target.start());
            }
            try (XLogReader r = XLogReader.open(WalSegmentSource.open(dir), Lsn.of(target.start()))) {
                assertThat(r.next().startLsn().value()).isEqualTo(target.start());
            }
        }
    }

    @Test
    void oldestSegmentStartingWithAContinuationIsSkippedToItsFirstRecord() throws IOException {
        SegmentWriter w = new SegmentWriter(SEG, 1, SYSID, 3);
        while (w.position() < 3L * SEG + SEG - 20_000) {
            w.append(SegmentWriter.record(1, 500));
        }
        SegmentWriter.Placed spanning = w.append(SegmentWriter.record(2, 60_000));  // crosses into segment 4
        SegmentWriter.Placed next = w.append(SegmentWriter.record(3, 100));
        Path dir = w.writeTo(tmp.resolve("wal"));
        Files.delete(dir.resolve(w.fileName(0)));
        assertThat(spanning.end()).isGreaterThan(4L * SEG);
        try (XLogReader r = XLogReader.open(WalSegmentSource.open(dir), null)) {
            DecodedRecord first = r.next();
            assertThat(first.startLsn().value()).isEqualTo(next.start());
            assertThat(r.next()).isNull();
        }
    }

    @Test
    void xlogSwitchEndsAtTheSegmentEnd() throws IOException {
        SegmentWriter w = new SegmentWriter(SEG, 1, SYSID, 3);
        w.append(SegmentWriter.record(1, 100));
        SegmentWriter.Placed sw = w.append(new RecordBuilder(ResourceManager.XLOG, 0x40).build());
        SegmentWriter.Placed after = w.append(SegmentWriter.record(2, 100));
        assertThat(sw.end()).isEqualTo(4L * SEG);
        Path dir = w.writeTo(tmp.resolve("wal"));
        try (XLogReader r = XLogReader.open(WalSegmentSource.open(dir), null)) {
            r.next();
            DecodedRecord s = r.next();
            assertThat(s.recordName()).isEqualTo("SWITCH");
            assertThat(s.endLsn().value()).isEqualTo(4L * SEG);
            assertThat(r.next().startLsn().value()).isEqualTo(after.start());
        }
    }

    @Test
    void crcMismatchOfTheLastRecordIsTheEndOfWal() throws IOException {
        SegmentWriter w = mixed();
        Path dir = w.writeTo(tmp.resolve("wal"));
        SegmentWriter.Placed last = w.placed.getLast();
        flipByteAt(dir, w, last.start() + 30);
        try (XLogReader r = XLogReader.open(WalSegmentSource.open(dir), null)) {
            assertThat(readAll(r)).hasSize(w.placed.size() - 1);
            assertThat(r.endLsn().value()).isEqualTo(w.placed.get(w.placed.size() - 2).end());
            assertThat(r.endReason()).contains("checksum").contains(Lsn.format(last.start()));
        }
    }

    @Test
    void tornTailPageIsTheEndOfWal() throws IOException {
        SegmentWriter w = mixed();
        Path dir = w.writeTo(tmp.resolve("wal"));
        SegmentWriter.Placed last = w.placed.getLast();
        // zero everything from the middle of the last record: as if the last page write was torn
        long from = (last.start() + last.end()) / 2;
        int seg = (int) (from / SEG - 3);
        byte[] b = Files.readAllBytes(dir.resolve(w.fileName(seg)));
        Arrays.fill(b, (int) (from % SEG), SEG, (byte) 0);
        Files.write(dir.resolve(w.fileName(seg)), b);
        try (XLogReader r = XLogReader.open(WalSegmentSource.open(dir), null)) {
            assertThat(readAll(r)).hasSize(w.placed.size() - 1);
            assertThat(r.endLsn().value()).isEqualTo(last.start());
        }
    }

    @Test
    void corruptRecordInsideCompleteWalIsAnErrorNamingItsLsn() throws IOException {
        SegmentWriter w = mixed();
        Path dir = w.writeTo(tmp.resolve("wal"));
        SegmentWriter.Placed bad = w.placed.get(w.placed.size() / 2);
        flipByteAt(dir, w, bad.start() + 26);
        try (XLogReader r = XLogReader.open(WalSegmentSource.open(dir), null)) {
            int n = 0;
            try {
                while (r.next() != null) {
                    n++;
                }
                throw new AssertionError("no error");
            } catch (WalFormatException e) {
                assertThat(e.getMessage()).contains("corrupt WAL record at " + Lsn.format(bad.start()))
                        .contains("valid WAL follows").contains(w.fileName((int) (bad.start() / SEG - 3)));
                assertThat(e.lsn().value()).isEqualTo(bad.start());
            }
            assertThat(n).isEqualTo(w.placed.size() / 2);
        }
    }

    @Test
    void garbageInTheMiddleIsAnError() throws IOException {
        SegmentWriter w = mixed();
        Path dir = w.writeTo(tmp.resolve("wal"));
        long at = 4L * SEG + 5 * 8192;  // a page header in the middle of segment 4
        byte[] b = Files.readAllBytes(dir.resolve(w.fileName(1)));
        for (int i = 0; i < 8192; i++) {
            b[5 * 8192 + i] = (byte) (i * 13);
        }
        Files.write(dir.resolve(w.fileName(1)), b);
        try (XLogReader r = XLogReader.open(WalSegmentSource.open(dir), null)) {
            assertThatThrownBy(() -> readAll(r)).isInstanceOf(WalFormatException.class)
                    .hasMessageContaining("valid WAL follows at " + Lsn.format(at + 8192));
        }
    }

    @Test
    void truncatedSegmentIsAnErrorNamingFileAndLsnAfterTheRecordsBeforeIt() throws IOException {
        SegmentWriter w = mixed();
        Path dir = w.writeTo(tmp.resolve("wal"));
        Path second = dir.resolve(w.fileName(1));
        byte[] b = Files.readAllBytes(second);
        Files.write(second, Arrays.copyOf(b, SEG / 2 + 100));
        List<DecodedRecord> before = new ArrayList<>();
        try (XLogReader r = XLogReader.open(WalSegmentSource.open(dir), null)) {
            assertThatThrownBy(() -> {
                DecodedRecord d;
                while ((d = r.next()) != null) {
                    before.add(d);
                }
            }).isInstanceOf(WalFormatException.class).hasMessageContaining("truncated segment file")
                    .hasMessageContaining(second.toString()).hasMessageContaining("0/");
        }
        assertThat(before).isNotEmpty();
        assertThat(before.getLast().endLsn().value()).isLessThanOrEqualTo(4L * SEG);
    }

    @Test
    void wrongSegmentSizeIsAnError() throws IOException {
        SegmentWriter w = mixed();
        Path dir = w.writeTo(tmp.resolve("wal"));
        Path second = dir.resolve(w.fileName(1));
        Files.write(second, Arrays.copyOf(Files.readAllBytes(second), 2 * SEG));
        try (XLogReader r = XLogReader.open(WalSegmentSource.open(dir), null)) {
            assertThatThrownBy(() -> readAll(r)).isInstanceOf(WalFormatException.class)
                    .hasMessageContaining("wrong segment size").hasMessageContaining(second.toString());
        }
        // a segment from a cluster with another segment size, in a directory of its own
        SegmentWriter big = new SegmentWriter(2 * SEG, 1, SYSID, 1);
        while (big.position() < 4L * SEG + 100) {
            big.append(SegmentWriter.record(1, 5000));
        }
        Path dir2 = big.writeTo(tmp.resolve("wal2"));
        SegmentWriter small = new SegmentWriter(SEG, 1, SYSID, 4);
        small.append(SegmentWriter.record(1, 100));
        Files.write(dir2.resolve(big.fileName(1)), small.segment(0));
        assertThatThrownBy(() -> readAll(XLogReader.open(WalSegmentSource.open(dir2), null)))
                .isInstanceOf(WalFormatException.class).hasMessageContaining("segment size");
    }

    @Test
    void otherTimelineOrSystemIsAnErrorNamingTheFile() throws IOException {
        SegmentWriter w = mixed();
        Path dir = w.writeTo(tmp.resolve("wal"));
        // segment 4 exists only as a file of timeline 2
        Files.move(dir.resolve(w.fileName(1)), dir.resolve("00000002" + w.fileName(1).substring(8)));
        try (XLogReader r = XLogReader.open(WalSegmentSource.open(dir), null)) {
            assertThatThrownBy(() -> readAll(r)).isInstanceOf(WalFormatException.class)
                    .hasMessageContaining("another timeline").hasMessageContaining("00000002" + w.fileName(1).substring(8));
        }
        // segment 4 written by another system (same names, another system id in the long header)
        SegmentWriter other = new SegmentWriter(SEG, 1, SYSID + 1, 4);
        while (other.position() < 4L * SEG + 50_000) {
            other.append(SegmentWriter.record(9, 200));
        }
        Path dir2 = w.writeTo(tmp.resolve("wal2"));
        Files.write(dir2.resolve(w.fileName(1)), other.segment(0));
        try (XLogReader r = XLogReader.open(WalSegmentSource.open(dir2), null)) {
            assertThatThrownBy(() -> readAll(r)).isInstanceOf(WalFormatException.class)
                    .hasMessageContaining("another database system").hasMessageContaining(w.fileName(1));
        }
        // a page inside segment 4 claims timeline 2 while the file says 1
        Path dir3 = w.writeTo(tmp.resolve("wal3"));
        byte[] seg = Files.readAllBytes(dir3.resolve(w.fileName(1)));
        seg[4] = 2;
        Files.write(dir3.resolve(w.fileName(1)), seg);
        try (XLogReader r = XLogReader.open(WalSegmentSource.open(dir3), null)) {
            assertThatThrownBy(() -> readAll(r)).isInstanceOf(WalFormatException.class)
                    .hasMessageContaining("timeline 2").hasMessageContaining(w.fileName(1));
        }
    }

    @Test
    void missingSegmentInTheMiddleIsAnError() throws IOException {
        SegmentWriter w = mixed();
        Path dir = w.writeTo(tmp.resolve("wal"));
        Files.delete(dir.resolve(w.fileName(1)));
        try (XLogReader r = XLogReader.open(WalSegmentSource.open(dir), null)) {
            assertThatThrownBy(() -> readAll(r)).isInstanceOf(WalFormatException.class)
                    .hasMessageContaining("is missing").hasMessageContaining(w.fileName(1));
        }
    }

    @Test
    void emptyDirectoryIsAnError() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("empty"));
        assertThatThrownBy(() -> WalSegmentSource.open(dir)).isInstanceOf(WalFormatException.class)
                .hasMessageContaining("no WAL segment files");
    }

    /**
     * A record whose continuation was never written, and the next page flagged
     * XLP_FIRST_IS_OVERWRITE_CONTRECORD with a new record at its start (what PostgreSQL writes after
     * recovering from such a tail): the partial record is skipped and reading goes on.
     */
    @Test
    void overwrittenContinuationIsSkipped() throws IOException {
        SegmentWriter w = new SegmentWriter(SEG, 1, SYSID, 3);
        while (w.position() < 3L * SEG + 3 * 8192 - 600) {
            w.append(SegmentWriter.record(1, 300));
        }
        SegmentWriter.Placed beforeAborted = w.placed.getLast();
        SegmentWriter.Placed aborted = w.append(SegmentWriter.record(2, 5000));  // spans into the next page
        long nextPage = (aborted.start() / 8192 + 1) * 8192;
        assertThat(aborted.end()).isGreaterThan(nextPage);
        byte[] seg = w.segment(0).clone();
        java.util.Arrays.fill(seg, (int) (nextPage - 3L * SEG), SEG, (byte) 0);
        // page header: magic, info = XLP_FIRST_IS_OVERWRITE_CONTRECORD, tli, pageaddr, rem_len 0
        java.nio.ByteBuffer h = java.nio.ByteBuffer.wrap(seg, (int) (nextPage - 3L * SEG), 24)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        h.putShort((short) 0xD110).putShort((short) 0x0008).putInt(1).putLong(nextPage).putInt(0);
        byte[] rec = new RecordBuilder(ResourceManager.XLOG, 0xD0).prev(beforeAborted.start())
                .main(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}).build();
        System.arraycopy(rec, 0, seg, (int) (nextPage - 3L * SEG) + 24, rec.length);
        Path dir = Files.createDirectories(tmp.resolve("wal"));
        Files.write(dir.resolve(w.fileName(0)), seg);
        try (XLogReader r = XLogReader.open(WalSegmentSource.open(dir), null)) {
            List<DecodedRecord> got = readAll(r);
            assertThat(got.get(got.size() - 2).startLsn().value()).isEqualTo(beforeAborted.start());
            DecodedRecord last = got.getLast();
            assertThat(last.startLsn().value()).isEqualTo(nextPage + 24);
            assertThat(last.recordName()).isEqualTo("OVERWRITE_CONTRECORD");
            assertThat(got).hasSize(w.placed.size() - 1 + 1);
        }
    }

    private static void flipByteAt(Path dir, SegmentWriter w, long lsn) throws IOException {
        int seg = (int) (lsn / SEG - 3);
        Path f = dir.resolve(w.fileName(seg));
        byte[] b = Files.readAllBytes(f);
        b[(int) (lsn % SEG)] ^= 0x5A;
        Files.write(f, b);
    }
}
