package io.storageengine.pageservice;

import io.micrometer.core.instrument.MeterRegistry;
import io.storageengine.pageservice.read.ColdPageSource;
import io.storageengine.pageservice.read.NewestPageCache;
import io.storageengine.pageservice.read.PageReader;
import io.storageengine.pageservice.read.StorePageReader;
import io.storageengine.pageservice.streams.PageStreamsApp;
import java.time.Duration;

/**
 * Composes the read path, next to {@code Main}: GetPage@LSN over the streams application's stores
 * (hot tier, waited on through its watermarks) continuing into the cold tier. The streams
 * application only exposes its stores; this is the one place the reader is assembled. Stateless.
 */
public final class ReadPath {
    private ReadPath() {
    }

    /**
     * The reader for partitions served here.
     *
     * @param cold the cold tier the read path continues into ({@link ColdPageSource#none()} if none)
     * @param waitTimeout how long a read waits for WAL beyond the watermark ({@code read.wait-timeout})
     */
    public static PageReader of(PageStreamsApp app, ColdPageSource cold, Duration waitTimeout) {
        return new StorePageReader(app.storeAccess(), app.watermarks(), cold, waitTimeout);
    }

    /**
     * As above, with a cache of newest reconstructed pages of {@code cachePages} pages (0: none),
     * dropped as the topology stores new versions; its meters go to {@code meters}.
     */
    public static PageReader of(PageStreamsApp app, ColdPageSource cold, Duration waitTimeout, int cachePages,
            MeterRegistry meters) {
        NewestPageCache cache = null;
        if (cachePages > 0) {
            cache = new NewestPageCache(cachePages, app.watermarks().pageChanges());
            cache.bindTo(meters);
        }
        return new StorePageReader(app.storeAccess(), app.watermarks(), cold, waitTimeout, cache);
    }
}
