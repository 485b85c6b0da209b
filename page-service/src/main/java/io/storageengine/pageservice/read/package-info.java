/**
 * The read path: GetPage@LSN over the hot store and the cold tier.
 * {@link io.storageengine.pageservice.read.StorePageReader} waits for the partition's watermark,
 * scans the hot store down to the page's newest chain start, continues into the
 * {@link io.storageengine.pageservice.read.ColdPageSource} when it found none, merges the two with
 * page-core's chain rules ({@code VersionChain}) and applies the chain with page-core's
 * {@code PageReplay}. Every outcome that is not a page is a
 * {@link io.storageengine.pageservice.read.PageReadException} subclass, mapped to one HTTP status
 * in one place. Readers are thread-safe.
 */
package io.storageengine.pageservice.read;
