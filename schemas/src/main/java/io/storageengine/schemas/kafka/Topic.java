package io.storageengine.schemas.kafka;

import java.util.Objects;
import org.apache.kafka.common.serialization.Serde;

/**
 * A Kafka topic with its key and value serdes: the one place a topic's wire format is named.
 * Immutable; {@link #withName} gives the same format under a configured name.
 */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {
    public Topic {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(keySerde, "keySerde");
        Objects.requireNonNull(valueSerde, "valueSerde");
    }

    public Topic<K, V> withName(String otherName) {
        return new Topic<>(otherName, keySerde, valueSerde);
    }
}
