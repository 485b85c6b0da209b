package io.storageengine.segments.store;

import io.storageengine.segments.segment.BulkIo;
import io.storageengine.segments.segment.SegmentFaults;
import io.storageengine.segments.segment.SegmentReader;
import io.storageengine.segments.segment.SegmentWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Where finished segment files live, addressed by segment name. compactor-worker writes a segment
 * locally with {@link io.storageengine.segments.segment.SegmentWriter}, then {@link #put}s it and
 * registers it in the catalog; page-service {@link #open}s segments the catalog lists.
 * Implementations: {@link DirectorySegmentStore} (default, a local or shared directory) and
 * {@link CatalogSegmentStore} (bytes in the catalog database, cached locally). The interface is
 * shaped for an object store too: whole immutable objects, put once, read, delete, list.
 *
 * <p>Names match {@link #NAME}: letters, digits, '.', '_', '-', not starting with '.'.
 * Implementations are thread-safe.
 */
public interface SegmentStore extends AutoCloseable {
    Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");

    /** This store's name, recorded in the catalog's {@code segments.store} column ("dir", "catalog"). */
    String name();

    /**
     * Stores a finished segment file under {@code segmentName} and takes ownership of
     * {@code localFile} (it may be moved into the store or deleted). Idempotent: putting the same
     * bytes again under the same name succeeds.
     *
     * @return the location to record in the catalog
     * @throws java.nio.file.FileAlreadyExistsException if the name holds different bytes
     */
    String put(String segmentName, Path localFile) throws IOException;

    /**
     * Opens a reader (reference count 1, the caller closes it).
     *
     * @throws java.nio.file.NoSuchFileException if the store has no such segment
     */
    SegmentReader open(String segmentName) throws IOException;

    /** Deletes a segment; returns false if it was not there. Readers already open keep reading. */
    boolean delete(String segmentName) throws IOException;

    /** The names of every stored segment, sorted. */
    List<String> list() throws IOException;

    boolean exists(String segmentName) throws IOException;

    /** A directory on the same file system as the store's files, where writers should create new segments. */
    Path stagingDirectory();

    /** How this store's writers write and its readers scan whole files; through the page cache by default. */
    default BulkIo bulkIo() {
        return BulkIo.PAGE_CACHE;
    }

    /** The fault-injection hooks of this store's file I/O (drills and tests); none by default. */
    default SegmentFaults faults() {
        return SegmentFaults.NONE;
    }

    /**
     * Starts a new segment file {@code stagingDirectory()/segmentName}, written through this store's
     * write fault ({@link #faults()}) with its {@link #bulkIo()}; finish it, then {@link #put} it under the same name.
     */
    default SegmentWriter newWriter(String segmentName, SegmentWriter.Options options) throws IOException {
        return SegmentWriter.create(stagingDirectory().resolve(checkName(segmentName)), options, faults().write(), bulkIo());
    }

    @Override
    default void close() throws IOException {
    }

    static String checkName(String segmentName) {
        if (segmentName == null || !NAME.matcher(segmentName).matches()) {
            throw new IllegalArgumentException("invalid segment name '" + segmentName + "'");
        }
        return segmentName;
    }
}
