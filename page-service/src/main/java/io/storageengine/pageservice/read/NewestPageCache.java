package io.storageengine.pageservice.read;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.storageengine.pageservice.topology.PageChanges;
import io.storageengine.pageservice.topology.PartitionMarks;
import io.storageengine.schemas.wal.Lsn;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A bounded cache of each page's newest reconstructed version, for the reads that dominate a
 * compute node's traffic: the page at (or after) its newest record, read again and again. An
 * entry is the page as of its newest stored version (LSN {@code newestLsn}) and answers any read
 * at LSN L ≥ {@code newestLsn} that the watermark already covers (the reader waits first), as long
 * as no newer version of the page has been stored since.
 *
 * <p>Correctness rests on three rules:
 * <ul>
 *   <li>Filled only with the page's newest state: from a hot-store scan that found no version
 *       newer than the read's LSN at all (not even beyond the watermark) and either at least one
 *       version ≤ it (hot trimming keeps a suffix of each page's history in the hot store,
 *       {@code topology.trim.HotTrimProcessor}, so every version in the cold tier only is older
 *       than the hot ones; the chain may continue into the cold tier), or none at all and a cold
 *       lookup at the newest LSN, made after that scan, finds no version after the read's LSN
 *       (every version was trimmed into segments, which is where a newer trimmed one would be).</li>
 *   <li>Dropped when the apply processor stores a new version of the page, through
 *       {@link PageChanges}: a fill takes a stamp before its scan and is refused if the stamp
 *       changed before the insert (see there why no write is missed).</li>
 *   <li>Tied to the partition's tenure ({@link PartitionMarks#tenure()}): served only while the
 *       partition is active here under the tenure it was filled in, since a store restored after
 *       a move is written without the processor.</li>
 * </ul>
 * Trimming versions into segments and compaction do not change what a page is at any LSN, so
 * they do not touch the cache.
 *
 * <p>Memory: at most {@code maxPages} entries of one 8 KiB page each (first in, first out; a
 * re-filled key may take two queue slots, so the map can hold fewer). Page arrays are shared with
 * readers, who must not modify them. Thread-safe; hits take no lock.
 */
public final class NewestPageCache {

    private record Entry(byte[] page, long newestLsn, long tenure) {
    }

    private final int maxPages;
    private final ConcurrentHashMap<ByteBuffer, Entry> entries;
    private final ArrayBlockingQueue<ByteBuffer> order;
    private final PageChanges changes;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder fills = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder invalidations = new LongAdder();
    private final LongAdder evictions = new LongAdder();

    /** A cache of at most {@code maxPages} pages, dropping pages as {@code changes} reports new versions. */
    public NewestPageCache(int maxPages, PageChanges changes) {
        if (maxPages < 1) {
            throw new IllegalArgumentException("maxPages must be positive: " + maxPages);
        }
        this.maxPages = maxPages;
        this.entries = new ConcurrentHashMap<>(Math.min(maxPages, 1 << 16));
        this.order = new ArrayBlockingQueue<>(maxPages);
        this.changes = changes;
        changes.listen(this::invalidate);
    }

    /** The cached newest page if it answers a read at {@code readLsn} on {@code marks}' partition now, else null. */
    PageVersion get(byte[] pageKey, PartitionMarks marks, long readLsn) {
        Entry e = entries.get(ByteBuffer.wrap(pageKey));
        if (e == null || marks.role() != PartitionMarks.Role.ACTIVE || e.tenure != marks.tenure()
                || Lsn.isBefore(readLsn, e.newestLsn)) {
            misses.increment();
            return null;
        }
        hits.increment();
        return new PageVersion(e.page, new Lsn(e.newestLsn),
                new Lsn(readLsn));
    }

    /** A fill's ticket, taken before the store scan. */
    record Ticket(long stamp, long tenure) {
    }

    Ticket ticket(byte[] pageKey, PartitionMarks marks) {
        return new Ticket(changes.stamp(pageKey), marks.tenure());
    }

    /** Keeps {@code page}, the page's newest state, unless the page or the partition changed since {@code ticket}. */
    void fill(byte[] pageKey, PartitionMarks marks, Ticket ticket, byte[] page, long newestLsn) {
        if (marks.role() != PartitionMarks.Role.ACTIVE || marks.tenure() != ticket.tenure) {
            refused.increment();
            return;
        }
        ByteBuffer key = ByteBuffer.wrap(pageKey.clone());
        boolean[] added = new boolean[1];
        entries.compute(key, (k, old) -> {
            if (!changes.unchangedSince(pageKey, ticket.stamp)) {
                return old;
            }
            added[0] = old == null;
            return new Entry(page, newestLsn, ticket.tenure);
        });
        if (!added[0]) {
            if (!changes.unchangedSince(pageKey, ticket.stamp)) {
                refused.increment();
            }
            return;
        }
        fills.increment();
        while (!order.offer(key)) {
            ByteBuffer oldest = order.poll();
            if (oldest != null && entries.remove(oldest) != null) {
                evictions.increment();
            }
        }
    }

    private void invalidate(byte[] pageKey) {
        if (entries.remove(ByteBuffer.wrap(pageKey)) != null) {
            invalidations.increment();
        }
    }

    /** Meters {@code se_page_cache_*}: hits, misses, fills, refused fills, invalidations, evictions, entries, capacity. */
    public void bindTo(MeterRegistry registry) {
        FunctionCounter.builder("se.page.cache.hits", hits, LongAdder::sum)
                .description("reads answered by the newest-page cache").register(registry);
        FunctionCounter.builder("se.page.cache.misses", misses, LongAdder::sum)
                .description("hot reads the newest-page cache could not answer").register(registry);
        FunctionCounter.builder("se.page.cache.fills", fills, LongAdder::sum).register(registry);
        FunctionCounter.builder("se.page.cache.fills.refused", refused, LongAdder::sum)
                .description("fills dropped because the page or its partition changed during the read").register(registry);
        FunctionCounter.builder("se.page.cache.invalidations", invalidations, LongAdder::sum)
                .description("entries dropped because a newer version was stored").register(registry);
        FunctionCounter.builder("se.page.cache.evictions", evictions, LongAdder::sum).register(registry);
        Gauge.builder("se.page.cache.entries", entries, ConcurrentHashMap::size).register(registry);
        Gauge.builder("se.page.cache.capacity.pages", () -> maxPages).register(registry);
    }

    long hits() {
        return hits.sum();
    }

    int size() {
        return entries.size();
    }
}
