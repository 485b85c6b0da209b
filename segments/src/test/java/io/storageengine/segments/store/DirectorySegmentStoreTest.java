package io.storageengine.segments.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storageengine.pagecore.StoredVersion;
import io.storageengine.schemas.page.PageKey;
import io.storageengine.schemas.page.PageRef;
import io.storageengine.pagecore.StoredVersion;
import io.storageengine.schemas.segment.SegmentKind;
import io.storageengine.schemas.timeline.TenantId;
import io.storageengine.schemas.timeline.TimelineId;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.segments.segment.SegmentReader;
import io.storageengine.segments.segment.SegmentWriter;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectorySegmentStoreTest {
    @TempDir
    Path tmp;

    static final byte[] PAGE = new PageKey(new TimelineKey(new TenantId(1, 1), new TimelineId(2, 2)),
            new PageRef(1663, 1, 1, 0, 7)).toBytes();

    static Path writeSegment(Path file, long lsn) throws IOException {
        try (SegmentWriter w = SegmentWriter.create(file, SegmentWriter.Options.of(SegmentKind.DELTA, 0, 0))) {
            w.add(PAGE, lsn, StoredVersion.image(new byte[8192]));
            w.finish();
        }
        return file;
    }

    @Test
    void putMovesTheFileInAndOpenReadsIt() throws IOException {
        DirectorySegmentStore store = new DirectorySegmentStore(tmp.resolve("store"));
        Path local = writeSegment(tmp.resolve("local.seg"), 5);
        assertThat(store.put("s1.seg", local)).isEqualTo("s1.seg");
        assertThat(local).doesNotExist();
        assertThat(store.list()).containsExactly("s1.seg");
        assertThat(store.exists("s1.seg")).isTrue();
        try (SegmentReader r = store.open("s1.seg")) {
            assertThat(r.versions(PAGE, 5)).hasSize(1);
        }
    }

    @Test
    void aSegmentWrittenInTheStagingDirectoryIsPutInPlace() throws IOException {
        DirectorySegmentStore store = new DirectorySegmentStore(tmp.resolve("store"));
        Path file = writeSegment(store.stagingDirectory().resolve("s2.seg"), 5);
        store.put("s2.seg", file);
        assertThat(store.list()).containsExactly("s2.seg");
    }

    @Test
    void putIsIdempotentForTheSameBytesAndRefusesOtherBytes() throws IOException {
        DirectorySegmentStore store = new DirectorySegmentStore(tmp.resolve("store"));
        store.put("s.seg", writeSegment(tmp.resolve("a.seg"), 5));
        Path copy = tmp.resolve("copy.seg");
        Files.copy(store.path("s.seg"), copy);
        store.put("s.seg", copy);
        assertThat(copy).doesNotExist();
        Path other = writeSegment(tmp.resolve("b.seg"), 6);
        assertThatThrownBy(() -> store.put("s.seg", other)).isInstanceOf(FileAlreadyExistsException.class);
    }

    @Test
    void deleteKeepsOpenReadersWorkingAndListIgnoresTemporaryFiles() throws IOException {
        DirectorySegmentStore store = new DirectorySegmentStore(tmp.resolve("store"));
        store.put("s.seg", writeSegment(tmp.resolve("a.seg"), 5));
        Files.writeString(store.directory().resolve(".s.seg.123.tmp"), "partial");
        try (SegmentReader r = store.open("s.seg")) {
            assertThat(store.delete("s.seg")).isTrue();
            assertThat(store.delete("s.seg")).isFalse();
            assertThat(r.versions(PAGE, 9)).hasSize(1);
        }
        assertThat(store.list()).isEmpty();
        assertThatThrownBy(() -> store.open("s.seg")).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void namesThatCouldEscapeTheDirectoryAreRefused() throws IOException {
        DirectorySegmentStore store = new DirectorySegmentStore(tmp.resolve("store"));
        for (String bad : new String[] {"../x", "a/b", ".hidden", "", "x y"}) {
            assertThatThrownBy(() -> store.open(bad)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
