/**
 * Streaming WAL decoding per {@code spec/wal-format.md}: {@link io.storageengine.ingest.decode.WalDecoder}
 * takes bytes as they arrive, hands out zero-copy {@link io.storageengine.schemas.wal.Frame} views to a
 * {@link io.storageengine.ingest.decode.FrameSink}, resynchronizes after corruption and enforces the
 * bad-input rules. Memory comes from a capped {@link io.storageengine.ingest.decode.BufferPool}.
 */
package io.storageengine.ingest.decode;
