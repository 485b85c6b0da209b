package io.storageengine.segments.store;

import io.storageengine.catalog.Catalog;
import io.storageengine.segments.segment.BlockCache;
import io.storageengine.segments.segment.BulkIo;
import io.storageengine.segments.segment.SegmentFaults;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * The one place that turns configuration into a {@link SegmentStore}, used by page-service and
 * compactor-worker alike: {@link Kind#DIRECTORY} opens a {@link DirectorySegmentStore} on
 * {@code directory}; {@link Kind#CATALOG} a {@link CatalogSegmentStore} whose bytes live in the
 * catalog database and whose local cache is {@code directory}, bounded by {@code cacheMaxBytes}.
 * Readers of either share {@code blockCache} when one is given. Stateless.
 */
public final class SegmentStores {
    /** Where segment files live. */
    public enum Kind {
        DIRECTORY,
        CATALOG;

        /** {@code directory} / {@code dir} / {@code catalog}, any case. */
        public static Kind parse(String text) {
            return switch (text.trim().toLowerCase(Locale.ROOT)) {
                case "directory", "dir" -> DIRECTORY;
                case "catalog" -> CATALOG;
                default -> throw new IllegalArgumentException("segment store: expected directory (or dir) or catalog, got '" + text + "'");
            };
        }
    }

    /**
     * @param kind which store
     * @param directory the directory store's directory, or the catalog store's local cache
     * @param cacheMaxBytes the catalog store's local cache bound (unused by the directory store)
     * @param blockCache shared by the store's readers for point lookups; null for none
     * @param faults fault-injection hooks of the store's file I/O (drills and tests; {@link SegmentFaults#NONE})
     * @param bulkIo how the store's writers write and its readers scan whole files
     */
    public record Config(Kind kind, Path directory, long cacheMaxBytes, BlockCache blockCache, SegmentFaults faults,
                         BulkIo bulkIo) {
        public Config {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(directory, "directory");
            Objects.requireNonNull(faults, "faults");
            Objects.requireNonNull(bulkIo, "bulkIo");
            if (cacheMaxBytes < 0) {
                throw new IllegalArgumentException("segment store cache bound must be >= 0, got " + cacheMaxBytes);
            }
        }

        /** Without fault-injection hooks. */
        public Config(Kind kind, Path directory, long cacheMaxBytes, BlockCache blockCache) {
            this(kind, directory, cacheMaxBytes, blockCache, SegmentFaults.NONE);
        }

        /** Through the page cache. */
        public Config(Kind kind, Path directory, long cacheMaxBytes, BlockCache blockCache, SegmentFaults faults) {
            this(kind, directory, cacheMaxBytes, blockCache, faults, BulkIo.PAGE_CACHE);
        }

        /** A store without a block cache and with a 1 GiB catalog-store cache (the compactor's). */
        public static Config of(Kind kind, Path directory) {
            return new Config(kind, directory, 1L << 30, null);
        }

        /** This configuration with {@code faults} as the store's fault-injection hooks. */
        public Config withFaults(SegmentFaults faults) {
            return new Config(kind, directory, cacheMaxBytes, blockCache, faults, bulkIo);
        }

        /** This configuration with {@code bulkIo} for whole-file writes and scans. */
        public Config withBulkIo(BulkIo bulkIo) {
            return new Config(kind, directory, cacheMaxBytes, blockCache, faults, bulkIo);
        }
    }

    private SegmentStores() {
    }

    /**
     * Opens the configured store (creating its directory).
     *
     * @param catalog the open catalog; used by the catalog store only
     */
    public static SegmentStore open(Config config, Catalog catalog) throws IOException {
        return switch (config.kind()) {
            case DIRECTORY -> new DirectorySegmentStore(config.directory(), config.blockCache(), config.faults(), config.bulkIo());
            case CATALOG -> new CatalogSegmentStore(Objects.requireNonNull(catalog, "catalog").segmentFiles(), config.directory(),
                    config.cacheMaxBytes(), CatalogSegmentStore.DEFAULT_CHUNK_SIZE, config.blockCache(), config.faults(), config.bulkIo());
        };
    }
}
