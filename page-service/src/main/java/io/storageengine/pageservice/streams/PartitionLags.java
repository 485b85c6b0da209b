package io.storageengine.pageservice.streams;

import io.storageengine.pageservice.topology.PageTopology;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.LagInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-partition lags of this instance, refreshed in the background (about once a second) because
 * measuring them costs broker round trips: the WAL consumer's {@code records-lag} for active
 * partitions and the {@code page-versions} changelog lag for standby replicas. Readers get the last
 * snapshot without blocking. Thread-safe: one immutable snapshot behind a volatile reference.
 */
final class PartitionLags {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionLags.class);

    private record Snapshot(Map<Integer, Long> source, Map<Integer, Long> changelog) {
    }

    private final KafkaStreams streams;
    private final String walTopic;
    private volatile Snapshot snapshot = new Snapshot(Map.of(), Map.of());

    PartitionLags(KafkaStreams streams, String walTopic) {
        this.streams = streams;
        this.walTopic = walTopic;
    }

    /** Records the active task of {@code partition} is behind the WAL's end, or -1 if unknown. */
    long sourceLag(int partition) {
        return snapshot.source().getOrDefault(partition, -1L);
    }

    /** Records the local {@code page-versions} replica of {@code partition} is behind its changelog, or -1. */
    long changelogLag(int partition) {
        return snapshot.changelog().getOrDefault(partition, -1L);
    }

    /** Takes new measurements; called by one scheduler thread. */
    void refresh() {
        try {
            Map<Integer, Long> changelog = new HashMap<>();
            Map<Integer, LagInfo> lags = streams.allLocalStorePartitionLags().get(PageTopology.PAGE_VERSIONS_STORE);
            if (lags != null) {
                lags.forEach((p, info) -> changelog.put(p, info.offsetLag()));
            }
            Map<Integer, Long> source = new HashMap<>();
            for (Map.Entry<MetricName, ? extends Metric> e : streams.metrics().entrySet()) {
                MetricName n = e.getKey();
                if ("records-lag".equals(n.name()) && walTopic.equals(n.tags().get("topic"))
                        && n.tags().containsKey("partition")) {
                    Object v = e.getValue().metricValue();
                    if (v instanceof Number num && !Double.isNaN(num.doubleValue())) {
                        source.put(Integer.parseInt(n.tags().get("partition")), num.longValue());
                    }
                }
            }
            snapshot = new Snapshot(Map.copyOf(source), Map.copyOf(changelog));
        } catch (RuntimeException e) {
            LOG.debug("lag refresh failed: {}", e.toString());
        }
    }
}
