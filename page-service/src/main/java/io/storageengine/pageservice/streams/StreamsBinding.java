package io.storageengine.pageservice.streams;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.storageengine.pageservice.metrics.PageMetrics;
import io.storageengine.pageservice.metrics.PartitionStats;
import io.storageengine.pageservice.ownership.Ownership;
import io.storageengine.pageservice.topology.ApplyCounters;
import java.util.List;
import java.util.Locale;
import java.util.function.ToLongFunction;
import org.apache.kafka.common.Metric;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Binds the streams side's numbers to {@link PageMetrics}: WAL apply counters (page versions,
 * watermarks, skipped input by reason), RocksDB off-heap memory, the Kafka Streams client metrics
 * (Micrometer's {@link KafkaStreamsMetrics}), per-partition applied LSN and lag
 * ({@link Ownership#partitions()}), and the hot-store size (RocksDB SST files plus memtables over
 * the instance's stores). Created once in {@code Main}; close it
 * before the streams app. Thread-safe (read-only polling of thread-safe sources).
 */
public final class StreamsBinding implements AutoCloseable {
    private final KafkaStreamsMetrics kafkaStreamsMetrics;

    private StreamsBinding(KafkaStreamsMetrics kafkaStreamsMetrics) {
        this.kafkaStreamsMetrics = kafkaStreamsMetrics;
    }

    public static StreamsBinding bind(PageMetrics metrics, PageStreamsApp app) {
        MeterRegistry r = metrics.registry();
        ApplyCounters c = app.counters();
        counter(r, "se.wal.page.versions", "Page versions applied to the hot store", c, ApplyCounters::pageVersions);
        counter(r, "se.wal.watermarks", "WATERMARK records applied", c, ApplyCounters::watermarks);
        skipped(r, "corrupt_frame", c, ApplyCounters::corruptFrames);
        skipped(r, "bad_record", c, ApplyCounters::badRecords);
        skipped(r, "bad_key", c, ApplyCounters::badKeys);
        skipped(r, "reserved_type", c, ApplyCounters::reservedTypes);
        skipped(r, "stale_watermark", c, ApplyCounters::staleWatermarks);
        FunctionCounter.builder("se.kafka.hanging.transactions.aborted", app, PageStreamsApp::hangingTransactionsAborted)
                .description("Hanging transactions aborted on changelog partitions whose restoration they blocked")
                .register(r);
        Gauge.builder("se.rocksdb.memory.used", app, a -> a.rocksDbMemory().usage()).baseUnit("bytes")
                .description("Off-heap memory used by the shared RocksDB cache and write buffers").register(r);
        Gauge.builder("se.rocksdb.memory.limit", app, a -> a.rocksDbMemory().totalBytes()).baseUnit("bytes")
                .description("Off-heap memory budget of all RocksDB stores").register(r);
        KafkaStreamsMetrics ksm = new KafkaStreamsMetrics(app.streams());
        ksm.bindTo(r);
        Ownership ownership = app.ownership();
        KafkaStreams streams = app.streams();
        metrics.partitionStats(new PartitionStats() {
            @Override
            public List<Partition> partitions() {
                return ownership.partitions().stream().map(p -> new Partition(p.partition(),
                        p.role().name().toLowerCase(Locale.ROOT), p.appliedLsn(), p.lag())).toList();
            }

            @Override
            public long storeBytes() {
                return sstBytes(streams);
            }
        });
        return new StreamsBinding(ksm);
    }

    /**
     * Bytes held by the RocksDB stores: {@code total-sst-files-size} plus {@code cur-size-all-mem-tables}
     * summed over the stores; -1 if Streams reports neither.
     */
    static long sstBytes(KafkaStreams streams) {
        long sum = -1;
        for (Metric m : streams.metrics().values()) {
            String name = m.metricName().name();
            if (("total-sst-files-size".equals(name) || "cur-size-all-mem-tables".equals(name))
                    && m.metricValue() instanceof Number n) {
                sum = Math.max(sum, 0) + n.longValue();
            }
        }
        return sum;
    }

    private static void counter(MeterRegistry r, String name, String description, ApplyCounters c,
                                ToLongFunction<ApplyCounters> f) {
        FunctionCounter.builder(name, c, x -> f.applyAsLong(x)).description(description).register(r);
    }

    private static void skipped(MeterRegistry r, String reason, ApplyCounters c, ToLongFunction<ApplyCounters> f) {
        FunctionCounter.builder("se.wal.skipped", c, x -> f.applyAsLong(x)).tag("reason", reason)
                .description("WAL input skipped and counted, by reason").register(r);
    }

    @Override
    public void close() {
        kafkaStreamsMetrics.close();
    }
}
