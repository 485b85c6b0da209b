package io.storageengine.pageservice.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.Test;

class ActiveStoresTest {

    /** A distinct store object; ActiveStores only holds and compares handles. */
    private static ReadOnlyKeyValueStore<byte[], byte[]> store() {
        return new ReadOnlyKeyValueStore<>() {
            @Override
            public byte[] get(byte[] key) {
                throw new UnsupportedOperationException();
            }

            @Override
            public KeyValueIterator<byte[], byte[]> range(byte[] from, byte[] to) {
                throw new UnsupportedOperationException();
            }

            @Override
            public KeyValueIterator<byte[], byte[]> all() {
                throw new UnsupportedOperationException();
            }

            @Override
            public long approximateNumEntries() {
                return 0;
            }
        };
    }

    @Test
    void aClosingTaskWithdrawsOnlyItsOwnStoreNotTheOneThatReplacedIt() {
        ActiveStores stores = new ActiveStores();
        ReadOnlyKeyValueStore<byte[], byte[]> old = store();
        ReadOnlyKeyValueStore<byte[], byte[]> replacement = store();
        stores.publish(5, old);
        assertThat(stores.active(5)).isSameAs(old);
        stores.publish(5, replacement); // the partition's task re-initialised before the old close ran
        stores.withdraw(5, old);
        assertThat(stores.active(5)).isSameAs(replacement);
        stores.withdraw(5, replacement);
        assertThat(stores.active(5)).isNull();
    }

    @Test
    void theTableGrowsToAnyPartitionAndNegativeOnesAreRefused() {
        ActiveStores stores = new ActiveStores();
        assertThat(stores.active(-1)).isNull();
        assertThat(stores.active(0)).isNull();
        ReadOnlyKeyValueStore<byte[], byte[]> far = store();
        stores.publish(10_000, far);
        assertThat(stores.active(10_000)).isSameAs(far);
        assertThat(stores.active(9_999)).isNull();
        assertThat(stores.active(10_001)).isNull();
        ReadOnlyKeyValueStore<byte[], byte[]> near = store();
        stores.publish(3, near);
        assertThat(stores.active(3)).isSameAs(near);
        assertThat(stores.active(10_000)).as("growing keeps what was published").isSameAs(far);
        assertThatThrownBy(() -> stores.publish(-1, store()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("partition -1");
    }
}
