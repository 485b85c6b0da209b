package io.storageengine.pageservice.topology.trim;

import io.storageengine.pagecore.VersionChains;
import io.storageengine.pageservice.read.ColdVersion;
import io.storageengine.pageservice.read.PageReadException;
import io.storageengine.pageservice.topology.PageTopology;
import io.storageengine.schemas.page.PageKey;
import io.storageengine.schemas.page.VersionKey;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.Lsn;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trims one partition's hot store ({@code page-versions}): a wall-clock punctuator sweeps the store
 * in key order, a bounded slice per pass (at most {@code maxEntries} entries visited or
 * {@code maxTime} spent, checked between pages/batches), resuming from a cursor, and deletes the
 * versions the cold tier demonstrably holds. Input records are ignored (the WAL processor applies
 * them). Keys that are not 57-byte VersionKeys (the 36-byte watermark markers) are skipped.
 *
 * <p><b>Rule.</b> For each page, versions are considered oldest first and deleted while each one
 * is covered: the settled segments ({@link TrimCoverage}) hold that exact (page key, LSN) version,
 * with identical bytes, or hold an image of the page at that LSN where the hot store has another
 * version (an image as of LSN X is the page as of X; page-core's {@code VersionChains.covers}), or
 * lies below the segments' newest chain start (an image or an initializing record) at or
 * below the timeline's settled GC horizon (GC may already have dropped it from the segments; no
 * read may need it, see {@link #shadowedBelowHorizon}). The first version that is not covered stops the page:
 * nothing newer is deleted. So the hot versions kept always form a suffix (by LSN) of the page's
 * history, every deleted version lies below it, and every deleted version is in the cold tier.
 *
 * <p><b>Why reads do not change.</b> A read at L scans the hot store down from L to the newest hot
 * chain start; if it finds one at X, every version in (X, L] is in the kept suffix, so the answer is the
 * one before trimming. Otherwise it continues into the cold tier, which returns every version it
 * holds from its newest chain start ≤ L up to L, merged with the hot ones on LSN (a cold image beats
 * a hot version at the same LSN): versions at or above the suffix's start come from the hot store, the
 * deleted ones below it from the segments, so the merged chain is the complete one. Compaction and
 * GC keep what the segments return at any LSN at or above the GC horizon (invariant 4), and
 * {@code cold.ColdTierSettings} explains why every instance that may serve the page (standbys restoring
 * these deletes from the changelog, a new owner after failover) already lists the covering segments.
 * Kafka delivers a page's records in LSN order, so new versions only extend the suffix.
 *
 * <p>A complete sweep is followed by the next one only when the coverage's generation moved (new
 * settled segments or horizons), so an idle hot store costs nothing. Deletes are collected during a pass and applied after its iterator closes, through the store,
 * so they go to the changelog inside the task's exactly-once transaction. If the cold tier cannot
 * answer, the pass stops, applies what it proved, and the next pass resumes at the same page.
 *
 * <p><b>A slow cold tier.</b> Passes run on the stream thread, so while one waits on segment reads
 * the partition's WAL is not applied. A pass that took longer than {@link #slowPass} (its lookups
 * waited on a slow disk) pauses trimming of the partition for {@link #FIRST_PAUSE}, doubling with
 * each slow pass after a pause up to {@link #MAX_PAUSE} ({@code se.hot.trim.paused.passes}): the hot
 * store keeps a few more versions for a while, WAL apply keeps going. The pause is measured on the
 * punctuation clock, the pass on the real one.
 * One instance per task, called by that task's stream thread only.
 */
final class HotTrimProcessor implements Processor<byte[], byte[], Void, Void> {
    private static final Logger LOG = LoggerFactory.getLogger(HotTrimProcessor.class);
    /** Versions of one page examined per coverage batch. */
    static final int BATCH = 64;
    /** Trimming pauses this long after a slow pass... */
    static final java.time.Duration FIRST_PAUSE = java.time.Duration.ofSeconds(10);
    /** ...doubling with each slow pass that follows a pause, up to this. */
    static final java.time.Duration MAX_PAUSE = java.time.Duration.ofSeconds(60);

    private final TrimCoverage coverage;
    private final TrimSettings settings;
    private final HotTrimming stats;
    private KeyValueStore<byte[], byte[]> store;
    private int partition;
    private byte[] cursor;
    private byte[] blockedPage;
    private long unavailableRuns;
    /** Coverage generation when the current sweep started, and when the last complete sweep started. */
    private long sweepGeneration = -1;
    private long sweptGeneration = -1;
    /** Punctuation time (ms) before which no pass runs; the current pause, 0 after a pass that was not slow. */
    private long pausedUntilMs = Long.MIN_VALUE;
    private long pauseMs;
    private long slowPasses;

    // the current batch: versions of one page, LSN ascending
    private final byte[][] keys = new byte[BATCH][];
    private final byte[][] values = new byte[BATCH][];
    private final long[] lsns = new long[BATCH];
    private int n;

    HotTrimProcessor(TrimCoverage coverage, TrimSettings settings, HotTrimming stats) {
        this.coverage = coverage;
        this.settings = settings;
        this.stats = stats;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.partition = context.taskId().partition();
        this.store = context.getStateStore(PageTopology.PAGE_VERSIONS_STORE);
        context.schedule(settings.interval(), PunctuationType.WALL_CLOCK_TIME, this::punctuate);
        stats.entries.put(partition, store.approximateNumEntries());
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        // the WAL processor applies records; this processor only trims
    }

    /** A pass longer than this waited on the cold tier: ten times {@code maxTime}, at least 200 ms. */
    long slowPass() {
        return Math.max(10 * settings.maxTime().toNanos(), 200_000_000L);
    }

    /** The punctuator: a pass unless trimming is paused after a slow one ({@code nowMs}: punctuation time). */
    void punctuate(long nowMs) {
        if (nowMs < pausedUntilMs) {
            stats.pausedPasses.increment();
            return;
        }
        long t0 = System.nanoTime();
        trimPass();
        long took = System.nanoTime() - t0;
        if (took > slowPass()) {
            pauseMs = pauseMs == 0 ? FIRST_PAUSE.toMillis() : Math.min(2 * pauseMs, MAX_PAUSE.toMillis());
            pausedUntilMs = nowMs + took / 1_000_000 + pauseMs;
            slowPasses++;
            if (slowPasses == 1 || slowPasses % 60 == 0) {
                LOG.warn("Partition {}: a hot-store trimming pass took {} ms (slow segment reads?); trimming paused for {} ms "
                        + "so WAL apply is not held up ({} slow passes)", partition, took / 1_000_000, pauseMs, slowPasses);
            }
        } else {
            pauseMs = 0;
        }
    }

    /** One bounded slice of the sweep. Package-private for tests. */
    void trimPass() {
        long generation = coverage.generation();
        if (cursor == null) {
            if (generation != -1 && generation == sweptGeneration) {
                return; // the last sweep saw this coverage already: nothing new can be trimmed
            }
            sweepGeneration = generation;
        }
        stats.passes.increment();
        long deadline = System.nanoTime() + settings.maxTime().toNanos();
        int visited = 0;
        List<byte[]> deletes = new ArrayList<>();
        byte[] next = null;
        boolean end = false;
        n = 0;
        try (KeyValueIterator<byte[], byte[]> it = cursor == null ? store.all() : store.range(cursor, null)) {
            while (true) {
                if (!it.hasNext()) {
                    if (n > 0) {
                        next = keys[0];
                        processBatch(deletes);
                    }
                    end = true;
                    break;
                }
                byte[] key = it.peekNextKey();
                if (n == 0 && (visited >= settings.maxEntries() || System.nanoTime() - deadline > 0)) {
                    next = key;
                    break;
                }
                if (n > 0 && key.length == VersionKey.SIZE && (n == BATCH || !samePage(key, keys[0]))) {
                    next = keys[0];
                    if (!processBatch(deletes)) {
                        blockedPage = Arrays.copyOf(keys[0], PageKey.SIZE);
                    }
                    n = 0;
                    continue;
                }
                KeyValue<byte[], byte[]> kv = it.next();
                visited++;
                if (key.length != VersionKey.SIZE || kv.value == null) {
                    continue;
                }
                if (blockedPage != null) {
                    if (samePage(key, blockedPage)) {
                        continue;
                    }
                    blockedPage = null;
                }
                keys[n] = key;
                values[n] = kv.value;
                lsns[n] = VersionKey.lsnOf(key);
                n++;
            }
        } catch (PageReadException e) {
            stats.skippedPasses.increment();
            unavailableRuns++;
            if (unavailableRuns == 1 || unavailableRuns % 600 == 0) {
                LOG.info("Partition {}: hot-store trimming paused, the cold tier cannot answer: {}", partition,
                        e.getMessage());
            }
            end = false;
            // resume at the page batch that could not be checked; earlier versions of it were deleted or are blocked
        }
        Arrays.fill(keys, null);
        Arrays.fill(values, null);
        for (byte[] k : deletes) {
            store.delete(k);
        }
        stats.trimmed.add(deletes.size());
        if (end) {
            cursor = null;
            blockedPage = null;
            sweptGeneration = sweepGeneration;
            stats.sweeps.increment();
        } else {
            cursor = next;
        }
        stats.entries.put(partition, store.approximateNumEntries());
    }

    /**
     * Decides the current batch: appends its covered prefix to {@code deletes}.
     *
     * @return true if the whole batch is covered (the page's next batch may continue the prefix)
     */
    private boolean processBatch(List<byte[]> deletes) throws PageReadException {
        boolean[] covered = covered(Arrays.copyOf(keys[0], PageKey.SIZE));
        int k = 0;
        while (k < n && covered[k]) {
            deletes.add(keys[k]);
            k++;
        }
        unavailableRuns = 0;
        return k == n;
    }

    /**
     * Which batch versions the settled segments hold. Queries newest first: one query at LSN M answers
     * for every batch LSN in [the newest cold chain start ≤ M, M] (page-core's
     * {@code VersionChains.neededFrom}); the next query starts below it.
     */
    private boolean[] covered(byte[] pageKey) throws PageReadException {
        boolean[] out = new boolean[n];
        int i = n - 1;
        while (i >= 0) {
            List<ColdVersion> cold = coverage.coveredVersions(pageKey, lsns[i]);
            long low = VersionChains.neededFrom(cold);
            int c = 0;
            while (i >= 0 && !Lsn.isBefore(lsns[i], low)) {
                while (c < cold.size() && Lsn.isAfter(cold.get(c).lsn(), lsns[i])) {
                    c++;
                }
                out[i] = c < cold.size() && cold.get(c).lsn() == lsns[i] && same(values[i], cold.get(c).stored());
                i--;
            }
        }
        if (!out[0]) {
            shadowedBelowHorizon(pageKey, out);
        }
        return out;
    }

    /**
     * GC may have dropped old versions from the segments before this instance trimmed them. Reads
     * below the timeline's settled GC horizon H are refused, and a read at L ≥ H stops at a chain
     * start at or above the segments' newest chain start Z ≤ H, so hot versions below Z are never
     * needed again.
     */
    private void shadowedBelowHorizon(byte[] pageKey, boolean[] out) throws PageReadException {
        long h = coverage.settledGcHorizon(TimelineKey.read(ByteBuffer.wrap(pageKey, 0, TimelineKey.SIZE)));
        if (h == 0 || !Lsn.isBefore(lsns[0], h)) {
            return;
        }
        List<ColdVersion> atHorizon = coverage.coveredVersions(pageKey, h);
        long z = VersionChains.neededFrom(atHorizon);
        if (z == 0) {
            return; // no chain start at or below the horizon: every version may still be needed
        }
        for (int i = 0; i < n && Lsn.isBefore(lsns[i], z); i++) {
            if (!out[i]) {
                out[i] = true;
                stats.shadowed.increment();
            }
        }
    }

    private boolean same(byte[] hot, byte[] cold) {
        if (VersionChains.covers(cold, hot)) {
            return true;
        }
        stats.mismatches.increment();
        return false;
    }

    private static boolean samePage(byte[] key, byte[] pageOrKey) {
        return Arrays.equals(key, 0, PageKey.SIZE, pageOrKey, 0, PageKey.SIZE);
    }

    @Override
    public void close() {
        stats.entries.remove(partition);
    }
}
