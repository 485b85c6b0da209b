/**
 * The ingest command line, {@link io.storageengine.ingest.cli.IngestCli}: {@code publish}, {@code walgen},
 * {@code topic-status}, {@code decode}. Exit status: 0 ok, 1 stream error (LSN regression, truncated
 * tail, read error), 2 usage error, 3 publish failure (Kafka unreachable, fenced).
 */
package io.storageengine.ingest.cli;
