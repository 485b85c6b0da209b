/**
 * The PostgreSQL catalog of the cold tier ({@link io.storageengine.segments.catalog.Catalog}): which
 * segments exist and are active, which Kafka offsets they cover, which worker owns each partition's
 * compaction (leases with epochs for fencing), timelines' GC horizons, and compaction history.
 * Schema: {@code src/main/resources/db/migration}. Every write is one transaction, idempotent, and
 * (for workers) checked against the writer's lease epoch.
 */
package io.storageengine.segments.catalog;
