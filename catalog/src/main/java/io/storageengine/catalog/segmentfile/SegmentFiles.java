package io.storageengine.catalog.segmentfile;

import io.storageengine.catalog.connection.ConnectionSource;
import io.storageengine.catalog.internal.SegmentFileSql;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Segment files' bytes kept in the catalog database, for deployments with no shared file
 * system (the segments module's {@code CatalogSegmentStore} caches them locally). Tables
 * {@code segment_files} and {@code segment_chunks} (migration V2): a file is stored in chunks of
 * at most {@code chunkSize} bytes with its size and CRC-32C. An upload is one transaction (all
 * chunks or none); a download streams the chunks through a cursor into a local file (one chunk in
 * memory) and reports what it found, so the caller can refuse an incomplete or damaged copy.
 * Both re-read or rewrite their local file from the start when the transaction is retried.
 * Thread-safe.
 */
public final class SegmentFiles {
    /** Outcome of {@link #put}. */
    public enum PutResult {
        /** The bytes were stored. */
        STORED,
        /** The same name already holds the same size and CRC (a retried or repeated put). */
        SAME,
        /** The name already holds other bytes; nothing was changed. */
        CONFLICT
    }

    /**
     * What a download found: chunks and bytes written in sequence (it stops at a missing chunk)
     * against what the file row promises, and whether the CRC-32C of the written bytes matches.
     */
    public record Download(int chunks, int expectedChunks, long bytes, long expectedBytes, boolean crcMatches) {
        public boolean complete() {
            return chunks == expectedChunks && bytes == expectedBytes && crcMatches;
        }

        /** For error messages: what is missing or wrong. */
        public String describe() {
            return "catalog store copy has " + chunks + "/" + expectedChunks + " chunks, " + bytes + "/" + expectedBytes
                    + " bytes, CRC " + (crcMatches ? "ok" : "mismatch");
        }
    }

    private final ConnectionSource connections;

    /** @param connections the primary: every call here writes or must see the latest writes */
    public SegmentFiles(ConnectionSource connections) {
        this.connections = connections;
    }

    /**
     * Stores {@code file} ({@code size} bytes with CRC-32C {@code crc32c}) under {@code name}
     * in chunks of {@code chunkSize}, unless the name is taken. Idempotent for the same bytes.
     */
    public PutResult put(String name, Path file, long size, long crc32c, int chunkSize) throws IOException {
        if (chunkSize < 1) {
            throw new IllegalArgumentException("chunk size must be >= 1");
        }
        int chunks = Math.toIntExact((size + chunkSize - 1) / chunkSize);
        SegmentFileSql.FileRow row = new SegmentFileSql.FileRow(size, chunkSize, chunks, crc32c);
        try {
            return connections.transaction("segment upload", c -> {
                Optional<SegmentFileSql.FileRow> existing = SegmentFileSql.find(c, name, true);
                if (existing.isPresent()) {
                    return existing.get().size() == size && existing.get().crc32c() == crc32c ? PutResult.SAME : PutResult.CONFLICT;
                }
                try (InputStream in = Files.newInputStream(file)) {
                    SegmentFileSql.insert(c, name, row, in);
                } catch (IOException e) {
                    throw new UncheckedIOException("reading " + file, e);
                }
                return PutResult.STORED;
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /**
     * Writes the stored bytes of {@code name} into {@code target} (created or truncated; not
     * fsynced, not checked by the caller yet).
     *
     * @return empty if no such file is stored, else what was written
     */
    public Optional<Download> download(String name, Path target) throws IOException {
        try {
            return connections.transaction("segment download", c -> {
                Optional<SegmentFileSql.FileRow> row = SegmentFileSql.find(c, name, false);
                if (row.isEmpty()) {
                    return Optional.empty();
                }
                SegmentFileSql.Copied copied;
                try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                        StandardOpenOption.WRITE)) {
                    copied = SegmentFileSql.copyChunks(c, name, out);
                } catch (IOException e) {
                    throw new UncheckedIOException("writing " + target, e);
                }
                SegmentFileSql.FileRow r = row.get();
                return Optional.of(new Download(copied.chunks(), r.chunks(), copied.bytes(), r.size(), copied.crc32c() == r.crc32c()));
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** Deletes the file and its chunks; false if there was none. */
    public boolean delete(String name) {
        return connections.transaction("segment delete", c -> SegmentFileSql.delete(c, name));
    }

    /** Every stored name, sorted. */
    public List<String> names() {
        return connections.transaction("segment list", SegmentFileSql::names);
    }

    public boolean exists(String name) {
        return size(name).isPresent();
    }

    /** The stored file's size, or empty if there is none. */
    public OptionalLong size(String name) {
        return connections.transaction("segment exists", c -> SegmentFileSql.find(c, name, false)
                .map(r -> OptionalLong.of(r.size())).orElse(OptionalLong.empty()));
    }
}
