package io.storageengine.segments.segment;

import io.storageengine.segments.internal.DirectFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * How whole-file segment I/O reaches the disk: the writes of a {@link SegmentWriter} and the
 * sequential reads of a {@link SegmentScanner}. Point lookups always read through the page cache.
 *
 * <ul>
 *   <li>{@link #PAGE_CACHE}: ordinary buffered I/O.</li>
 *   <li>{@link #DIRECT}: {@code O_DIRECT} in large aligned transfers (the compactor's default, as
 *       RocksDB's {@code use_direct_io_for_flush_and_compaction}). Compaction rewrites every byte
 *       it ingests at least twice; through the page cache each of those bytes costs a kernel copy
 *       into a freshly allocated cache page (measured on a 2-core VM: 78% of the compactor's CPU
 *       was kernel time, most of it that copy), and the new pages evict what the page service is
 *       reading. Where the file system refuses {@code O_DIRECT} (tmpfs, some network file
 *       systems) the writer or scanner falls back to buffered I/O on its own.</li>
 * </ul>
 * The file format is the same either way. Immutable.
 */
public enum BulkIo {
    PAGE_CACHE,
    DIRECT;

    /**
     * What writers and scanners will actually do in {@code dir}: {@link #DIRECT} only if this is
     * DIRECT and the directory's file system accepts {@code O_DIRECT} (probed with a temporary file).
     */
    public BulkIo effectiveIn(Path dir) throws IOException {
        if (this == PAGE_CACHE) {
            return PAGE_CACHE;
        }
        Path probe = Files.createTempFile(Files.createDirectories(dir), ".direct-io-probe.", ".tmp");
        try {
            DirectFiles.Direct d = DirectFiles.open(probe, StandardOpenOption.WRITE);
            if (d == null) {
                return PAGE_CACHE;
            }
            d.channel().close();
            return DIRECT;
        } finally {
            Files.deleteIfExists(probe);
        }
    }

    /** The configuration's {@code true} → DIRECT, {@code false} → PAGE_CACHE (any case). */
    public static BulkIo parse(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> DIRECT;
            case "false" -> PAGE_CACHE;
            default -> throw new IllegalArgumentException("direct I/O: expected true or false, got '" + text + "'");
        };
    }
}
