/**
 * The Java client of the streaming page API ({@code page_service.proto}, docs/page-api.md):
 * {@link io.storageengine.pageclient.PageClient} keeps a pool of {@code GetPages} streams per page
 * service instance, pipelines many requests on each (matched by request id, one
 * {@link java.util.concurrent.CompletableFuture} per request), batches, retries retryable failures
 * with exponential backoff and jitter within a deadline, and records Micrometer metrics. Value types
 * ({@link io.storageengine.pageclient.PageRequest}, {@link io.storageengine.pageclient.PageResult})
 * are immutable; the client is thread-safe.
 */
package io.storageengine.pageclient;
