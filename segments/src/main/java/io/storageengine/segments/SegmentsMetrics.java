package io.storageengine.segments;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.storageengine.catalog.Catalog;
import io.storageengine.segments.segment.BlockCache;
import io.storageengine.segments.store.CatalogSegmentStore;

/**
 * Micrometer meters of the cold tier, bound by the process that owns the objects (page-service,
 * compactor-worker); any of them may be null. Meters: {@code se.segments.block.cache.hits|misses}
 * (counters), {@code se.segments.block.cache.bytes}, {@code se.segments.catalog.retries} (counter),
 * {@code se.segments.store.cache.bytes}. The meters read the objects' own counters (no work on the
 * read path). Immutable; registers strong references so the gauges never go NaN.
 */
public record SegmentsMetrics(Catalog catalog, BlockCache blockCache, CatalogSegmentStore catalogStore) implements MeterBinder {

    @Override
    public void bindTo(MeterRegistry registry) {
        if (blockCache != null) {
            FunctionCounter.builder("se.segments.block.cache.hits", blockCache, BlockCache::hits)
                    .description("point-lookup blocks served from the block cache").register(registry);
            FunctionCounter.builder("se.segments.block.cache.misses", blockCache, BlockCache::misses)
                    .description("point-lookup blocks read from files").register(registry);
            Gauge.builder("se.segments.block.cache.bytes", blockCache, BlockCache::bytes).strongReference(true)
                    .baseUnit("bytes").register(registry);
        }
        if (catalog != null) {
            FunctionCounter.builder("se.segments.catalog.retries", catalog, Catalog::retries)
                    .description("catalog transactions retried after a transient failure").register(registry);
        }
        if (catalogStore != null) {
            Gauge.builder("se.segments.store.cache.bytes", catalogStore, CatalogSegmentStore::cachedBytes).strongReference(true)
                    .baseUnit("bytes").register(registry);
        }
    }
}
