/**
 * What heap records do to pages that are not their block references: the visibility-map bits
 * PostgreSQL's heap redo clears implicitly ({@link io.storageengine.postgres.wal.heap.VmClearTargets}).
 * Ingest keys a VM_OF_BLOCK PG_RECORD frame by each such page (WAL format 1.2), the relation
 * tracker counts the VM fork extension that redo performs, and the redo engine replays the clears.
 * Stateless.
 */
package io.storageengine.postgres.wal.heap;
