/**
 * The Kafka Streams application of the page service: its lifecycle ({@code PageStreamsApp}, built
 * from the typed {@code StreamsSettings}, on the hot store's shared RocksDB memory budget from
 * {@code hotstore}), interactive-query access to the stores for the read path that {@code Main}
 * composes ({@code StreamsStoreAccess}), and who serves which page ({@code StreamsOwnership}, the
 * implementation of {@code ownership.Ownership}: Kafka Streams metadata, {@code application.server},
 * standby lag), plus readiness and per-partition progress for health and metrics.
 */
package io.storageengine.pageservice.streams;
