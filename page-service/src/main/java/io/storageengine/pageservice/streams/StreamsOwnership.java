package io.storageengine.pageservice.streams;

import io.storageengine.pageservice.ownership.Ownership;
import io.storageengine.pageservice.topology.PageTopology;
import io.storageengine.pageservice.topology.PartitionMarks;
import io.storageengine.pageservice.topology.WatermarkRegistry;
import io.storageengine.schemas.kafka.Partitioning;
import io.storageengine.schemas.page.PageKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.state.HostInfo;

/**
 * {@link Ownership} from Kafka Streams metadata: {@code queryMetadataForKey} on the
 * {@code page-versions} store with the 49-byte page key and {@link PagePartitioner} (the store's
 * 57-byte keys would hash elsewhere), compared with this instance's {@code application.server}.
 *
 * <p>Policy: active here and processing → {@link Ownership.Local} ACTIVE, decided without the
 * metadata while the partition's apply processor runs here ({@link PartitionMarks#activeStore()}:
 * it is initialised after the task's restore and closed before a rebalance hands the partition
 * to another instance, so the metadata could only say the same; {@code queryMetadataForKey}
 * costs about 5% of a hot read); else a standby replica
 * here within {@code standbyReadMaxLag} records → {@link Ownership.Local} STANDBY (the reader still
 * waits for the standby's watermark, so a stale replica answers late, never wrong); else an active
 * host elsewhere → {@link Ownership.Remote}; else {@link Ownership.Unavailable}. Thread-safe.
 */
final class StreamsOwnership implements Ownership {
    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    private final KafkaStreams streams;
    private final WatermarkRegistry registry;
    private final HostInfo self;
    private final int partitionCount;
    private final long standbyReadMaxLag;
    private final PartitionLags lags;
    private final PagePartitioner partitioner = new PagePartitioner();

    StreamsOwnership(KafkaStreams streams, WatermarkRegistry registry, HostInfo self, int partitionCount,
            long standbyReadMaxLag, PartitionLags lags) {
        this.streams = streams;
        this.registry = registry;
        this.self = self;
        this.partitionCount = partitionCount;
        this.standbyReadMaxLag = standbyReadMaxLag;
        this.lags = lags;
    }

    @Override
    public Owner ownerOf(PageKey key) {
        byte[] pageKey = key.toBytes();
        int partition = Partitioning.partitionOf(pageKey, partitionCount);
        KafkaStreams.State state = streams.state();
        if (state != KafkaStreams.State.RUNNING && state != KafkaStreams.State.REBALANCING) {
            return new Unavailable(partition, RETRY_AFTER, "page service streams are " + state);
        }
        PartitionMarks marks = registry.partition(partition);
        PartitionMarks.Role role = marks == null ? null : marks.role();
        if (role == PartitionMarks.Role.ACTIVE && marks.activeStore() != null) {
            return new Local(partition, PartitionMarks.Role.ACTIVE); // the task runs here: see the class comment
        }
        KeyQueryMetadata md;
        try {
            md = streams.queryMetadataForKey(PageTopology.PAGE_VERSIONS_STORE, pageKey, partitioner);
        } catch (RuntimeException e) {
            return new Unavailable(partition, RETRY_AFTER, "no routing metadata: " + e.getMessage());
        }
        if (md == null || md == KeyQueryMetadata.NOT_AVAILABLE || md.activeHost() == null) {
            return new Unavailable(partition, RETRY_AFTER, "routing metadata not available (rebalancing)");
        }
        if (self.equals(md.activeHost())) {
            return role == PartitionMarks.Role.ACTIVE ? new Local(partition, PartitionMarks.Role.ACTIVE)
                    : new Unavailable(partition, RETRY_AFTER, "partition " + partition + " is restoring here");
        }
        if (role == PartitionMarks.Role.STANDBY && standbyReadMaxLag >= 0 && md.standbyHosts().contains(self)) {
            long lag = lags.changelogLag(partition);
            if (lag >= 0 && lag <= standbyReadMaxLag) {
                return new Local(partition, PartitionMarks.Role.STANDBY);
            }
        }
        HostInfo active = md.activeHost();
        if (active.port() < 0 || HostInfo.unavailable().equals(active)) {
            return new Unavailable(partition, RETRY_AFTER, "partition " + partition + " has no active owner now");
        }
        return new Remote(partition, active.host(), active.port());
    }

    /** Active owners from the group's metadata of the page-versions store (its partitions are the WAL's). */
    @Override
    public Routing routing() {
        KafkaStreams.State state = streams.state();
        if (state != KafkaStreams.State.RUNNING && state != KafkaStreams.State.REBALANCING) {
            return new Routing(partitionCount, Map.of());
        }
        Map<Integer, String> owners = new HashMap<>();
        try {
            for (StreamsMetadata md : streams.streamsMetadataForStore(PageTopology.PAGE_VERSIONS_STORE)) {
                HostInfo h = md.hostInfo();
                if (h == null || h.port() < 0 || HostInfo.unavailable().equals(h)) {
                    continue;
                }
                for (TopicPartition tp : md.topicPartitions()) {
                    owners.put(tp.partition(), h.host() + ":" + h.port());
                }
            }
        } catch (RuntimeException e) {
            return new Routing(partitionCount, Map.of()); // no metadata now: clients fall back to any instance
        }
        return new Routing(partitionCount, owners);
    }

    @Override
    public boolean ready() {
        if (streams.state() != KafkaStreams.State.RUNNING) {
            return false;
        }
        for (ThreadMetadata thread : streams.metadataForLocalThreads()) {
            for (TaskMetadata task : thread.activeTasks()) {
                for (TopicPartition tp : task.topicPartitions()) {
                    PartitionMarks marks = registry.partition(tp.partition());
                    if (marks == null || marks.role() != PartitionMarks.Role.ACTIVE) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    @Override
    public List<PartitionStatus> partitions() {
        List<PartitionStatus> out = new ArrayList<>();
        for (int p : registry.activePartitions()) {
            out.add(status(p, PartitionMarks.Role.ACTIVE, lags.sourceLag(p)));
        }
        for (int p : registry.standbyPartitions()) {
            out.add(status(p, PartitionMarks.Role.STANDBY, lags.changelogLag(p)));
        }
        out.sort((a, b) -> Integer.compare(a.partition(), b.partition()));
        return out;
    }

    private PartitionStatus status(int p, PartitionMarks.Role role, long lag) {
        PartitionMarks marks = registry.partition(p);
        return new PartitionStatus(p, role, marks == null ? 0 : marks.maxApplied(), lag);
    }
}
