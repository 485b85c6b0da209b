/**
 * Relation size and existence at an LSN (page-api.md 1.1, "Relation size and existence"), served
 * from the {@code <wal>-relations} topic that ingest writes in the same Kafka transactions as the
 * WAL frames.
 *
 * <p>Every instance follows the whole topic ({@link RelationFollower}, a plain read_committed
 * consumer, no group) into memory ({@link RelationHistory}: per timeline and relation fork, the
 * sizes by LSN, bounded as described there), so any instance answers any relation request
 * without forwarding. {@link RelationReader} applies the page read's rules: wait until the
 * timeline's relation history is complete up to the LSN (every partition of the topic has a
 * relation WATERMARK ≥ it), 410 below the GC horizon, 404 for an unknown timeline, 503 while the
 * history is loading.
 */
package io.storageengine.pageservice.relations;
