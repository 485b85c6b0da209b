/**
 * Relation metadata from PostgreSQL 15 WAL: which relation forks exist and how many blocks each
 * has after every record, as PostgreSQL's own redo would leave them ({@code smgrnblocks} on a
 * standby that replayed the same WAL).
 *
 * <p>{@link RelationRecords} parses the main data of the records that change relation files
 * without touching a page (Storage CREATE/TRUNCATE, Transaction COMMIT/ABORT and their PREPARED
 * forms with dropped relfilenodes, Database CREATE/DROP) into {@link RelationChange}s, and turns
 * every block reference into a write of that block. {@link RelationTracker} is the pure function
 * state × record → {@link io.storageengine.schemas.relation.RelationSize} changes that ingest
 * publishes to the relations topic. It must see the whole WAL of a timeline in order, which is
 * why it runs in ingest and not on the page partitions.
 *
 * <p>Main data is little-endian, as PostgreSQL writes it on the machines it supports here.
 */
package io.storageengine.postgres.wal.rel;
