/**
 * The wire formats of storage-engine and nothing else: the WAL frame codec ({@code wal}), the
 * 128-bit ids ({@code timeline}), page references, store keys and page record validation
 * ({@code page}), the Kafka record codec and partitioning ({@code kafka}). No broker, HTTP or JDBC code lives here;
 * every other module builds on these types. All types are immutable or stateless.
 */
package io.storageengine.schemas;
