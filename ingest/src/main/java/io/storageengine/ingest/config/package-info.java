/** Typed ingest configuration ({@link io.storageengine.ingest.config.IngestConfig}): {@code application.yaml} on the class path with environment overrides, through the runtime library's loader and rule. */
package io.storageengine.ingest.config;
