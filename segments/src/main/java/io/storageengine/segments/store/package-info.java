/**
 * Where finished segment files live: {@link io.storageengine.segments.store.SegmentStore}, addressed
 * by segment name (whole immutable files: put once, open, delete, list), with two implementations,
 * {@link io.storageengine.segments.store.DirectorySegmentStore} (one file per segment in a local or
 * shared directory, atomic rename on put) and
 * {@link io.storageengine.segments.store.CatalogSegmentStore} (chunks in the catalog database, read
 * through a bounded local cache). {@link io.storageengine.segments.store.SegmentStores#open} is the one
 * factory from configuration, used by page-service and compactor-worker;
 * {@link io.storageengine.segments.store.SegmentMetas} builds the catalog's record of a stored
 * segment from its footer. Stores are thread-safe.
 */
package io.storageengine.segments.store;
