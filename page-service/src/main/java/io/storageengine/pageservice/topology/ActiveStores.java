package io.storageengine.pageservice.topology;

import java.util.Arrays;
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
 * interactive query reaches in the end (through Kafka Streams' read-write decorator of a
 * processor's store, which only delegates). A read racing the task's close still fails as it does
 * through an interactive query: the closed store throws {@code InvalidStateStoreException} (a 503
 * with Retry-After). Standby replicas run no processor and are read through interactive queries.
 *
 * <p>Thread-safe: a copy-on-write table indexed by partition; stream threads publish and withdraw
 * under the monitor, readers read the volatile table without a lock.
 */
public final class ActiveStores {
    /** Copy-on-write (publish and withdraw are rare, reads are per page): index = partition. */
    private volatile ReadOnlyKeyValueStore<byte[], byte[]>[] stores = newTable(0);

    /** The partition's active task is running here, reading and writing {@code store}. */
    synchronized void publish(int partition, ReadOnlyKeyValueStore<byte[], byte[]> store) {
        if (partition < 0) {
            throw new IllegalArgumentException("partition " + partition + " is negative");
        }
        ReadOnlyKeyValueStore<byte[], byte[]>[] t = Arrays.copyOf(stores, Math.max(stores.length, partition + 1));
        t[partition] = store;
        stores = t;
    }

    /** The active task that published {@code store} closes; a newer task's store is left in place. */
    synchronized void withdraw(int partition, ReadOnlyKeyValueStore<byte[], byte[]> store) {
        if (active(partition) == store && store != null) {
            ReadOnlyKeyValueStore<byte[], byte[]>[] t = stores.clone();
            t[partition] = null;
            stores = t;
        }
    }

    /** The store of the partition's running active task here, or {@code null} (not active here, or not running). */
    public ReadOnlyKeyValueStore<byte[], byte[]> active(int partition) {
        ReadOnlyKeyValueStore<byte[], byte[]>[] t = stores;
        return partition >= 0 && partition < t.length ? t[partition] : null;
    }

    @SuppressWarnings("unchecked")
    private static ReadOnlyKeyValueStore<byte[], byte[]>[] newTable(int size) {
        return (ReadOnlyKeyValueStore<byte[], byte[]>[]) new ReadOnlyKeyValueStore<?, ?>[size];
    }
}
