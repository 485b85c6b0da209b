/**
 * WAL format 1.1: frames ({@link io.storageengine.schemas.wal.FrameCodec},
 * {@link io.storageengine.schemas.wal.WalFormat} names every offset once), record types and
 * {@link io.storageengine.schemas.wal.Lsn}. Stateless and immutable.
 */
package io.storageengine.schemas.wal;
