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
    void partitionsOutsideTheTableAreNeverActiveAndCannotBePublished() {
        ActiveStores stores = new ActiveStores();
        assertThat(stores.active(-1)).isNull();
        assertThat(stores.active(ActiveStores.MAX_PARTITIONS)).isNull();
        assertThatThrownBy(() -> stores.publish(ActiveStores.MAX_PARTITIONS, store()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("partition 4096");
    }
}
