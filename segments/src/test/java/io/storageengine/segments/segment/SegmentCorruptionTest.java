package io.storageengine.segments.segment;

import static io.storageengine.segments.segment.TestKeys.delta;
import static io.storageengine.segments.segment.TestKeys.page;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storageengine.schemas.segment.SegmentKind;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentCorruptionTest {
    @TempDir
    Path dir;
    Path file;
    SegmentInfo info;

    @BeforeEach
    void writeSegment() throws IOException {
        file = dir.resolve("s.seg");
        try (SegmentWriter w = SegmentWriter.create(file, new SegmentWriter.Options(SegmentKind.DELTA, 0, 0, 1024))) {
            for (int p = 0; p < 100; p++) {
                for (int l = 1; l <= 4; l++) {
                    w.add(page(p), l, delta(p * 10L + l, 50));
                }
            }
            info = w.finish();
        }
    }

    private void flipByteAt(long pos) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(pos);
            int b = raf.read();
            raf.seek(pos);
            raf.write(b ^ 0x40);
        }
    }

    @Test
    void aCorruptDataBlockIsDetectedOnReadNamingFileAndBlockOffset() throws IOException {
        flipByteAt(100); // inside block 0, which holds page 0
        try (SegmentReader r = SegmentReader.open(file)) { // open checks metadata only
            assertThat(r.versions(page(99), 4)).hasSize(4); // other blocks are still served
            assertThatThrownBy(() -> r.versions(page(0), 4)).isInstanceOf(CorruptSegmentException.class)
                    .hasMessageContaining(file.toString()).hasMessageContaining("offset 0")
                    .satisfies(e -> assertThat(((CorruptSegmentException) e).offset()).isZero());
            assertThatThrownBy(r::verifyAll).isInstanceOf(CorruptSegmentException.class);
            try (SegmentScanner s = r.scan()) {
                assertThatThrownBy(s::hasNext).isInstanceOf(CorruptSegmentException.class);
            }
        }
    }

    @Test
    void aCorruptBlockCrcIsDetected() throws IOException {
        long lastBlockEnd = dataEnd();
        flipByteAt(lastBlockEnd - 1);
        try (SegmentReader r = SegmentReader.open(file)) {
            assertThatThrownBy(() -> r.versions(page(99), 4)).isInstanceOf(CorruptSegmentException.class)
                    .hasMessageContaining("CRC mismatch");
        }
    }

    @Test
    void aCorruptIndexIsDetectedAtOpen() throws IOException {
        flipByteAt(dataEnd() + 10);
        assertThatThrownBy(() -> SegmentReader.open(file)).isInstanceOf(CorruptSegmentException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("checksum");
    }

    @Test
    void aCorruptFilterIsDetectedAtOpen() throws IOException {
        flipByteAt(info.fileSize() - Footer.SIZE - 3);
        assertThatThrownBy(() -> SegmentReader.open(file)).isInstanceOf(CorruptSegmentException.class)
                .hasMessageContaining("checksum");
    }

    @Test
    void everyCorruptFooterByteIsDetectedAtOpen() throws IOException {
        for (int i = 0; i < Footer.SIZE; i++) {
            long pos = info.fileSize() - Footer.SIZE + i;
            flipByteAt(pos);
            assertThatThrownBy(() -> SegmentReader.open(file)).as("footer byte %d", i)
                    .isInstanceOf(CorruptSegmentException.class).hasMessageContaining(file.toString());
            flipByteAt(pos);
        }
        try (SegmentReader r = SegmentReader.open(file)) {
            r.verifyAll();
        }
    }

    @Test
    void aTruncatedFileIsDetectedAtOpen() throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(info.fileSize() - 1);
        }
        assertThatThrownBy(() -> SegmentReader.open(file)).isInstanceOf(CorruptSegmentException.class)
                .hasMessageContaining("magic");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(10);
        }
        assertThatThrownBy(() -> SegmentReader.open(file)).isInstanceOf(CorruptSegmentException.class)
                .hasMessageContaining("shorter than a footer");
    }

    private long dataEnd() throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            raf.seek(info.fileSize() - Footer.SIZE + 154);
            return raf.readLong();
        }
    }
}
