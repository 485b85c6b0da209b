package io.storageengine.schemas.kafka;

import io.storageengine.schemas.relation.RelationKey;
import io.storageengine.schemas.relation.RelationRecord;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The topics of the system, one immutable constant each.
 *
 * <p>{@link #WAL}: every WAL record of every timeline. Key {@link WalKey} (49-byte page key, or
 * 32-byte timeline key for WATERMARK records sent to every partition); value exactly one WAL
 * frame, CRC included, so a record is checked end to end. The name is a default; deployments
 * may configure another with {@link Topic#withName}.
 *
 * <p>{@link #RELATIONS}: relation fork sizes and existence by LSN, derived by the producer from the
 * whole WAL of a timeline ({@code relation} package). Key {@link RelationKey} (45 bytes, or the
 * 32-byte timeline key of a WATERMARK sent to every partition); value a {@link RelationRecord}.
 * Its name follows the WAL topic's ({@link #relationsFor}): {@code wal} pairs with
 * {@code wal-relations}. Retention must keep every record (relation sizes are state, not a
 * window of changes): create it with {@code retention.ms=-1}; one partition is enough.
 */
public final class Topics {
    public static final Topic<WalKey, byte[]> WAL = new Topic<>("wal", new WalKeySerde(), Serdes.ByteArray());

    public static final Topic<RelationKey, RelationRecord> RELATIONS =
            new Topic<>(relationsFor(WAL.name()), new RelationKeySerde(), new RelationRecordSerde());

    private Topics() {
    }

    /** The relations topic paired with WAL topic {@code walTopic}: {@code <walTopic>-relations}. */
    public static String relationsFor(String walTopic) {
        return walTopic + "-relations";
    }

    /** {@link #RELATIONS} under the name paired with {@code walTopic}. */
    public static Topic<RelationKey, RelationRecord> relations(String walTopic) {
        return RELATIONS.withName(relationsFor(walTopic));
    }
}
