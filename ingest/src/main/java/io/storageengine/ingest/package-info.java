/**
 * ingest: turns framed WAL streams (files, standard input, TCP connections, walgen) into records of
 * the {@code wal} Kafka topic.
 *
 * <pre>
 * source (InputStream) ─► WalDecoder (bounded buffers, resync, LSN checks) ─► FrameSink
 *                                                                   └─► WalPublisher (transactional
 *                                                                       KafkaProducer per timeline,
 *                                                                       WATERMARKs to every partition)
 * </pre>
 *
 * Subpackages: {@code decode} (streaming zero-copy decoder, buffer pool), {@code publish}
 * (WalPublisher), {@code source} (file/stdin/TCP), {@code walgen} (synthetic streams), {@code config}
 * (typed configuration), {@code metrics}, {@code cli} (IngestCli).
 */
package io.storageengine.ingest;
