package io.storageengine.pageservice;

import io.storageengine.pageservice.topology.ReferenceModel;
import io.storageengine.pageservice.topology.SyntheticWal;
import io.storageengine.schemas.kafka.Partitioning;
import io.storageengine.schemas.timeline.TimelineKey;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The continuous ingest of the fault ITs: a thread sends a {@link SyntheticWal}'s events, one every
 * 5 ms (about 200 per second), with an idempotent acks=all producer (a page record to its page's
 * partition, a watermark to every partition), and tracks the newest watermark LSN acknowledged on
 * every partition, which is what readers may ask for. Counts failed sends and keeps the first.
 * Thread-safe getters; {@link #close} stops sending and closes the producer.
 */
final class PacedWalIngest implements AutoCloseable {
    private static final long INTERVAL_NANOS = 5_000_000L;

    /**
     * A fault IT's whole WAL, generated up front so that its reference model is complete and
     * read-only while threads use it: {@code records} page records over {@code pages} pages of
     * {@code timeline} ({@link SyntheticWal#randomRun}), then a watermark at {@code finalLsn};
     * {@code expectedRecords} counts a watermark once per partition, as it is published.
     */
    record Workload(List<SyntheticWal.Event> events, ReferenceModel model, long finalLsn, long expectedRecords) {
        static Workload generate(TimelineKey timeline, long seed, long startLsn, int pages, int records,
                                 double imageRatio, int watermarkEvery, int partitions) {
            SyntheticWal wal = new SyntheticWal(seed, startLsn);
            wal.randomRun(timeline, pages, records, imageRatio, watermarkEvery);
            long finalLsn = wal.lsn() + 10;
            wal.watermark(timeline, finalLsn);
            List<SyntheticWal.Event> events = wal.drain();
            long expected = events.stream().mapToLong(e -> e.key().length == TimelineKey.SIZE ? partitions : 1).sum();
            return new Workload(events, wal.model(), finalLsn, expected);
        }
    }

    private final KafkaProducer<byte[], byte[]> producer;
    private final Thread thread;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong ackedLsn = new AtomicLong();
    private final AtomicInteger sendFailures = new AtomicInteger();
    private final AtomicReference<Exception> firstFailure = new AtomicReference<>();

    /** Starts sending {@code events} to {@code topic} ({@code partitions} partitions); {@code config}: the producer's, serializers added. */
    PacedWalIngest(String threadName, Map<String, Object> config, String topic, int partitions,
                   List<SyntheticWal.Event> events) {
        Map<String, Object> c = new HashMap<>(config);
        c.putIfAbsent(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        c.putIfAbsent(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        c.put(ProducerConfig.ACKS_CONFIG, "all");
        c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        this.producer = new KafkaProducer<>(c);
        this.thread = Thread.ofPlatform().name(threadName).start(() -> send(topic, partitions, events));
    }

    private void send(String topic, int partitions, List<SyntheticWal.Event> events) {
        long t0 = System.nanoTime();
        for (int i = 0; i < events.size() && !stop.get(); i++) {
            SyntheticWal.Event e = events.get(i);
            long wait = t0 + i * INTERVAL_NANOS - System.nanoTime();
            if (wait > 0 && !sleepNanos(wait)) {
                return;
            }
            int copies = e.key().length == TimelineKey.SIZE ? partitions : 1;
            AtomicInteger left = new AtomicInteger(copies);
            for (int c = 0; c < copies; c++) {
                int p = copies == 1 ? Partitioning.partitionOf(e.key(), partitions) : c;
                producer.send(new ProducerRecord<>(topic, p, e.key(), e.value()), (md, ex) -> {
                    if (ex != null) {
                        sendFailures.incrementAndGet();
                        firstFailure.compareAndSet(null, ex);
                    } else if (left.decrementAndGet() == 0 && copies > 1) {
                        ackedLsn.accumulateAndGet(e.lsn(), Math::max);
                    }
                });
            }
        }
        try {
            producer.flush();
        } catch (org.apache.kafka.common.errors.InterruptException stopped) {
            // closed while flushing
        }
    }

    /** Sleeps; false if interrupted (the flag is set again). */
    static boolean sleepNanos(long nanos) {
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The newest watermark LSN acknowledged on every partition (0 before the first). */
    long ackedLsn() {
        return ackedLsn.get();
    }

    int sendFailures() {
        return sendFailures.get();
    }

    Exception firstFailure() {
        return firstFailure.get();
    }

    /** Waits up to {@code millis} for every event to be sent and flushed; true when done. */
    boolean await(long millis) throws InterruptedException {
        thread.join(millis);
        return !thread.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        stop.set(true);
        thread.interrupt();
        thread.join(30_000);
        producer.close();
    }
}
