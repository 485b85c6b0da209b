/**
 * WAL stream sources: a file, standard input, or a TCP listener (one connection at a time, each
 * connection one stream). A source hands each stream as an {@link java.io.InputStream} to a handler,
 * which decodes and publishes it; the source waits for the handler, so reading never outruns publishing.
 */
package io.storageengine.ingest.source;
