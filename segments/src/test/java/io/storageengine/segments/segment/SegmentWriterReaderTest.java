package io.storageengine.segments.segment;

import static io.storageengine.segments.segment.TestKeys.delta;
import static io.storageengine.segments.segment.TestKeys.image;
import static io.storageengine.segments.segment.TestKeys.page;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storageengine.schemas.page.VersionKey;
import io.storageengine.schemas.segment.SegmentKind;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentWriterReaderTest {
    @TempDir
    Path dir;

    private SegmentWriter writer(String name, int blockSize) throws IOException {
        return SegmentWriter.create(dir.resolve(name), new SegmentWriter.Options(SegmentKind.DELTA, 0, 3, blockSize));
    }

    @Test
    void scanReturnsEveryRecordInKeyOrderAndInfoDescribesTheFile() throws IOException {
        List<byte[]> keys = new ArrayList<>();
        List<byte[]> values = new ArrayList<>();
        try (SegmentWriter w = writer("a.seg", 1024)) {
            for (int p = 0; p < 50; p++) {
                for (int l = 1; l <= 5; l++) {
                    byte[] k = VersionKey.encode(page(p), 100L * l + p);
                    byte[] v = (p + l) % 4 == 0 ? image(p * 10L + l) : delta(p * 10L + l, 10 + p);
                    w.add(k, v);
                    keys.add(k);
                    values.add(v);
                }
            }
            SegmentInfo info = w.finish();
            assertThat(info.recordCount()).isEqualTo(250);
            assertThat(info.minLsn()).isEqualTo(100);
            assertThat(info.maxLsn()).isEqualTo(549);
            assertThat(info.minKey()).isEqualTo(keys.get(0));
            assertThat(info.maxKey()).isEqualTo(keys.get(249));
            assertThat(info.fileSize()).isEqualTo(Files.size(dir.resolve("a.seg")));
        }
        try (SegmentReader r = SegmentReader.open(dir.resolve("a.seg"))) {
            assertThat(r.info().kind()).isEqualTo(SegmentKind.DELTA);
            assertThat(r.info().partition()).isEqualTo(3);
            assertThat(r.info().recordCount()).isEqualTo(250);
            assertThat(r.info().blockCount()).isGreaterThan(50);
            int i = 0;
            try (SegmentScanner s = r.scan()) {
                while (s.hasNext()) {
                    assertThat(s.peekKey()).isEqualTo(keys.get(i));
                    SegmentRecord rec = s.next();
                    assertThat(rec.key()).isEqualTo(keys.get(i));
                    assertThat(rec.value()).isEqualTo(values.get(i));
                    i++;
                }
            }
            assertThat(i).isEqualTo(250);
            r.verifyAll();
        }
    }

    @Test
    void recordsAddedFromInsideLargerArraysReadBackAsWrittenAndTheCursorSeesThemInPlace() throws IOException {
        // Keys side by side in one array, values packed in another (as compactor-worker's L0 buffer holds them).
        int n = 300;
        byte[] keys = new byte[n * SegmentWriter.KEY_SIZE];
        java.io.ByteArrayOutputStream packed = new java.io.ByteArrayOutputStream();
        int[] offsets = new int[n];
        List<byte[]> values = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] k = VersionKey.encode(page(i / 3), 10L + i);
            System.arraycopy(k, 0, keys, i * SegmentWriter.KEY_SIZE, SegmentWriter.KEY_SIZE);
            byte[] v = i % 7 == 0 ? image(i) : delta(i, 5 + i % 40);
            offsets[i] = packed.size();
            packed.write(v);
            values.add(v);
        }
        byte[] valueBuf = packed.toByteArray();
        try (SegmentWriter w = writer("packed.seg", 2048)) {
            for (int i = 0; i < n; i++) {
                w.add(keys, i * SegmentWriter.KEY_SIZE, valueBuf, offsets[i], values.get(i).length);
            }
            // Out of order from an offset: refused with the key named, nothing written.
            assertThatThrownBy(() -> w.add(keys, 0, valueBuf, 0, values.get(0).length))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("out-of-order");
            assertThatThrownBy(() -> w.add(keys, keys.length - 10, valueBuf, 0, 1))
                    .isInstanceOf(IndexOutOfBoundsException.class);
            assertThat(w.finish().recordCount()).isEqualTo(n);
        }
        try (SegmentReader r = SegmentReader.open(dir.resolve("packed.seg")); SegmentScanner s = r.scan()) {
            int i = 0;
            while (s.advance()) {
                byte[] b = s.recordBuffer();
                assertThat(java.util.Arrays.copyOfRange(b, s.keyOffset(), s.keyOffset() + SegmentWriter.KEY_SIZE))
                        .isEqualTo(java.util.Arrays.copyOfRange(keys, i * SegmentWriter.KEY_SIZE, (i + 1) * SegmentWriter.KEY_SIZE));
                assertThat(java.util.Arrays.copyOfRange(b, s.valueOffset(), s.valueOffset() + s.valueLength()))
                        .isEqualTo(values.get(i));
                i++;
            }
            assertThat(i).isEqualTo(n);
            assertThat(s.advance()).isFalse();
        }
    }

    @Test
    void pointLookupsReturnVersionsAtOrBelowTheLsnNewestFirst() throws IOException {
        try (SegmentWriter w = writer("b.seg", 512)) {
            for (int p = 0; p < 10; p++) {
                for (int l = 1; l <= 40; l++) {
                    w.add(page(p), 10L * l, delta(p * 1000L + l, 30));
                }
            }
            w.finish();
        }
        try (SegmentReader r = SegmentReader.open(dir.resolve("b.seg"))) {
            for (int p = 0; p < 10; p++) {
                for (long at = 0; at <= 420; at += 5) {
                    List<SegmentVersion> got = r.versions(page(p), at);
                    int expectedCount = (int) Math.min(40, at / 10);
                    assertThat(got).hasSize(expectedCount);
                    for (int i = 0; i < got.size(); i++) {
                        long lsn = 10L * (expectedCount - i);
                        assertThat(got.get(i).lsn()).isEqualTo(lsn);
                        assertThat(got.get(i).value()).isEqualTo(delta(p * 1000L + lsn / 10, 30));
                    }
                }
            }
            assertThat(r.versions(page(3), -1L)).hasSize(40); // unsigned: max LSN
        }
    }

    @Test
    void aPageThatFitsInOneBlockCostsOneBlockRead() throws IOException {
        try (SegmentWriter w = writer("c.seg", 4096)) {
            for (int p = 0; p < 200; p++) {
                for (int l = 1; l <= 3; l++) {
                    w.add(page(p * 2), l, delta(p + l, 100));
                }
            }
            w.finish();
        }
        try (SegmentReader r = SegmentReader.open(dir.resolve("c.seg"))) {
            int multiBlock = 0;
            for (int p = 0; p < 200; p++) {
                long before = r.blockReads();
                assertThat(r.versions(page(p * 2), 3)).hasSize(3);
                long reads = r.blockReads() - before;
                assertThat(reads).isBetween(1L, 2L);
                if (reads == 2) {
                    multiBlock++;
                }
            }
            // only pages that straddle a block boundary may need two reads
            assertThat(multiBlock).isLessThanOrEqualTo(r.info().blockCount());
        }
    }

    @Test
    void pagesTheFilterRejectsCostNoBlockRead() throws IOException {
        try (SegmentWriter w = writer("d.seg", 4096)) {
            for (int p = 0; p < 2000; p++) {
                w.add(page(p * 2), 7, delta(p, 20));
            }
            w.finish();
        }
        try (SegmentReader r = SegmentReader.open(dir.resolve("d.seg"))) {
            assertThat(r.versions(page(1_000_000), 100)).isEmpty(); // outside the key range
            assertThat(r.versions(page(0), 6)).isEmpty(); // below the segment's LSN range
            assertThat(r.blockReads()).isZero();
            int maybe = 0;
            for (int p = 0; p < 2000; p++) {
                if (r.mightContain(page(p * 2 + 1))) {
                    maybe++;
                }
                assertThat(r.versions(page(p * 2 + 1), 100)).isEmpty();
            }
            assertThat(maybe).isLessThan(60); // ~1% FPR expected, 3% bound
            assertThat(r.blockReads()).isEqualTo(maybe);
            for (int p = 0; p < 2000; p++) {
                assertThat(r.mightContain(page(p * 2))).isTrue();
            }
        }
    }

    @Test
    void versionsToImageStopsAtTheNewestImageAcrossBlocks() throws IOException {
        try (SegmentWriter w = writer("e.seg", 256)) {
            w.add(page(1), 10, image(10));
            for (long l = 11; l < 60; l++) {
                w.add(page(1), l, l == 30 ? image(30) : delta(l, 40));
            }
            w.finish();
        }
        try (SegmentReader r = SegmentReader.open(dir.resolve("e.seg"))) {
            List<SegmentVersion> got = r.versionsToImage(page(1), 45);
            assertThat(got).extracting(SegmentVersion::lsn).containsExactlyElementsOf(
                    Stream.iterate(45L, l -> l >= 30, l -> l - 1).toList());
            assertThat(got.getLast().value()).isEqualTo(image(30));
            assertThat(r.versionsToImage(page(1), 29)).hasSize(20);
            assertThat(r.versions(page(1), 59)).hasSize(50);
        }
    }

    @Test
    void versionsToImageAlsoStopsAtAnInitializingPostgresRecord() throws IOException {
        java.nio.ByteBuffer rec = java.nio.ByteBuffer.allocate(24).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(24);
        byte[] init = io.storageengine.pagecore.StoredVersion.pgRecord(0, 1, rec.clear());
        byte[] plain = io.storageengine.pagecore.StoredVersion.pgRecord(0, 0, rec.clear());
        try (SegmentWriter w = writer("pg.seg", 256)) {
            w.add(page(1), 10, image(10));
            w.add(page(1), 20, init);
            w.add(page(1), 30, plain);
            w.add(page(1), 40, delta(40, 40));
            w.finish();
        }
        try (SegmentReader r = SegmentReader.open(dir.resolve("pg.seg"))) {
            assertThat(r.versionsToImage(page(1), 100)).extracting(SegmentVersion::lsn).containsExactly(40L, 30L, 20L);
            assertThat(r.versionsToImage(page(1), 19)).extracting(SegmentVersion::lsn).containsExactly(10L);
        }
    }

    @Test
    void aRecordLargerThanABlockGetsItsOwnBlock() throws IOException {
        try (SegmentWriter w = writer("f.seg", 1024)) {
            w.add(page(1), 1, delta(1, 100));
            w.add(page(1), 2, image(2));
            w.add(page(1), 3, delta(3, 100));
            SegmentInfo info = w.finish();
            assertThat(info.blockCount()).isEqualTo(3);
        }
        try (SegmentReader r = SegmentReader.open(dir.resolve("f.seg"))) {
            assertThat(r.versions(page(1), 3)).extracting(SegmentVersion::lsn).containsExactly(3L, 2L, 1L);
            assertThat(r.versions(page(1), 2).getFirst().value()).isEqualTo(image(2));
        }
    }

    @Test
    void outOfOrderAndDuplicateKeysAreRejectedAndTheWriterStaysUsable() throws IOException {
        try (SegmentWriter w = writer("g.seg", 1024)) {
            w.add(page(2), 10, delta(1, 10));
            assertThatThrownBy(() -> w.add(page(2), 9, delta(2, 10))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("out-of-order");
            assertThatThrownBy(() -> w.add(page(1), 50, delta(2, 10))).hasMessageContaining("out-of-order");
            assertThatThrownBy(() -> w.add(page(2), 10, delta(2, 10))).hasMessageContaining("duplicate");
            assertThatThrownBy(() -> w.add(new byte[56], delta(2, 10))).hasMessageContaining("57 bytes");
            assertThatThrownBy(() -> w.add(page(3), 1, new byte[0])).hasMessageContaining("value");
            w.add(page(2), 11, delta(3, 10));
            assertThat(w.finish().recordCount()).isEqualTo(2);
        }
    }

    @Test
    void anEmptySegmentIsRefusedAndAnAbandonedOneLeavesNoFile() throws IOException {
        try (SegmentWriter w = writer("h.seg", 1024)) {
            assertThatThrownBy(w::finish).isInstanceOf(IllegalStateException.class).hasMessageContaining("no records");
        }
        try (SegmentWriter w = writer("i.seg", 1024)) {
            w.add(page(1), 1, delta(1, 10));
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void finishLeavesOnlyTheTargetAndNeverOverwritesIt() throws IOException {
        try (SegmentWriter w = writer("j.seg", 1024)) {
            w.add(page(1), 1, delta(1, 10));
            w.finish();
            assertThatThrownBy(() -> w.add(page(1), 2, delta(1, 10))).isInstanceOf(IllegalStateException.class);
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).extracting(p -> p.getFileName().toString()).containsExactly("j.seg");
        }
        assertThatThrownBy(() -> writer("j.seg", 1024)).isInstanceOf(FileAlreadyExistsException.class);
    }
}
