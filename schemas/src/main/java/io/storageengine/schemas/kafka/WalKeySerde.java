package io.storageengine.schemas.kafka;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** Serde for {@link WalKey}. Stateless and thread-safe. */
public final class WalKeySerde implements Serde<WalKey> {
    @Override
    public Serializer<WalKey> serializer() {
        return (topic, key) -> key == null ? null : key.toBytes();
    }

    @Override
    public Deserializer<WalKey> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                return WalKey.fromBytes(bytes);
            } catch (IllegalArgumentException e) {
                throw new SerializationException(e.getMessage(), e);
            }
        };
    }
}
