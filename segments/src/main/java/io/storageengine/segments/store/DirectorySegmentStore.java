package io.storageengine.segments.store;

import io.storageengine.segments.segment.BlockCache;
import io.storageengine.segments.segment.BulkIo;
import io.storageengine.segments.segment.SegmentFaults;
import io.storageengine.segments.segment.SegmentReader;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * The default segment store: one file per segment, named after it, in one directory (local, or a
 * shared file system that every page service and compactor mounts). {@link #put} moves the file
 * in with an atomic rename (copy + fsync + rename when it comes from another file system) and
 * fsyncs the directory; hidden files (a leading '.') are writers' temporary files and are never
 * listed. Deleting a file does not disturb readers that have it open (POSIX unlink semantics).
 * Its readers and writers run the store's {@link SegmentFaults} (drills and tests) and write and
 * scan with its {@link BulkIo}. Thread-safe (all state is in the file system).
 */
public final class DirectorySegmentStore implements SegmentStore {
    public static final String STORE_NAME = "dir";

    private final Path dir;
    private final BlockCache blockCache;
    private final SegmentFaults faults;
    private final BulkIo bulkIo;

    public DirectorySegmentStore(Path dir) throws IOException {
        this(dir, null);
    }

    /** A store whose readers share {@code blockCache} for point lookups (null for none). */
    public DirectorySegmentStore(Path dir, BlockCache blockCache) throws IOException {
        this(dir, blockCache, SegmentFaults.NONE);
    }

    /** As above, with fault-injection hooks on its readers' block reads and its writers' writes. */
    public DirectorySegmentStore(Path dir, BlockCache blockCache, SegmentFaults faults) throws IOException {
        this(dir, blockCache, faults, BulkIo.PAGE_CACHE);
    }

    /** As above, its writers writing and its readers scanning with {@code bulkIo}. */
    public DirectorySegmentStore(Path dir, BlockCache blockCache, SegmentFaults faults, BulkIo bulkIo) throws IOException {
        this.dir = Files.createDirectories(dir).toAbsolutePath();
        this.blockCache = blockCache;
        this.faults = java.util.Objects.requireNonNull(faults, "faults");
        this.bulkIo = java.util.Objects.requireNonNull(bulkIo, "bulkIo");
    }

    @Override
    public BulkIo bulkIo() {
        return bulkIo;
    }

    @Override
    public SegmentFaults faults() {
        return faults;
    }

    @Override
    public String name() {
        return STORE_NAME;
    }

    public Path directory() {
        return dir;
    }

    /** The file that holds {@code segmentName} in this store. */
    public Path path(String segmentName) {
        return dir.resolve(SegmentStore.checkName(segmentName));
    }

    @Override
    public String put(String segmentName, Path localFile) throws IOException {
        Path target = path(segmentName);
        Path source = localFile.toAbsolutePath();
        if (source.equals(target)) {
            if (!Files.isRegularFile(target)) {
                throw new NoSuchFileException(target.toString());
            }
            return segmentName;
        }
        if (Files.exists(target)) {
            if (Files.size(target) == Files.size(source) && FileChecksums.crc32c(target) == FileChecksums.crc32c(source)) {
                Files.delete(source);
                return segmentName;
            }
            throw new FileAlreadyExistsException(target.toString(), source.toString(), "segment exists with other bytes");
        }
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Path temp = Files.createTempFile(dir, "." + segmentName + ".", ".tmp");
            try {
                Files.copy(source, temp, StandardCopyOption.REPLACE_EXISTING);
                try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(temp);
            }
            Files.delete(source);
        }
        fsyncDirectory(dir);
        return segmentName;
    }

    @Override
    public SegmentReader open(String segmentName) throws IOException {
        return SegmentReader.open(path(segmentName), blockCache, faults.read(), bulkIo);
    }

    @Override
    public boolean delete(String segmentName) throws IOException {
        boolean deleted = Files.deleteIfExists(path(segmentName));
        if (deleted) {
            fsyncDirectory(dir);
        }
        return deleted;
    }

    @Override
    public List<String> list() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile).map(p -> p.getFileName().toString())
                    .filter(n -> SegmentStore.NAME.matcher(n).matches()).sorted().toList();
        }
    }

    @Override
    public boolean exists(String segmentName) {
        return Files.isRegularFile(path(segmentName));
    }

    @Override
    public Path stagingDirectory() {
        return dir;
    }

    static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    @Override
    public String toString() {
        return "DirectorySegmentStore[" + dir + "]";
    }
}
