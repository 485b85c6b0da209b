package io.storageengine.segments.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storageengine.pagecore.StoredVersion;
import io.storageengine.schemas.page.PageKey;
import io.storageengine.schemas.page.PageRef;
import io.storageengine.schemas.segment.SegmentKind;
import io.storageengine.schemas.timeline.TenantId;
import io.storageengine.schemas.timeline.TimelineId;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.segments.segment.BlockCache;
import io.storageengine.segments.segment.IoFault;
import io.storageengine.segments.segment.SegmentFaults;
import io.storageengine.segments.segment.SegmentReader;
import io.storageengine.segments.segment.SegmentVersion;
import io.storageengine.segments.segment.SegmentWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stores' fault-injection hooks (the {@code segment-read} / {@code segment-write} failpoints of
 * drills): a failing write leaves no file at all, not even a hidden one, and the same segment is
 * written once the fault is gone; a failing or slow block read fails or delays the lookup, never
 * returns other bytes, and a cached block does not touch the disk.
 */
class SegmentFaultsTest {
    static final TimelineKey TL = new TimelineKey(new TenantId(3, 3), new TimelineId(4, 4));

    @TempDir
    Path tmp;

    static byte[] page(int block) {
        return new PageKey(TL, new PageRef(1663, 1, 1, 0, block)).toBytes();
    }

    static byte[] image(int block, long lsn) {
        byte[] p = new byte[8192];
        p[0] = (byte) block;
        p[1] = (byte) lsn;
        return StoredVersion.image(p);
    }

    /** A fault that throws "No space left on device" while {@code full}, counting its calls. */
    record Disk(AtomicBoolean full, AtomicInteger calls) implements IoFault {
        Disk() {
            this(new AtomicBoolean(), new AtomicInteger());
        }

        @Override
        public void check() throws IOException {
            calls.incrementAndGet();
            if (full.get()) {
                throw new IOException("No space left on device");
            }
        }
    }

    private static void write(SegmentStore store, String name, int pages) throws IOException {
        try (SegmentWriter w = store.newWriter(name, SegmentWriter.Options.of(SegmentKind.DELTA, 0, 0))) {
            for (int b = 0; b < pages; b++) {
                w.add(page(b), 10, image(b, 10));
            }
            w.finish();
        }
        store.put(name, store.stagingDirectory().resolve(name));
    }

    private static List<String> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aFailedWriteLeavesNoFileAndTheSegmentIsWrittenOnceHealed() throws IOException {
        Disk disk = new Disk();
        DirectorySegmentStore store = new DirectorySegmentStore(tmp.resolve("segs"), null,
                new SegmentFaults(IoFault.NONE, disk));
        disk.full().set(true);
        // small: the only write is the closing one in finish(); large (> the 1 MiB write buffer): fails mid-file
        for (int pages : new int[] {3, 400}) {
            assertThatThrownBy(() -> write(store, "p0-L0-0-" + pages + "-e1", pages))
                    .isInstanceOf(IOException.class).hasMessage("No space left on device");
            assertThat(files(store.directory())).as("after a failed write of %s pages", pages).isEmpty();
        }
        assertThat(store.list()).isEmpty();
        assertThat(disk.calls().get()).isEqualTo(2);

        disk.full().set(false);
        write(store, "p0-L0-0-400-e1", 400);
        assertThat(files(store.directory())).containsExactly("p0-L0-0-400-e1");
        assertThat(disk.calls().get()).as("one call per physical write: several buffer flushes and the metadata")
                .isGreaterThan(3);
        try (SegmentReader r = store.open("p0-L0-0-400-e1")) {
            assertThat(r.versions(page(399), 10)).singleElement()
                    .satisfies(v -> assertThat(v.value()).isEqualTo(image(399, 10)));
        }
    }

    @Test
    void aFailingBlockReadFailsTheLookupAndACachedBlockNeedsNoRead() throws IOException {
        Disk disk = new Disk();
        BlockCache cache = new BlockCache(1 << 20);
        DirectorySegmentStore store = new DirectorySegmentStore(tmp.resolve("segs"), cache, new SegmentFaults(disk, IoFault.NONE));
        write(store, "s", 20);
        int opened = disk.calls().get();
        assertThat(opened).as("opening reads footer, index and filter: no block read").isZero();
        try (SegmentReader r = store.open("s")) {
            assertThat(r.versions(page(1), 10)).singleElement().satisfies(v -> assertThat(v.value()).isEqualTo(image(1, 10)));
            assertThat(disk.calls().get()).isEqualTo(1);
            disk.full().set(true);
            // the same block again: from the cache, the disk is not asked
            assertThat(r.versions(page(1), 10)).singleElement().satisfies(v -> assertThat(v.value()).isEqualTo(image(1, 10)));
            assertThat(disk.calls().get()).isEqualTo(1);
            // a page filtered out touches nothing either
            assertThat(r.versions(page(5000), 10)).isEmpty();
            assertThat(disk.calls().get()).isEqualTo(1);
        }
        try (SegmentReader r = new DirectorySegmentStore(tmp.resolve("segs"), null, new SegmentFaults(disk, IoFault.NONE)).open("s")) {
            assertThatThrownBy(() -> r.versions(page(1), 10)).isInstanceOf(UncheckedIOException.class)
                    .hasMessageContaining("No space left on device").hasMessageContaining("offset");
            assertThatThrownBy(() -> r.scan().next()).isInstanceOf(UncheckedIOException.class);
            disk.full().set(false);
            List<SegmentVersion> v = r.versions(page(7), 10);
            assertThat(v).singleElement().satisfies(x -> assertThat(x.value()).isEqualTo(image(7, 10)));
        }
    }

    @Test
    void aSlowBlockReadDelaysTheLookup() throws IOException {
        IoFault slow = () -> {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException();
            }
        };
        DirectorySegmentStore store = new DirectorySegmentStore(tmp.resolve("segs"), null, new SegmentFaults(slow, IoFault.NONE));
        write(store, "s", 5);
        try (SegmentReader r = store.open("s")) {
            long t0 = System.nanoTime();
            assertThat(r.versions(page(2), 10)).hasSize(1);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(50));
        }
    }

    @Test
    void theStoreFactoryPassesTheFaultsOn() throws IOException {
        Disk disk = new Disk();
        disk.full().set(true);
        SegmentStore store = SegmentStores.open(SegmentStores.Config.of(SegmentStores.Kind.DIRECTORY, tmp.resolve("f"))
                .withFaults(new SegmentFaults(IoFault.NONE, disk)), null);
        assertThat(store.faults().write()).isSameAs(disk);
        assertThatThrownBy(() -> write(store, "x", 1)).hasMessage("No space left on device");
        assertThat(SegmentStores.Config.of(SegmentStores.Kind.DIRECTORY, tmp).faults()).isEqualTo(SegmentFaults.NONE);
    }
}
