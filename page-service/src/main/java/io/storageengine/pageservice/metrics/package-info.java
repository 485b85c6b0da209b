/**
 * Micrometer metrics of the page service, exposed in Prometheus text format on the admin port.
 * One registry per process, created in {@code Main} and shared by the HTTP layer and the streams side
 * (which binds its numbers with {@code streams.StreamsBinding}). Depends on no other page-service
 * package, so every layer may report into it.
 */
package io.storageengine.pageservice.metrics;
