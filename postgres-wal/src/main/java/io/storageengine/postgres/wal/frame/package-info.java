/**
 * PG_RECORD frames (type 0x04 of the WAL format, version 1.1): one frame per block reference of a
 * PostgreSQL record, keyed by that page, at the record's end LSN.
 *
 * <p>Payload: PageRef (17 bytes, big-endian: spc, db, rel, fork, block) | u8 blockId | u8 flags
 * (bit 0 WILL_INIT, bit 1 REDUCED) | u16 pgMajor (15, big-endian) | the PostgreSQL record
 * ({@code xl_tot_len} bytes, little-endian as in the WAL; with REDUCED the other blocks' images
 * are stripped). {@link io.storageengine.postgres.wal.frame.PgRecordFrames} builds them,
 * {@link io.storageengine.postgres.wal.frame.PgRecordPayload} parses and checks one.
 * Stateless apart from the counters of {@link io.storageengine.postgres.wal.frame.FrameStats}
 * (single-threaded).
 */
package io.storageengine.postgres.wal.frame;
