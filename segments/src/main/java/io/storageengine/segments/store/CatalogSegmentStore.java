package io.storageengine.segments.store;

import io.storageengine.segments.catalog.Catalog;
import io.storageengine.segments.segment.BlockCache;
import io.storageengine.segments.segment.CorruptSegmentException;
import io.storageengine.segments.segment.SegmentReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps segment bytes in the catalog database itself, for deployments with no shared file
 * system: table {@code segment_files} (name, size, chunk size, chunk count, CRC-32C of the whole
 * file) and {@code segment_chunks} (name, chunk_no, bytea of at most {@code chunkSize} bytes),
 * see migration V2. An upload is one transaction (all chunks or none); reads download the file
 * chunk by chunk through a cursor into a local cache directory, verify size and CRC, and open it
 * there. Memory: one chunk at a time.
 *
 * <p>The cache is bounded by {@code cacheMaxBytes}: after each download or upload the least
 * recently opened files are deleted until the total fits (the newest is always kept). A deleted
 * cache file stays readable by readers that have it open. Thread-safe: downloads of the same
 * name are serialized by a striped lock, the cache bookkeeping by this object's monitor.
 */
public final class CatalogSegmentStore implements SegmentStore {
    private static final Logger LOG = LoggerFactory.getLogger(CatalogSegmentStore.class);
    public static final String STORE_NAME = "catalog";
    public static final int DEFAULT_CHUNK_SIZE = 1024 * 1024;

    private final Catalog catalog;
    private final Path cacheDir;
    private final long cacheMaxBytes;
    private final int chunkSize;
    private final BlockCache blockCache;
    private final Object[] locks = new Object[32];
    /** Cached files in access order → size. Guarded by {@code this}. */
    private final LinkedHashMap<String, Long> cached = new LinkedHashMap<>(16, 0.75f, true);
    private long cachedBytes;

    public CatalogSegmentStore(Catalog catalog, Path cacheDir, long cacheMaxBytes) throws IOException {
        this(catalog, cacheDir, cacheMaxBytes, DEFAULT_CHUNK_SIZE);
    }

    public CatalogSegmentStore(Catalog catalog, Path cacheDir, long cacheMaxBytes, int chunkSize) throws IOException {
        this(catalog, cacheDir, cacheMaxBytes, chunkSize, null);
    }

    /** As above, with readers sharing {@code blockCache} for point lookups (null for none). */
    public CatalogSegmentStore(Catalog catalog, Path cacheDir, long cacheMaxBytes, int chunkSize, BlockCache blockCache)
            throws IOException {
        if (chunkSize < 1024 || cacheMaxBytes < 0) {
            throw new IllegalArgumentException("chunk size must be >= 1024 and the cache bound >= 0");
        }
        this.catalog = catalog;
        this.cacheDir = Files.createDirectories(cacheDir).toAbsolutePath();
        this.cacheMaxBytes = cacheMaxBytes;
        this.chunkSize = chunkSize;
        this.blockCache = blockCache;
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new Object();
        }
        try (Stream<Path> files = Files.list(this.cacheDir)) {
            for (Path p : files.toList()) {
                String n = p.getFileName().toString();
                if (n.startsWith(".")) {
                    Files.deleteIfExists(p); // a download that did not finish
                } else if (Files.isRegularFile(p) && NAME.matcher(n).matches()) {
                    remember(n, Files.size(p));
                }
            }
        }
        evict(null);
    }

    @Override
    public String name() {
        return STORE_NAME;
    }

    @Override
    public String put(String segmentName, Path localFile) throws IOException {
        SegmentStore.checkName(segmentName);
        long size = Files.size(localFile);
        long crc = FileChecksums.crc32c(localFile);
        Upload result = catalog.transaction("segment upload", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT size_bytes, crc32c FROM segment_files WHERE name = ? FOR UPDATE")) {
                ps.setString(1, segmentName);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return rs.getLong(1) == size && rs.getLong(2) == crc ? Upload.SAME : Upload.CONFLICT;
                    }
                }
            }
            int chunks = (int) ((size + chunkSize - 1) / chunkSize);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO segment_files (name, size_bytes, chunk_size, chunk_count, crc32c) "
                    + "VALUES (?, ?, ?, ?, ?)")) {
                ps.setString(1, segmentName);
                ps.setLong(2, size);
                ps.setInt(3, chunkSize);
                ps.setInt(4, chunks);
                ps.setLong(5, crc);
                ps.executeUpdate();
            }
            try (InputStream in = Files.newInputStream(localFile);
                 PreparedStatement ps = c.prepareStatement("INSERT INTO segment_chunks (name, chunk_no, data) VALUES (?, ?, ?)")) {
                byte[] buf = new byte[chunkSize];
                for (int i = 0; i < chunks; i++) {
                    int n = in.readNBytes(buf, 0, chunkSize);
                    ps.setString(1, segmentName);
                    ps.setInt(2, i);
                    ps.setBytes(3, n == chunkSize ? buf : java.util.Arrays.copyOf(buf, n));
                    ps.executeUpdate();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("reading " + localFile, e);
            }
            return Upload.UPLOADED;
        });
        if (result == Upload.CONFLICT) {
            throw new FileAlreadyExistsException(segmentName, localFile.toString(), "segment exists in the catalog store with other bytes");
        }
        synchronized (lockFor(segmentName)) {
            Path cachedFile = cacheDir.resolve(segmentName);
            if (localFile.toAbsolutePath().equals(cachedFile)) {
                remember(segmentName, size); // written in the staging (cache) directory under its final name
            } else if (Files.exists(cachedFile)) {
                Files.deleteIfExists(localFile);
            } else {
                try {
                    Files.move(localFile, cachedFile, StandardCopyOption.ATOMIC_MOVE);
                    remember(segmentName, size);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.deleteIfExists(localFile); // another file system: uploaded, not cached; open downloads it
                }
            }
            evict(segmentName);
        }
        return segmentName;
    }

    private enum Upload {
        UPLOADED,
        SAME,
        CONFLICT
    }

    @Override
    public SegmentReader open(String segmentName) throws IOException {
        SegmentStore.checkName(segmentName);
        Path file = cacheDir.resolve(segmentName);
        synchronized (lockFor(segmentName)) {
            if (Files.exists(file)) {
                try {
                    SegmentReader reader = SegmentReader.open(file, blockCache);
                    touch(segmentName);
                    return reader;
                } catch (NoSuchFileException e) {
                    forget(segmentName); // evicted meanwhile
                } catch (CorruptSegmentException e) {
                    LOG.warn("cached copy of segment {} is corrupt ({}); downloading it again", segmentName, e.getMessage());
                    forget(segmentName);
                    Files.deleteIfExists(file);
                }
            }
            long size = download(segmentName, file);
            SegmentReader reader = SegmentReader.open(file, blockCache); // open before anyone can evict it
            remember(segmentName, size);
            evict(segmentName);
            return reader;
        }
    }

    private long download(String segmentName, Path target) throws IOException {
        Path temp = Files.createTempFile(cacheDir, "." + segmentName + ".", ".download");
        try {
            long size = catalog.transaction("segment download", c -> {
                long expectedSize;
                long expectedCrc;
                int chunks;
                try (PreparedStatement ps = c.prepareStatement("SELECT size_bytes, chunk_count, crc32c FROM segment_files WHERE name = ?")) {
                    ps.setString(1, segmentName);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            return -1L;
                        }
                        expectedSize = rs.getLong(1);
                        chunks = rs.getInt(2);
                        expectedCrc = rs.getLong(3);
                    }
                }
                CRC32C crc = new CRC32C();
                long written = 0;
                int next = 0;
                try (OutputStream out = Files.newOutputStream(temp, StandardOpenOption.TRUNCATE_EXISTING);
                     PreparedStatement ps = c.prepareStatement("SELECT chunk_no, data FROM segment_chunks WHERE name = ? ORDER BY chunk_no")) {
                    ps.setFetchSize(1);
                    ps.setString(1, segmentName);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            if (rs.getInt(1) != next) {
                                throw new CorruptSegmentException(target, written, "catalog store is missing chunk " + next);
                            }
                            byte[] data = rs.getBytes(2);
                            crc.update(data);
                            out.write(data);
                            written += data.length;
                            next++;
                        }
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException("writing " + temp, e);
                }
                if (next != chunks || written != expectedSize || crc.getValue() != expectedCrc) {
                    throw new CorruptSegmentException(target, written, "catalog store copy has " + next + "/" + chunks
                            + " chunks, " + written + "/" + expectedSize + " bytes, CRC " + (crc.getValue() == expectedCrc ? "ok" : "mismatch"));
                }
                return written;
            });
            if (size < 0) {
                throw new NoSuchFileException(segmentName, null, "no such segment in the catalog store");
            }
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return size;
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    @Override
    public boolean delete(String segmentName) throws IOException {
        SegmentStore.checkName(segmentName);
        boolean deleted = catalog.transaction("segment delete", c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM segment_files WHERE name = ?")) {
                ps.setString(1, segmentName);
                return ps.executeUpdate() == 1;
            }
        });
        synchronized (lockFor(segmentName)) {
            forget(segmentName);
            Files.deleteIfExists(cacheDir.resolve(segmentName));
        }
        return deleted;
    }

    @Override
    public List<String> list() {
        return catalog.transaction("segment list", c -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT name FROM segment_files ORDER BY name");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        });
    }

    @Override
    public boolean exists(String segmentName) {
        SegmentStore.checkName(segmentName);
        return catalog.transaction("segment exists", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM segment_files WHERE name = ?")) {
                ps.setString(1, segmentName);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    /** New segments are written here (the cache directory, so a put moves them into the cache). */
    @Override
    public Path stagingDirectory() {
        return cacheDir;
    }

    /** Bytes currently held in the local cache. */
    public synchronized long cachedBytes() {
        return cachedBytes;
    }

    public synchronized List<String> cachedNames() {
        return List.copyOf(cached.keySet());
    }

    private Object lockFor(String name) {
        return locks[(name.hashCode() & 0x7fffffff) % locks.length];
    }

    private synchronized void remember(String name, long size) {
        Long old = cached.put(name, size);
        cachedBytes += size - (old == null ? 0 : old);
    }

    private synchronized void touch(String name) {
        cached.get(name);
    }

    private synchronized void forget(String name) {
        Long old = cached.remove(name);
        if (old != null) {
            cachedBytes -= old;
        }
    }

    /** Deletes least recently used cache files until the bound holds, keeping {@code keep}. */
    private void evict(String keep) throws IOException {
        List<String> victims = new ArrayList<>();
        synchronized (this) {
            Iterator<Map.Entry<String, Long>> it = cached.entrySet().iterator();
            while (cachedBytes > cacheMaxBytes && it.hasNext()) {
                Map.Entry<String, Long> e = it.next();
                if (e.getKey().equals(keep)) {
                    continue;
                }
                cachedBytes -= e.getValue();
                victims.add(e.getKey());
                it.remove();
            }
        }
        for (String v : victims) {
            Files.deleteIfExists(cacheDir.resolve(v));
        }
    }

    @Override
    public String toString() {
        return "CatalogSegmentStore[cache " + cacheDir + ", max " + cacheMaxBytes + " bytes]";
    }
}
