package io.storageengine.pageservice.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

class PagePartitionerTest {
    @Test
    void routesEveryPageKeyToThePartitionTheProducersDefaultPartitionerPicks() {
        PagePartitioner partitioner = new PagePartitioner();
        Random r = new Random(3);
        for (int i = 0; i < 5_000; i++) {
            byte[] key = new byte[49];
            r.nextBytes(key);
            int n = 1 + r.nextInt(64);
            assertThat(partitioner.partitions("wal", key, null, n))
                    .isEqualTo(Optional.of(Set.of(BuiltInPartitioner.partitionForKey(key, n))));
        }
    }
}
