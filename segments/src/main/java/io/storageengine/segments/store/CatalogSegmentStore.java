package io.storageengine.segments.store;

import io.storageengine.catalog.segmentfile.SegmentFiles;
import io.storageengine.segments.segment.BlockCache;
import io.storageengine.segments.segment.CorruptSegmentException;
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
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps segment bytes in the catalog database itself, for deployments with no shared file
 * system, through the catalog's {@link SegmentFiles} (chunks of at most {@code chunkSize} bytes
 * with the file's size and CRC-32C; an upload is one transaction, all chunks or none). Reads
 * download the file chunk by chunk into a local cache directory, refuse an incomplete or damaged
 * copy ({@link CorruptSegmentException}), and open it there. Memory: one chunk at a time.
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

    private final SegmentFiles files;
    private final Path cacheDir;
    private final long cacheMaxBytes;
    private final int chunkSize;
    private final BlockCache blockCache;
    private final SegmentFaults faults;
    private final BulkIo bulkIo;
    private final Object[] locks = new Object[32];
    /** Cached files in access order → size. Guarded by {@code this}. */
    private final LinkedHashMap<String, Long> cached = new LinkedHashMap<>(16, 0.75f, true);
    private long cachedBytes;

    public CatalogSegmentStore(SegmentFiles files, Path cacheDir, long cacheMaxBytes) throws IOException {
        this(files, cacheDir, cacheMaxBytes, DEFAULT_CHUNK_SIZE);
    }

    public CatalogSegmentStore(SegmentFiles files, Path cacheDir, long cacheMaxBytes, int chunkSize) throws IOException {
        this(files, cacheDir, cacheMaxBytes, chunkSize, null);
    }

    /** As above, with readers sharing {@code blockCache} for point lookups (null for none). */
    public CatalogSegmentStore(SegmentFiles files, Path cacheDir, long cacheMaxBytes, int chunkSize, BlockCache blockCache)
            throws IOException {
        this(files, cacheDir, cacheMaxBytes, chunkSize, blockCache, SegmentFaults.NONE);
    }

    /**
     * As above, with fault-injection hooks on its readers' block reads (of the local copies) and
     * its writers' writes (in the local cache directory).
     */
    public CatalogSegmentStore(SegmentFiles files, Path cacheDir, long cacheMaxBytes, int chunkSize, BlockCache blockCache,
                               SegmentFaults faults) throws IOException {
        this(files, cacheDir, cacheMaxBytes, chunkSize, blockCache, faults, BulkIo.PAGE_CACHE);
    }

    /** As above, its writers writing and its readers scanning the local copies with {@code bulkIo}. */
    public CatalogSegmentStore(SegmentFiles files, Path cacheDir, long cacheMaxBytes, int chunkSize, BlockCache blockCache,
                               SegmentFaults faults, BulkIo bulkIo) throws IOException {
        this.bulkIo = java.util.Objects.requireNonNull(bulkIo, "bulkIo");
        if (chunkSize < 1024 || cacheMaxBytes < 0) {
            throw new IllegalArgumentException("chunk size must be >= 1024 and the cache bound >= 0");
        }
        this.files = files;
        this.cacheDir = Files.createDirectories(cacheDir).toAbsolutePath();
        this.cacheMaxBytes = cacheMaxBytes;
        this.chunkSize = chunkSize;
        this.blockCache = blockCache;
        this.faults = java.util.Objects.requireNonNull(faults, "faults");
        for (int i = 0; i < locks.length; i++) {
            locks[i] = new Object();
        }
        try (Stream<Path> listing = Files.list(this.cacheDir)) {
            for (Path p : listing.toList()) {
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
        if (files.put(segmentName, localFile, size, crc, chunkSize) == SegmentFiles.PutResult.CONFLICT) {
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

    @Override
    public SegmentReader open(String segmentName) throws IOException {
        SegmentStore.checkName(segmentName);
        Path file = cacheDir.resolve(segmentName);
        synchronized (lockFor(segmentName)) {
            if (Files.exists(file)) {
                try {
                    SegmentReader reader = SegmentReader.open(file, blockCache, faults.read(), bulkIo);
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
            SegmentReader reader = SegmentReader.open(file, blockCache, faults.read(), bulkIo); // open before anyone can evict it
            remember(segmentName, size);
            evict(segmentName);
            return reader;
        }
    }

    /** Downloads into a hidden temp file, checks chunks, size and CRC, fsyncs, renames into place. */
    private long download(String segmentName, Path target) throws IOException {
        Path temp = Files.createTempFile(cacheDir, "." + segmentName + ".", ".download");
        try {
            SegmentFiles.Download d = files.download(segmentName, temp)
                    .orElseThrow(() -> new NoSuchFileException(segmentName, null, "no such segment in the catalog store"));
            if (!d.complete()) {
                throw new CorruptSegmentException(target, d.bytes(), d.describe());
            }
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return d.bytes();
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    @Override
    public boolean delete(String segmentName) throws IOException {
        SegmentStore.checkName(segmentName);
        boolean deleted = files.delete(segmentName);
        synchronized (lockFor(segmentName)) {
            forget(segmentName);
            Files.deleteIfExists(cacheDir.resolve(segmentName));
        }
        return deleted;
    }

    @Override
    public List<String> list() {
        return files.names();
    }

    @Override
    public boolean exists(String segmentName) {
        SegmentStore.checkName(segmentName);
        return files.exists(segmentName);
    }

    /** New segments are written here (the cache directory, so a put moves them into the cache). */
    @Override
    public Path stagingDirectory() {
        return cacheDir;
    }

    @Override
    public BulkIo bulkIo() {
        return bulkIo;
    }

    @Override
    public SegmentFaults faults() {
        return faults;
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
