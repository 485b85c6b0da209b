/**
 * Details of the PostgreSQL WAL reader: format constants ({@link io.storageengine.postgres.wal.internal.XLog}),
 * our own pglz decompressor ({@link io.storageengine.postgres.wal.internal.Pglz}) and the bindings of
 * the LZ4 and zstd libraries. Stateless and thread-safe.
 */
package io.storageengine.postgres.wal.internal;
