/**
 * The worker runtime: config, the WAL consumer (L0), the compaction loop, leases, GC file
 * deletion, metrics and the admin HTTP server, wired by {@link io.storageengine.compactor.worker.CompactorWorker}.
 */
package io.storageengine.compactor.worker;
