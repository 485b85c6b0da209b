/**
 * The wire formats of storage-engine and nothing else: the WAL frame codec ({@code wal}), the
 * 128-bit ids ({@code timeline}), page references, store keys and the page-apply rules
 * ({@code page}), Kafka topics and serdes ({@code kafka}). No broker, HTTP or JDBC code lives here;
 * every other module builds on these types. All types are immutable or stateless.
 */
package io.storageengine.schemas;
