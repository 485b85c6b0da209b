/**
 * PostgreSQL 15 write-ahead log, read in Java: the first stage of the PostgreSQL ingest path
 * (WAL files or physical replication → records → PG_RECORD frames → Kafka).
 *
 * <p>{@link io.storageengine.postgres.wal.DecodedRecord} parses one {@code XLogRecord} (little-endian,
 * layout of {@code access/xlogrecord.h}, checks of {@code xlogreader.c DecodeXLogRecord}) into
 * block references ({@link io.storageengine.postgres.wal.BlockRef}), full-page images
 * ({@link io.storageengine.postgres.wal.BlockImage}: pglz, LZ4, zstd, hole), main data and the origin
 * and top-level xid fields; {@link io.storageengine.postgres.wal.ResourceManager} names records as
 * {@code pg_waldump} does. The XLOG page reader and the segment-file source build on it.
 *
 * <p>Every value type here is immutable and thread-safe; readers are single-threaded. Malformed
 * bytes raise {@link io.storageengine.postgres.wal.WalFormatException}, which names the LSN.
 */
package io.storageengine.postgres.wal;
