/** Micrometer meters of ingest ({@link io.storageengine.ingest.metrics.IngestMetrics}); with {@code --metrics-port} the runtime library's admin server serves them at {@code /metrics}. */
package io.storageengine.ingest.metrics;
