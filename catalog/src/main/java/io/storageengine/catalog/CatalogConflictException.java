package io.storageengine.catalog;

/**
 * A catalog write does not fit the current state (an input segment is not active, an offset range
 * does not start at the committed offset, a segment name is taken). Nothing was changed.
 */
public final class CatalogConflictException extends CatalogException {
    public CatalogConflictException(String message) {
        super(message);
    }
}
