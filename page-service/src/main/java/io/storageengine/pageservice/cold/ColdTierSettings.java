package io.storageengine.pageservice.cold;

import io.storageengine.catalog.CatalogConfig;
import io.storageengine.pageservice.config.PageServiceConfig;
import io.storageengine.pageservice.topology.trim.TrimSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * Typed settings of the cold tier (the {@code cold} section of {@code application.yaml}).
 * Immutable.
 *
 * <p>Freshness rule (what makes trimming safe across instances): a read that needs the cold tier
 * is served only if the segment map was refreshed successfully within {@code maxStaleness}
 * (measured from the start of that refresh), and a hot version is trimmed only against segments
 * this instance first listed at least {@code trim.settleDelay} ago. With settleDelay &gt;
 * maxStaleness (checked here) every instance that still serves cold reads — this one, a standby
 * that restores the trim deletes from the changelog, a new owner after failover — lists the
 * covering segment (or its compaction outputs) before it can miss the deleted hot version.
 *
 * @param enabled cold tier on (default: when a catalog URL is configured); off → {@code ColdPageSource.none()}
 * @param catalog how to reach the catalog database
 * @param store where segment files live: {@code DIRECTORY} (default) or {@code CATALOG}
 * @param segmentDir the directory store's directory, or the catalog store's local cache
 * @param blockCacheBytes shared LRU of verified segment blocks for point lookups
 * @param readerCacheBytes bound on the heap the open segment readers' indexes and filters hold
 *        (about 1.1 MB per GB of segments); least recently used readers close beyond it
 * @param storeCacheBytes the catalog store's local file cache bound (unused by the directory store)
 * @param refreshInterval how often the segment map is polled (default 1 s)
 * @param maxStaleness cold reads fail with 503 when the last successful refresh is older (default 10 s)
 * @param trim hot-store trimming
 */
public record ColdTierSettings(boolean enabled, CatalogConfig catalog, StoreKind store, Path segmentDir,
                               long blockCacheBytes, long readerCacheBytes, long storeCacheBytes, Duration refreshInterval,
                               Duration maxStaleness, TrimSettings trim) {

    /** Segment store kinds. */
    public enum StoreKind {
        DIRECTORY, CATALOG;

        /** {@code directory} / {@code dir} / {@code catalog}, any case. */
        public static StoreKind parse(String text) {
            return switch (text.trim().toLowerCase(Locale.ROOT)) {
                case "directory", "dir" -> DIRECTORY;
                case "catalog" -> CATALOG;
                default -> throw new IllegalArgumentException("cold.segment-store: expected directory or catalog, got '" + text + "'");
            };
        }
    }

    public ColdTierSettings {
        Objects.requireNonNull(catalog, "catalog");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(segmentDir, "segmentDir");
        Objects.requireNonNull(refreshInterval, "refreshInterval");
        Objects.requireNonNull(maxStaleness, "maxStaleness");
        Objects.requireNonNull(trim, "trim");
        if (refreshInterval.toMillis() < 1 || maxStaleness.compareTo(refreshInterval) <= 0) {
            throw new IllegalArgumentException("cold: refresh-interval must be >= 1 ms and max-staleness longer than it");
        }
        if (trim.settleDelay().compareTo(maxStaleness) <= 0) {
            throw new IllegalArgumentException("cold.trim.settle-delay (" + trim.settleDelay()
                    + ") must be longer than cold.max-staleness (" + maxStaleness + ")");
        }
        if (blockCacheBytes < 0 || storeCacheBytes < 0) {
            throw new IllegalArgumentException("cold: cache sizes must be >= 0");
        }
        if (readerCacheBytes < 1) {
            throw new IllegalArgumentException("cold.reader-cache-mb must be >= 1");
        }
    }

    /**
     * Defaults around a catalog: directory store in {@code segmentDir}, 64 MiB block cache, 256 MiB
     * of open readers' metadata, 1 GiB file cache.
     */
    public static ColdTierSettings of(CatalogConfig catalog, Path segmentDir) {
        return new ColdTierSettings(true, catalog, StoreKind.DIRECTORY, segmentDir, 64L << 20, 256L << 20, 1L << 30,
                Duration.ofSeconds(1), Duration.ofSeconds(10), TrimSettings.defaults());
    }

    /** From the page service's typed config ({@code cold} section); segment dir relative to the working directory. */
    public static ColdTierSettings from(PageServiceConfig.Cold c) {
        CatalogConfig catalog = c.catalog();
        return new ColdTierSettings(c.enabled(), catalog, StoreKind.parse(c.segmentStore()), Path.of(c.segmentDir()),
                (long) c.blockCacheMb() << 20, (long) c.readerCacheMb() << 20, (long) c.storeCacheMb() << 20, c.refreshInterval(), c.maxStaleness(),
                new TrimSettings(c.trimEnabled(), c.trimSettleDelay(), c.trimInterval(), c.trimMaxEntries(), c.trimMaxTime()));
    }

    public ColdTierSettings withTrim(TrimSettings t) {
        return new ColdTierSettings(enabled, catalog, store, segmentDir, blockCacheBytes, readerCacheBytes, storeCacheBytes,
                refreshInterval, maxStaleness, t);
    }

    public ColdTierSettings withRefresh(Duration interval, Duration staleness) {
        return new ColdTierSettings(enabled, catalog, store, segmentDir, blockCacheBytes, readerCacheBytes, storeCacheBytes, interval,
                staleness, trim);
    }
}
