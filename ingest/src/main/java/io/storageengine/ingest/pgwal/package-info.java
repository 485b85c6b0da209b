/**
 * PostgreSQL WAL as an ingest source: segment files (a {@code pg_wal} copy or an archive) read
 * with the {@code postgres-wal} module's {@code XLogReader}, each record turned into PG_RECORD
 * frames (one per block reference, at the record's end LSN) or an LSN advance, and handed to the
 * {@link io.storageengine.ingest.publish.WalPublisher} (transactions, WATERMARKs, fencing).
 * Single-threaded per run; cancellable by interrupting the running thread.
 */
package io.storageengine.ingest.pgwal;
