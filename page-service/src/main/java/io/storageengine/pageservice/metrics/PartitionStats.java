package io.storageengine.pageservice.metrics;

import java.util.List;

/**
 * What the streams side reports for metrics: per assigned partition the applied LSN and the lag
 * (records behind the log end), and the hot store's size. Implementations are thread-safe and
 * cheap; they are polled at every scrape.
 */
public interface PartitionStats {

    /**
     * One partition's progress: {@code role} {@code active} or {@code standby}, {@code appliedLsn}
     * the raw unsigned LSN value, {@code lag} in records (-1 unknown).
     */
    record Partition(int partition, String role, long appliedLsn, long lag) {
    }

    List<Partition> partitions();

    /** Estimated bytes in the hot store, or -1 if unknown. */
    long storeBytes();

    /** No partitions, size unknown: before the streams side is wired. */
    PartitionStats NONE = new PartitionStats() {
        @Override
        public List<Partition> partitions() {
            return List.of();
        }

        @Override
        public long storeBytes() {
            return -1;
        }
    };
}
