package io.storageengine.pageservice.topology;

import java.util.concurrent.atomic.AtomicReferenceArray;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The {@code page-versions} store of each partition whose active task runs here, as its apply
 * processor holds it: published by {@link WalApplyProcessor#init} (Kafka Streams initialises a
 * task's processors only once its stores are restored) and withdrawn by its {@code close} (task
 * suspended, revoked, migrated or shut down), before the store closes.
 *
 * <p>Why: an interactive-query handle ({@code KafkaStreams#store}) resolves the partition's store
 * again on every call, walking the stream threads' tasks and building collections. Under 20 MB/s of
 * ingest that was 37% of a random-page read's CPU (JFR, {@code docs/page-service.md}, "Read
 * path"). A read through the handle published here goes straight to the store, the same object an
 * interactive query reaches in the end. A read racing the task's close still fails as it does
 * through an interactive query: the closed store throws {@code InvalidStateStoreException} (a 503
 * with Retry-After). Standby replicas run no processor and are read through interactive queries.
 *
 * <p>Thread-safe: one slot per partition (a fixed table of {@link #MAX_PARTITIONS}); stream
 * threads publish and withdraw, readers read lock-free.
 */
public final class ActiveStores {
    /** Partitions a page service can hold active stores of (the WAL topic's partition count is far below). */
    public static final int MAX_PARTITIONS = 4096;

    private final AtomicReferenceArray<ReadOnlyKeyValueStore<byte[], byte[]>> stores =
            new AtomicReferenceArray<>(MAX_PARTITIONS);

    /** The partition's active task is running here, reading and writing {@code store}. */
    void publish(int partition, ReadOnlyKeyValueStore<byte[], byte[]> store) {
        stores.set(checked(partition), store);
    }

    /** The active task that published {@code store} closes; a newer task's store is left in place. */
    void withdraw(int partition, ReadOnlyKeyValueStore<byte[], byte[]> store) {
        stores.compareAndSet(checked(partition), store, null);
    }

    /** The store of the partition's running active task here, or {@code null} (not active here, or not running). */
    public ReadOnlyKeyValueStore<byte[], byte[]> active(int partition) {
        return partition >= 0 && partition < MAX_PARTITIONS ? stores.get(partition) : null;
    }

    private static int checked(int partition) {
        if (partition < 0 || partition >= MAX_PARTITIONS) {
            throw new IllegalArgumentException("partition " + partition + " outside 0.." + (MAX_PARTITIONS - 1));
        }
        return partition;
    }
}
