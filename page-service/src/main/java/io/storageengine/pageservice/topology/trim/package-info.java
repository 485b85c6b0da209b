/**
 * Hot-store trimming, a second Kafka Streams processor in the page topology's task:
 * {@link io.storageengine.pageservice.topology.trim.HotTrimming} supplies one
 * {@code HotTrimProcessor} per task that shares the {@code page-versions} store with the WAL
 * processor and deletes, from a wall-clock punctuator, the versions the cold tier demonstrably
 * holds (deletes go through the store's changelog, inside the task's exactly-once transaction).
 * The cold tier is reached only through the port
 * {@link io.storageengine.pageservice.topology.trim.TrimCoverage}, which the {@code cold} package
 * implements; settings are {@link io.storageengine.pageservice.topology.trim.TrimSettings}.
 * Dependencies: {@code topology} (store names), {@code read} (version and error types), page-core
 * (chain rules); never {@code cold}. Thread-safety is documented per class.
 */
package io.storageengine.pageservice.topology.trim;
