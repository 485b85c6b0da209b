package io.storageengine.ingest.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.storageengine.ingest.decode.DecodeSummary;
import io.storageengine.schemas.wal.RecordType;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The meters of one publisher (tagged with tenant and timeline):
 * {@code se.ingest.records{type}}, {@code se.ingest.bytes} (published frame bytes),
 * {@code se.ingest.input.bytes}, {@code se.ingest.corrupt.frames}, {@code se.ingest.skipped.bytes},
 * {@code se.ingest.reserved.skipped}, {@code se.ingest.rejected}, {@code se.ingest.truncated.tail.bytes},
 * {@code se.ingest.publish.latency} (send to broker ack, histogram from 100 µs),
 * {@code se.ingest.transactions}, {@code se.ingest.watermark.rounds} and the gauge
 * {@code se.ingest.last.published.lsn} (LSN of the last committed WATERMARK round).
 *
 * <p>Decoder counters are read from a supplier of cumulative {@link DecodeSummary} totals; keep this
 * object referenced for as long as the meters should report (the publisher does). Thread-safe.
 */
public final class IngestMetrics {
    private final Counter images;
    private final Counter deltas;
    private final Counter pgRecords;
    private final Counter advances;
    private final Counter bytes;
    private final Counter transactions;
    private final Counter watermarkRounds;
    private final Timer publishLatency;
    private final AtomicLong lastPublishedLsn = new AtomicLong();
    /** Held strongly here: Micrometer function meters keep only a weak reference to their state object. */
    private final Supplier<DecodeSummary> decodeTotals;

    public IngestMetrics(MeterRegistry registry, String tenant, String timeline, Supplier<DecodeSummary> decodeTotals) {
        this.decodeTotals = decodeTotals;
        Tags tags = Tags.of("tenant", tenant, "timeline", timeline);
        images = Counter.builder("se.ingest.records").tags(tags).tag("type", "page_image")
                .description("page records published").register(registry);
        deltas = Counter.builder("se.ingest.records").tags(tags).tag("type", "page_delta")
                .description("page records published").register(registry);
        pgRecords = Counter.builder("se.ingest.records").tags(tags).tag("type", "pg_record")
                .description("page records published").register(registry);
        advances = Counter.builder("se.ingest.records").tags(tags).tag("type", "lsn_advance")
                .description("LSN_ADVANCE frames consumed (not published per page)").register(registry);
        bytes = Counter.builder("se.ingest.bytes").tags(tags).baseUnit("bytes")
                .description("frame bytes published").register(registry);
        transactions = Counter.builder("se.ingest.transactions").tags(tags).description("committed transactions")
                .register(registry);
        watermarkRounds = Counter.builder("se.ingest.watermark.rounds").tags(tags)
                .description("WATERMARK rounds (one record per partition)").register(registry);
        publishLatency = Timer.builder("se.ingest.publish.latency").tags(tags)
                .description("send to broker acknowledgement").publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(100_000)).maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
        Gauge.builder("se.ingest.last.published.lsn", lastPublishedLsn, AtomicLong::doubleValue).tags(tags)
                .description("LSN of the last committed WATERMARK round").register(registry);
        decoderCounter(registry, tags, "se.ingest.input.bytes", "bytes read from sources", decodeTotals, DecodeSummary::bytes);
        decoderCounter(registry, tags, "se.ingest.corrupt.frames", "corrupt runs skipped", decodeTotals, DecodeSummary::corruptFrames);
        decoderCounter(registry, tags, "se.ingest.skipped.bytes", "bytes skipped resynchronizing", decodeTotals,
                DecodeSummary::skippedBytes);
        decoderCounter(registry, tags, "se.ingest.reserved.skipped", "reserved-type frames skipped", decodeTotals,
                DecodeSummary::reservedSkipped);
        decoderCounter(registry, tags, "se.ingest.rejected", "records rejected by the payload rules", decodeTotals,
                DecodeSummary::rejected);
        decoderCounter(registry, tags, "se.ingest.truncated.tail.bytes", "truncated tail bytes at stream ends", decodeTotals,
                DecodeSummary::truncatedTailBytes);
    }

    private void decoderCounter(MeterRegistry registry, Tags tags, String name, String description,
                                Supplier<DecodeSummary> totals, ToDoubleFunction<DecodeSummary> f) {
        // State object = this (owned by the publisher), not the supplier lambda, which could be collected.
        FunctionCounter.builder(name, this, m -> f.applyAsDouble(m.decodeTotals.get())).tags(tags)
                .description(description).register(registry);
    }

    /** One published page record of type {@code typeCode} (a page record type). */
    public void published(int typeCode, int frameBytes) {
        RecordType type = RecordType.of(typeCode);
        if (type == null) {
            throw new IllegalArgumentException("published a frame of reserved type " + typeCode);
        }
        switch (type) {
            case PAGE_IMAGE -> images.increment();
            case PAGE_DELTA -> deltas.increment();
            case PG_RECORD -> pgRecords.increment();
            case LSN_ADVANCE, WATERMARK -> throw new IllegalArgumentException(type + " is not published per page");
        }
        bytes.increment(frameBytes);
    }

    public void advance() {
        advances.increment();
    }

    public void acked(long sendNanos) {
        publishLatency.record(System.nanoTime() - sendNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    public void committed(boolean withWatermarks, long watermarkLsn) {
        transactions.increment();
        if (withWatermarks) {
            watermarkRounds.increment();
            lastPublishedLsn.set(watermarkLsn);
        }
    }

    public Timer publishLatency() {
        return publishLatency;
    }
}
