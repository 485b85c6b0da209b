package io.storageengine.compactor.merge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storageengine.compactor.internal.Cancellation;
import io.storageengine.schemas.segment.SegmentKind;
import io.storageengine.segments.segment.SegmentReader;
import io.storageengine.segments.segment.SegmentRecord;
import io.storageengine.segments.segment.SegmentScanner;
import io.storageengine.segments.store.DirectorySegmentStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class L1MergerTest {
    @TempDir
    Path dir;

    @Test
    void mergedOutputsHoldEveryInputRecordOnceSplitByTimelineAndTargetSize() throws Exception {
        DirectorySegmentStore store = new DirectorySegmentStore(dir);
        Random rnd = new Random(42);
        TreeMap<byte[], byte[]> all = new TreeMap<>(Arrays::compareUnsigned);
        List<String> inputs = new ArrayList<>();
        long lsn = 0;
        for (int i = 0; i < 5; i++) {
            TreeMap<byte[], byte[]> part = TestData.randomVersions(rnd, 400, 3, 40, lsn);
            lsn = part.keySet().stream().mapToLong(io.storageengine.schemas.page.VersionKey::lsnOf).max().orElseThrow();
            all.putAll(part);
            TestData.write(store, "l0-" + i, SegmentKind.DELTA, 0, part);
            inputs.add("l0-" + i);
        }
        JobResult r = L1Merger.merge(store, inputs, 0, 200_000, "l1", Cancellation.none());

        assertThat(r.records()).isEqualTo(all.size());
        assertThat(r.duplicates()).isZero();
        assertThat(r.outputs().size()).isGreaterThan(3);
        TreeMap<byte[], byte[]> seen = new TreeMap<>(Arrays::compareUnsigned);
        for (SegmentOutputs.Output o : r.outputs()) {
            try (SegmentReader reader = store.open(o.name()); SegmentScanner s = reader.scan()) {
                assertThat(reader.info().kind()).isEqualTo(SegmentKind.DELTA);
                assertThat(reader.info().level()).isEqualTo(1);
                assertThat(Arrays.equals(reader.info().minKey(), 0, 32, reader.info().maxKey(), 0, 32))
                        .as("one timeline per output").isTrue();
                assertThat(reader.info().fileSize()).isLessThan(200_000 + 8192 * 40 + 64 * 1024);
                while (s.hasNext()) {
                    SegmentRecord rec = s.next();
                    assertThat(seen.put(rec.key(), rec.value())).as("each record once").isNull();
                }
            }
        }
        assertThat(seen.keySet()).containsExactlyElementsOf(all.keySet());
        seen.forEach((k, v) -> assertThat(v).isEqualTo(all.get(k)));
    }

    @Test
    void aCancelledMergeLeavesNoFileBehind() throws Exception {
        DirectorySegmentStore store = new DirectorySegmentStore(dir);
        Random rnd = new Random(7);
        TestData.write(store, "a", SegmentKind.DELTA, 0, TestData.randomVersions(rnd, 3000, 2, 100, 0));
        TestData.write(store, "b", SegmentKind.DELTA, 0, TestData.randomVersions(rnd, 3000, 2, 100, 20_000));
        Cancellation cancel = new Cancellation();
        SegmentOutputs outs = new SegmentOutputs(store, SegmentKind.DELTA, 1, 0, 50_000, "out");
        int[] n = {0};
        assertThatThrownBy(() -> L1Merger.rewrite(store, List.of("a", "b"), outs, cancel, new L1Merger.RecordSink() {
            @Override
            public int accept(SegmentRecord record, SegmentOutputs out) throws java.io.IOException {
                out.add(record.key(), record.value());
                if (++n[0] == 4000) {
                    cancel.cancel("test");
                }
                return 1;
            }

            @Override
            public int finish(SegmentOutputs out) {
                return 0;
            }
        })).isInstanceOf(CancellationException.class);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("a", "b");
        }
    }

    /**
     * A full disk (the segment-write fault) in the middle of a merge with several outputs: the merge
     * fails with SegmentWriteException carrying the disk's message, and neither the outputs already
     * finished nor the one being written (nor its temporary file) are left; the same merge succeeds
     * once the disk has space again.
     */
    @Test
    void aMergeThatCannotWriteLeavesNoFileBehindAndSucceedsOnceTheDiskHasSpace() throws Exception {
        java.util.concurrent.atomic.AtomicInteger writes = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger failFrom = new java.util.concurrent.atomic.AtomicInteger(Integer.MAX_VALUE);
        io.storageengine.segments.segment.IoFault disk = () -> {
            if (writes.incrementAndGet() >= failFrom.get()) {
                throw new java.io.IOException("No space left on device");
            }
        };
        DirectorySegmentStore store = new DirectorySegmentStore(dir, null,
                new io.storageengine.segments.segment.SegmentFaults(io.storageengine.segments.segment.IoFault.NONE, disk));
        Random rnd = new Random(11);
        TestData.write(store, "a", SegmentKind.DELTA, 0, TestData.randomVersions(rnd, 3000, 2, 100, 0));
        TestData.write(store, "b", SegmentKind.DELTA, 0, TestData.randomVersions(rnd, 3000, 2, 100, 20_000));
        int inputWrites = writes.get();
        failFrom.set(inputWrites + 3); // the third write of the merge: after at least one finished output
        assertThatThrownBy(() -> L1Merger.merge(store, List.of("a", "b"), 0, 50_000, "l1-x", Cancellation.none()))
                .isInstanceOf(io.storageengine.compactor.internal.SegmentWriteException.class)
                .hasMessageContaining("No space left on device");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("a", "b");
        }
        failFrom.set(Integer.MAX_VALUE);
        JobResult r = L1Merger.merge(store, List.of("a", "b"), 0, 50_000, "l1-y", Cancellation.none());
        assertThat(r.outputs().size()).isGreaterThan(1);
        assertThat(r.records()).isEqualTo(6000 - r.duplicates());
    }
}
