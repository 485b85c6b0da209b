/**
 * Relation metadata on the producer side: {@link RelationStateLoader} rebuilds a timeline's
 * relation fork sizes from the relations topic, so that a restarted PostgreSQL WAL ingest resumes
 * its {@code RelationTracker} exactly where the published state stands. Publishing itself is in
 * {@code WalPublisher} (same transactions as the WAL frames).
 */
package io.storageengine.ingest.relations;
