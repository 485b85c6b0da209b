package io.storageengine.segments.segment;

import static io.storageengine.segments.segment.TestKeys.delta;
import static io.storageengine.segments.segment.TestKeys.image;
import static io.storageengine.segments.segment.TestKeys.page;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storageengine.schemas.page.VersionKey;
import io.storageengine.schemas.segment.SegmentKind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link BulkIo#DIRECT}: the file a direct writer leaves is byte for byte the buffered writer's,
 * whatever its length (padding and truncation), and a direct scan reads what a buffered one does
 * and checks the same CRCs. Where the temporary directory's file system refuses O_DIRECT the
 * writer falls back to buffered writes, which {@link SegmentWriter#isDirect()} must say.
 */
class DirectIoTest {
    @TempDir
    Path dir;

    /** Whether this file system takes O_DIRECT (the probe leaves no file behind: the tests check the directory). */
    private boolean directAvailable() throws IOException {
        assertThat(BulkIo.PAGE_CACHE.effectiveIn(dir)).isEqualTo(BulkIo.PAGE_CACHE);
        return BulkIo.DIRECT.effectiveIn(dir) == BulkIo.DIRECT;
    }

    /** Records of {@code pages} pages, one in {@code bigEvery} carrying a value of {@code bigBytes}. */
    private static List<byte[][]> records(int pages, int bigEvery, int bigBytes, long seed) {
        Random rnd = new Random(seed);
        List<byte[][]> out = new ArrayList<>();
        for (int p = 0; p < pages; p++) {
            for (int l = 1; l <= 3; l++) {
                byte[] v;
                if (bigEvery > 0 && (p * 3 + l) % bigEvery == 0) {
                    v = delta(p * 7L + l, bigBytes);
                } else if (rnd.nextInt(3) == 0) {
                    v = image(p * 10L + l);
                } else {
                    v = delta(p * 10L + l, 20 + rnd.nextInt(300));
                }
                out.add(new byte[][] {VersionKey.encode(page(p), 100L * l + p), v});
            }
        }
        return out;
    }

    private SegmentInfo write(Path file, List<byte[][]> recs, BulkIo io, boolean expectDirect) throws IOException {
        try (SegmentWriter w = SegmentWriter.create(file, SegmentWriter.Options.of(SegmentKind.DELTA, 1, 2), IoFault.NONE, io)) {
            assertThat(w.isDirect()).isEqualTo(expectDirect);
            for (byte[][] r : recs) {
                w.add(r[0], r[1]);
            }
            return w.finish();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 40, 1500, 6000})
    void aDirectWriterLeavesTheBufferedWritersBytesAndADirectScanReadsThemBack(int pages) throws IOException {
        boolean direct = directAvailable();
        // Every 500th record carries 3 MiB: larger than the 1 MiB write buffer and than a scan window.
        List<byte[][]> recs = records(pages, pages >= 1500 ? 500 : 0, 3 << 20, pages);
        Path buffered = dir.resolve("buffered.seg");
        Path directFile = dir.resolve("direct.seg");
        SegmentInfo a = write(buffered, recs, BulkIo.PAGE_CACHE, false);
        SegmentInfo b = write(directFile, recs, BulkIo.DIRECT, direct);

        assertThat(b.fileSize()).isEqualTo(a.fileSize()).isEqualTo(Files.size(directFile));
        assertThat(Files.mismatch(buffered, directFile)).isEqualTo(-1L);
        assertThat(dir.toFile().list()).containsExactlyInAnyOrder("buffered.seg", "direct.seg"); // no temp file left

        for (BulkIo io : BulkIo.values()) {
            try (SegmentReader r = SegmentReader.open(directFile, null, IoFault.NONE, io);
                 SegmentScanner s = r.scan()) {
                int i = 0;
                while (s.advance()) {
                    byte[][] want = recs.get(i++);
                    assertThat(java.util.Arrays.copyOfRange(s.recordBuffer(), s.keyOffset(), s.keyOffset() + 57)).isEqualTo(want[0]);
                    assertThat(java.util.Arrays.copyOfRange(s.recordBuffer(), s.valueOffset(), s.valueOffset() + s.valueLength()))
                            .isEqualTo(want[1]);
                }
                assertThat(i).as("records scanned with %s", io).isEqualTo(recs.size());
                assertThat(r.blockReads()).isEqualTo(r.info().blockCount());
            }
        }
    }

    @Test
    void aDirectScanDetectsACorruptBlock() throws IOException {
        Path file = dir.resolve("c.seg");
        write(file, records(3000, 0, 0, 1), BulkIo.DIRECT, directAvailable());
        long pos;
        try (SegmentReader r = SegmentReader.open(file)) {
            pos = r.blockOffset(r.info().blockCount() / 2) + 100;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            ch.read(one, pos);
            one.put(0, (byte) (one.get(0) ^ 0x40)).rewind();
            ch.write(one, pos);
        }
        try (SegmentReader r = SegmentReader.open(file, null, IoFault.NONE, BulkIo.DIRECT);
             SegmentScanner s = r.scan()) {
            assertThatThrownBy(() -> {
                while (s.advance()) {
                    // scan to the corrupt block
                }
            }).isInstanceOf(CorruptSegmentException.class).hasMessageContaining("CRC mismatch");
        }
    }

    @Test
    void theWriteFaultFailsADirectSegmentAndLeavesNoFile() throws IOException {
        AtomicInteger writes = new AtomicInteger();
        IoFault secondWriteFails = () -> {
            if (writes.incrementAndGet() == 2) {
                throw new IOException("injected: disk full");
            }
        };
        Path file = dir.resolve("f.seg");
        List<byte[][]> recs = records(2000, 0, 0, 2); // several MiB: more than one write
        try (SegmentWriter w = SegmentWriter.create(file, SegmentWriter.Options.of(SegmentKind.DELTA, 0, 0), secondWriteFails,
                BulkIo.DIRECT)) {
            assertThatThrownBy(() -> {
                for (byte[][] r : recs) {
                    w.add(r[0], r[1]);
                }
                w.finish();
            }).hasMessageContaining("injected: disk full");
        }
        assertThat(dir.toFile().list()).isEmpty();
    }

    @Test
    void theReadFaultRunsBeforeEveryBlockOfADirectScan() throws IOException {
        Path file = dir.resolve("r.seg");
        SegmentInfo info = write(file, records(2000, 0, 0, 3), BulkIo.DIRECT, directAvailable());
        AtomicInteger reads = new AtomicInteger();
        IoFault failAtTheTenth = () -> {
            if (reads.incrementAndGet() == 10) {
                throw new IOException("injected: read error");
            }
        };
        assertThat(info.blockCount()).isGreaterThan(10);
        try (SegmentReader r = SegmentReader.open(file, null, failAtTheTenth, BulkIo.DIRECT);
             SegmentScanner s = r.scan()) {
            assertThatThrownBy(() -> {
                while (s.advance()) {
                    // scan to the tenth block
                }
            }).isInstanceOf(UncheckedIOException.class).hasMessageContaining("injected: read error");
        }
        assertThat(reads.get()).isEqualTo(10);
    }

    @Test
    void bulkIoParsesTheConfigurationWords() {
        assertThat(BulkIo.parse("true")).isEqualTo(BulkIo.DIRECT);
        assertThat(BulkIo.parse(" FALSE ")).isEqualTo(BulkIo.PAGE_CACHE);
        assertThatThrownBy(() -> BulkIo.parse("yes")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'yes'");
    }
}
