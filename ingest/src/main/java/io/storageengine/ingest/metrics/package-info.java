/** Micrometer meters of ingest and the optional Prometheus endpoint. */
package io.storageengine.ingest.metrics;
