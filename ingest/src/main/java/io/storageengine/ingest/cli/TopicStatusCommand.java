package io.storageengine.ingest.cli;

import io.storageengine.ingest.config.IngestConfig;
import io.storageengine.schemas.kafka.WalRecordCodec;
import io.storageengine.schemas.wal.Lsn;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * {@code topic-status [--bootstrap B] [--topic wal] [--json]}: per partition of the WAL topic, its
 * offsets and record count (end − start offset, control records included) and the newest committed
 * WATERMARK LSN of each timeline, found by reading back from the end in growing windows (up to
 * {@code --max-scan} offsets per partition). Uses an assigned consumer, no group. Single-threaded.
 */
final class TopicStatusCommand {
    static final String USAGE = "topic-status [--bootstrap HOST:PORT] [--topic wal] [--max-scan N] [--json]";

    private TopicStatusCommand() {
    }

    /** One partition's status. */
    record PartitionStatus(int partition, long start, long end, Map<String, String> watermarks) {
    }

    static int run(String[] argv, PrintStream out, PrintStream err) {
        Args a = new Args(argv, 1, Set.of("bootstrap", "topic", "max-scan"), Set.of("json"));
        IngestConfig config = IngestConfig.load();
        String bootstrap = a.get("bootstrap", config.kafka().bootstrap());
        String topic = a.get("topic", config.kafka().topic());
        long maxScan = a.getLong("max-scan", 200_000);
        List<PartitionStatus> result;
        try {
            result = status(bootstrap, topic, maxScan);
        } catch (RuntimeException e) {
            err.println("topic-status: " + e.getMessage());
            return 3;
        }
        if (result == null) {
            err.println("topic-status: topic " + topic + " does not exist at " + bootstrap);
            return 1;
        }
        if (a.has("json")) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (PartitionStatus p : result) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("partition", p.partition());
                m.put("start_offset", p.start());
                m.put("end_offset", p.end());
                m.put("records", p.end() - p.start());
                m.put("watermarks", p.watermarks());
                rows.add(m);
            }
            out.println(Json.line(Map.of("topic", topic, "partitions", rows)));
        } else {
            out.printf("%-9s %12s %12s %12s  %s%n", "partition", "start", "end", "records", "watermark LSN per tenant/timeline");
            for (PartitionStatus p : result) {
                StringBuilder wm = new StringBuilder();
                p.watermarks().forEach((k, v) -> wm.append(wm.isEmpty() ? "" : "  ").append(k).append('=').append(v));
                out.printf("%-9d %12d %12d %12d  %s%n", p.partition(), p.start(), p.end(), p.end() - p.start(),
                        wm.isEmpty() ? "-" : wm);
            }
        }
        return 0;
    }

    static List<PartitionStatus> status(String bootstrap, String topic, long maxScan) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = c.partitionsFor(topic, Duration.ofSeconds(15));
            if (infos == null || infos.isEmpty()) {
                return null;
            }
            List<TopicPartition> tps = infos.stream().map(i -> new TopicPartition(topic, i.partition()))
                    .sorted((x, y) -> Integer.compare(x.partition(), y.partition())).toList();
            Map<TopicPartition, Long> begin = c.beginningOffsets(tps);
            Map<TopicPartition, Long> end = c.endOffsets(tps);
            Map<TopicPartition, Map<String, Long>> wms = newestWatermarks(c, tps, begin, end, maxScan);
            List<PartitionStatus> out = new ArrayList<>();
            for (TopicPartition tp : tps) {
                Map<String, String> text = new TreeMap<>();
                wms.get(tp).forEach((k, v) -> text.put(k, Lsn.format(v)));
                out.add(new PartitionStatus(tp.partition(), begin.get(tp), end.get(tp), text));
            }
            return out;
        }
    }

    /**
     * Reads every partition back from its end in growing windows (1000 offsets, then ×4) until a
     * WATERMARK is found in it or {@code maxScan} offsets were read; all partitions in one consumer.
     */
    private static Map<TopicPartition, Map<String, Long>> newestWatermarks(KafkaConsumer<byte[], byte[]> c,
            List<TopicPartition> tps, Map<TopicPartition, Long> begin, Map<TopicPartition, Long> end, long maxScan) {
        Map<TopicPartition, Map<String, Long>> newest = new HashMap<>();
        Map<TopicPartition, Long> scannedFrom = new HashMap<>();
        for (TopicPartition tp : tps) {
            newest.put(tp, new TreeMap<>());
            scannedFrom.put(tp, end.get(tp));
        }
        long window = 1000;
        while (true) {
            Map<TopicPartition, long[]> todo = new HashMap<>(); // tp -> {from, until}
            for (TopicPartition tp : tps) {
                long e = end.get(tp), sf = scannedFrom.get(tp);
                if (newest.get(tp).isEmpty() && sf > begin.get(tp) && e - sf < maxScan) {
                    todo.put(tp, new long[] {Math.max(begin.get(tp), e - Math.min(window, maxScan)), sf});
                }
            }
            if (todo.isEmpty()) {
                return newest;
            }
            c.resume(c.paused());
            c.assign(todo.keySet());
            todo.forEach((tp, r) -> c.seek(tp, r[0]));
            long lastProgress = System.nanoTime();
            while (todo.entrySet().stream().anyMatch(en -> c.position(en.getKey()) < en.getValue()[1])) {
                var records = c.poll(Duration.ofMillis(100));
                if (!records.isEmpty()) {
                    lastProgress = System.nanoTime();
                } else if (System.nanoTime() - lastProgress > 5_000_000_000L) {
                    break; // nothing more readable (e.g. an open transaction holds the stable offset)
                }
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    long[] range = todo.get(tp);
                    if (range == null || r.offset() >= range[1]) {
                        continue;
                    }
                    if (WalRecordCodec.decode(r.key(), r.value()) instanceof WalRecordCodec.Watermark w) {
                        newest.get(tp).merge(w.timeline().toString(), w.lsn(), Lsn::max);
                    }
                }
                c.pause(todo.keySet().stream().filter(tp -> c.position(tp) >= todo.get(tp)[1]).toList());
            }
            todo.forEach((tp, r) -> scannedFrom.put(tp, r[0]));
            window *= 4;
        }
    }
}
