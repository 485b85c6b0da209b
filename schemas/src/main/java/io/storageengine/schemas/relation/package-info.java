/**
 * Relation metadata on the wire: which relation forks exist and how many blocks each has, as of an
 * LSN. Producers derive it from the whole WAL of a timeline in order (page records alone cannot:
 * they are spread over partitions, and create/truncate/drop records touch no page) and publish it
 * to the {@code <wal>-relations} topic ({@code kafka.RelationTopic#nameFor}) in the same Kafka
 * transactions as the WAL frames.
 *
 * <p>{@link RelFork} names a relation fork (13 bytes), {@link RelationKey} is the topic's key
 * (45 bytes, or the 32-byte timeline key of a watermark), {@link RelationRecord} its value (a size
 * change or a watermark, 18 bytes with a CRC-32C). {@link RelationSize} is one size change as a
 * producer computes it. All types are immutable.
 */
package io.storageengine.schemas.relation;
