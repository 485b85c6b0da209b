package io.storageengine.segments.segment;

import static io.storageengine.segments.segment.TestKeys.delta;
import static io.storageengine.segments.segment.TestKeys.page;
import static org.assertj.core.api.Assertions.assertThat;

import io.storageengine.schemas.segment.SegmentKind;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlockCacheTest {
    @TempDir
    Path dir;

    private Path write(String name) throws IOException {
        Path file = dir.resolve(name);
        try (SegmentWriter w = SegmentWriter.create(file, new SegmentWriter.Options(SegmentKind.DELTA, 0, 0, 1024))) {
            for (int p = 0; p < 100; p++) {
                for (int l = 1; l <= 3; l++) {
                    w.add(page(p), l, delta(p * 10L + l, 100));
                }
            }
            w.finish();
        }
        return file;
    }

    @Test
    void repeatedLookupsAreServedFromTheCacheWithIdenticalResults() throws IOException {
        BlockCache cache = new BlockCache(1 << 20);
        try (SegmentReader r = SegmentReader.open(write("a.seg"), cache)) {
            for (int p = 0; p < 100; p++) {
                assertThat(r.versions(page(p), 3)).hasSize(3);
            }
            long reads = r.blockReads();
            for (int p = 0; p < 100; p++) {
                assertThat(r.versions(page(p), 2).getFirst().value()).isEqualTo(delta(p * 10L + 2, 100));
            }
            assertThat(r.blockReads()).isEqualTo(reads);
            assertThat(cache.hits()).isGreaterThanOrEqualTo(100);
        }
        assertThat(cache.bytes()).isZero(); // a closed reader's blocks are dropped
    }

    @Test
    void theCacheStaysWithinItsBound() throws IOException {
        BlockCache cache = new BlockCache(8 * 1024);
        try (SegmentReader a = SegmentReader.open(write("a.seg"), cache); SegmentReader b = SegmentReader.open(write("b.seg"), cache)) {
            for (int p = 0; p < 100; p++) {
                assertThat(a.versions(page(p), 3)).hasSize(3);
                assertThat(b.versions(page(p), 3)).hasSize(3);
                assertThat(cache.bytes()).isLessThanOrEqualTo(8 * 1024);
            }
            assertThat(cache.bytes()).isPositive();
        }
    }
}
