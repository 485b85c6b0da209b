package io.storageengine.segments.segment;

import static io.storageengine.segments.segment.TestKeys.delta;
import static io.storageengine.segments.segment.TestKeys.page;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storageengine.schemas.segment.SegmentKind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentReaderLifecycleTest {
    @TempDir
    Path dir;
    Path file;

    @BeforeEach
    void writeSegment() throws IOException {
        file = dir.resolve("s.seg");
        try (SegmentWriter w = SegmentWriter.create(file, new SegmentWriter.Options(SegmentKind.DELTA, 0, 0, 2048))) {
            for (int p = 0; p < 300; p++) {
                for (int l = 1; l <= 5; l++) {
                    w.add(page(p), l, delta(p * 10L + l, 60));
                }
            }
            w.finish();
        }
    }

    @Test
    void aClosedReaderRefusesReads() throws IOException {
        SegmentReader r = SegmentReader.open(file);
        r.close();
        r.close(); // idempotent for the opener
        assertThat(r.isOpen()).isFalse();
        assertThatThrownBy(() -> r.versions(page(1), 5)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(r::scan).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(r::retain).isInstanceOf(IllegalStateException.class);
        assertThat(r.tryRetain()).isFalse();
        assertThatThrownBy(r::release).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aRetainedReaderStaysReadableAfterTheOwnerClosesItAndTheFileIsDeleted() throws IOException {
        SegmentReader r = SegmentReader.open(file);
        r.retain();
        assertThat(r.refCount()).isEqualTo(2);
        r.close();
        Files.delete(file); // retired and deleted while a reader still uses it
        assertThat(r.versions(page(7), 5)).hasSize(5);
        r.release();
        assertThat(r.isOpen()).isFalse();
    }

    @Test
    void aScannerHoldsItsReaderOpenUntilClosed() throws IOException {
        SegmentReader r = SegmentReader.open(file);
        SegmentScanner s = r.scan();
        r.close();
        assertThat(r.isOpen()).isTrue();
        int n = 0;
        while (s.hasNext()) {
            s.next();
            n++;
        }
        assertThat(n).isEqualTo(1500);
        s.close();
        s.close();
        assertThat(r.isOpen()).isFalse();
    }

    @Test
    void concurrentReadersGetCorrectVersions() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (SegmentReader r = SegmentReader.open(file)) {
            List<Future<Integer>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int seed = t;
                futures.add(pool.submit(() -> {
                    int checked = 0;
                    for (int i = 0; i < 2000; i++) {
                        int p = (i * 7 + seed * 13) % 300;
                        long at = 1 + (i % 5);
                        List<SegmentVersion> v = r.versions(page(p), at);
                        assertThat(v).hasSize((int) at);
                        assertThat(v.getFirst().value()).isEqualTo(delta(p * 10L + at, 60));
                        checked++;
                    }
                    return checked;
                }));
            }
            for (Future<Integer> f : futures) {
                assertThat(f.get()).isEqualTo(2000);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anInterruptedReadFailsOnlyThatCallAndTheReaderRecovers() throws IOException {
        try (SegmentReader r = SegmentReader.open(file)) {
            Thread.currentThread().interrupt();
            try {
                assertThatThrownBy(() -> r.versions(page(3), 5)).isInstanceOf(UncheckedIOException.class)
                        .hasMessageContaining("interrupted");
            } finally {
                Thread.interrupted();
            }
            assertThat(r.versions(page(3), 5)).hasSize(5);
        }
    }
}
