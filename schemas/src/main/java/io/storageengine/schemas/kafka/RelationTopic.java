package io.storageengine.schemas.kafka;

import io.storageengine.schemas.relation.RelationKey;
import io.storageengine.schemas.relation.RelationRecord;
import org.apache.kafka.common.serialization.Serde;

/**
 * The relations topic as Kafka sees it: relation fork sizes and existence by LSN, derived by the
 * producer from the whole WAL of a timeline ({@code relation} package), written in the same
 * transactions as the WAL frames.
 *
 * <pre>
 * size change:  key = tenant(16) | timeline(16) | RelFork(13)   (45 bytes, {@link RelationKey}),
 *               default partitioner; value = a SIZE {@link RelationRecord} (18 bytes, CRC-32C)
 * WATERMARK:    key = tenant(16) | timeline(16), sent explicitly to every partition;
 *               value = a WATERMARK {@link RelationRecord}
 * </pre>
 * Its name follows the WAL topic's ({@link #nameFor}): {@code wal} pairs with {@code wal-relations}.
 * Retention must keep every record (sizes are state, not a window of changes): create it with
 * {@code retention.ms=-1}; one partition is enough. Stateless.
 */
public final class RelationTopic {
    /** The relations topic of the default WAL topic {@code wal}. */
    public static final String DEFAULT_NAME = nameFor("wal");
    /** Serde of the keys (stateless, thread-safe). */
    public static final Serde<RelationKey> KEY_SERDE = new RelationKeySerde();
    /** Serde of the values (stateless, thread-safe; the CRC is checked on read). */
    public static final Serde<RelationRecord> VALUE_SERDE = new RelationRecordSerde();

    private RelationTopic() {
    }

    /** The relations topic paired with WAL topic {@code walTopic}: {@code <walTopic>-relations}. */
    public static String nameFor(String walTopic) {
        return walTopic + "-relations";
    }
}
