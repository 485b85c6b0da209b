package io.storageengine.pageservice.topology.trim;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;

/**
 * Hot-store trimming as a Kafka Streams processor supplier: the page topology adds one
 * {@link HotTrimProcessor} per task next to the WAL processor, sharing the {@code page-versions}
 * store (so its deletes go through the store's changelog, inside the task's exactly-once
 * transaction). Also holds the counters the processors report into and binds them to Micrometer:
 * {@code se.hot.trimmed.versions}, {@code se.hot.trim.mismatches}, {@code se.hot.trim.passes},
 * {@code se.hot.trim.skipped.passes} (cold tier unavailable), {@code se.hot.trim.paused.passes}
 * (passes left out while trimming is paused after a slow one), {@code se.hot.trim.sweeps} (full
 * passes over a store) and the gauge {@code se.hot.store.entries} (RocksDB's estimate, summed over
 * the partitions active here). Thread-safe.
 */
public final class HotTrimming implements ProcessorSupplier<byte[], byte[], Void, Void> {
    private final TrimCoverage coverage;
    private final TrimSettings settings;
    final LongAdder trimmed = new LongAdder();
    final LongAdder mismatches = new LongAdder();
    final LongAdder shadowed = new LongAdder();
    final LongAdder passes = new LongAdder();
    final LongAdder skippedPasses = new LongAdder();
    final LongAdder pausedPasses = new LongAdder();
    final LongAdder sweeps = new LongAdder();
    final Map<Integer, Long> entries = new ConcurrentHashMap<>();

    public HotTrimming(TrimCoverage coverage, TrimSettings settings) {
        this.coverage = Objects.requireNonNull(coverage, "coverage");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    @Override
    public Processor<byte[], byte[], Void, Void> get() {
        return new HotTrimProcessor(coverage, settings, this);
    }

    /** Versions deleted from the hot store since start. */
    public long trimmedVersions() {
        return trimmed.sum();
    }

    /** Hot versions kept because the cold copy at the same LSN differed (should stay 0). */
    public long mismatches() {
        return mismatches.sum();
    }

    /** Passes left out because trimming was paused after a slow pass (slow segment reads). */
    public long pausedPasses() {
        return pausedPasses.sum();
    }

    /** Completed sweeps over whole partition stores. */
    public long sweeps() {
        return sweeps.sum();
    }

    /** RocksDB's estimate of the entries in the {@code page-versions} stores of partitions active here. */
    public long hotStoreEntries() {
        long sum = 0;
        for (long v : entries.values()) {
            sum += v;
        }
        return sum;
    }

    public HotTrimming bindTo(MeterRegistry r) {
        FunctionCounter.builder("se.hot.trimmed.versions", this, HotTrimming::trimmedVersions)
                .description("page versions removed from the hot store because a segment holds them").register(r);
        FunctionCounter.builder("se.hot.trim.shadowed", shadowed, LongAdder::sum)
                .description("trimmed versions below the GC horizon and an image (no segment needs to hold them)").register(r);
        FunctionCounter.builder("se.hot.trim.mismatches", this, HotTrimming::mismatches)
                .description("hot versions kept because the segment copy differed").register(r);
        FunctionCounter.builder("se.hot.trim.passes", passes, LongAdder::sum)
                .description("trimming passes run").register(r);
        FunctionCounter.builder("se.hot.trim.skipped.passes", skippedPasses, LongAdder::sum)
                .description("trimming passes stopped because the cold tier could not answer").register(r);
        FunctionCounter.builder("se.hot.trim.paused.passes", pausedPasses, LongAdder::sum)
                .description("trimming passes left out while paused after a slow pass (slow segment reads)").register(r);
        FunctionCounter.builder("se.hot.trim.sweeps", this, HotTrimming::sweeps)
                .description("complete sweeps over a partition's hot store").register(r);
        Gauge.builder("se.hot.store.entries", this, HotTrimming::hotStoreEntries)
                .description("estimated entries in the hot store (page-versions) of active partitions").register(r);
        return this;
    }
}
