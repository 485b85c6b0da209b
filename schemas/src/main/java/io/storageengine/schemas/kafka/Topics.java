package io.storageengine.schemas.kafka;

import org.apache.kafka.common.serialization.Serdes;

/**
 * The topics of the system, one immutable constant each.
 *
 * <p>{@link #WAL}: every WAL record of every timeline. Key {@link WalKey} (49-byte page key, or
 * 32-byte timeline key for WATERMARK records sent to every partition); value exactly one WAL
 * frame, CRC included, so a record is checked end to end. The name is a default; deployments
 * may configure another with {@link Topic#withName}.
 */
public final class Topics {
    public static final Topic<WalKey, byte[]> WAL = new Topic<>("wal", new WalKeySerde(), Serdes.ByteArray());

    private Topics() {
    }
}
