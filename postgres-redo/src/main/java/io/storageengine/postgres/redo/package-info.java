/**
 * PostgreSQL 15 redo in the JVM: the stage that turns a page's chain of PG_RECORD frames (a
 * PostgreSQL WAL record per block reference) into PostgreSQL's own page at any LSN, for the read
 * path and image creation. {@link io.storageengine.postgres.redo.PgRedoEngine} applies one record
 * to one block (full-page image first, then the resource manager's redo; Heap, Heap2, Btree,
 * Sequence, XLOG FPI); {@link io.storageengine.postgres.redo.VisibilityMapRedo} and
 * {@link io.storageengine.postgres.redo.SmgrTruncateRedo} cover the visibility-map changes that
 * are not block references; {@link io.storageengine.postgres.redo.ConsistencyChecker} and
 * {@link io.storageengine.postgres.redo.PgVerify} check the engine against WAL written with
 * {@code wal_consistency_checking}.
 *
 * <p>Pages are {@code byte[8192]}, little-endian, modified in place. The engine is immutable and
 * thread-safe; the checker is single-threaded. Errors name the page and the record's end LSN.
 */
package io.storageengine.postgres.redo;
