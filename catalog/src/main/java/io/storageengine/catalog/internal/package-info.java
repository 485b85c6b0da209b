/**
 * Implementation detail of the catalog: the SQL of each table, run inside a transaction the
 * caller opened ({@code *Sql}, {@link io.storageengine.catalog.internal.SegmentRows}). The retry
 * policy and pools are in {@code connection.internal}. Not an API: other modules must not use it.
 */
package io.storageengine.catalog.internal;
