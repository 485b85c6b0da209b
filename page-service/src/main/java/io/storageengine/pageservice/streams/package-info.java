/**
 * The Kafka Streams application of the page service: its lifecycle ({@code PageStreamsApp}, built
 * from the typed {@code StreamsSettings}), the bounded RocksDB memory (one shared LRU cache and
 * write-buffer manager per application, {@code BoundedMemoryRocksDbConfig}), and who serves which
 * page ({@code Ownership}: Kafka Streams metadata, {@code application.server}, standby lag), plus
 * readiness and per-partition progress for health and metrics.
 */
package io.storageengine.pageservice.streams;
