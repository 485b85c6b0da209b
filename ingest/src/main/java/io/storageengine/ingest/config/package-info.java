/** Typed ingest configuration: {@code application.yaml} on the classpath, overridden by environment variables. */
package io.storageengine.ingest.config;
