package io.storageengine.schemas.kafka;

import io.storageengine.schemas.relation.RelationRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** Serde for {@link RelationRecord} (18 bytes, CRC checked on read). Stateless and thread-safe. */
public final class RelationRecordSerde implements Serde<RelationRecord> {
    @Override
    public Serializer<RelationRecord> serializer() {
        return (topic, value) -> value == null ? null : value.encode();
    }

    @Override
    public Deserializer<RelationRecord> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                return RelationRecord.decode(bytes);
            } catch (IllegalArgumentException e) {
                throw new SerializationException(e.getMessage(), e);
            }
        };
    }
}
