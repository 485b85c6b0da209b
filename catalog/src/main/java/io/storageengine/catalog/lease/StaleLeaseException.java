package io.storageengine.catalog.lease;

import io.storageengine.catalog.CatalogException;

/**
 * A worker wrote with a lease whose epoch is no longer current: another worker took over the
 * partition. The transaction was rolled back; the worker must stop working on the partition.
 */
public final class StaleLeaseException extends CatalogException {
    public StaleLeaseException(String message) {
        super(message);
    }
}
