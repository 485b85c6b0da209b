package io.storageengine.schemas.kafka;

import io.storageengine.schemas.relation.RelationKey;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** Serde for {@link RelationKey}. Stateless and thread-safe. */
public final class RelationKeySerde implements Serde<RelationKey> {
    @Override
    public Serializer<RelationKey> serializer() {
        return (topic, key) -> key == null ? null : key.toBytes();
    }

    @Override
    public Deserializer<RelationKey> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                return RelationKey.fromBytes(bytes);
            } catch (IllegalArgumentException e) {
                throw new SerializationException(e.getMessage(), e);
            }
        };
    }
}
