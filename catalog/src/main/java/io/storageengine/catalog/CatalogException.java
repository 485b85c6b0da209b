package io.storageengine.catalog;

/** A catalog call failed for a reason retrying cannot fix (bad SQL state, constraint, bug). */
public class CatalogException extends RuntimeException {
    public CatalogException(String message, Throwable cause) {
        super(message, cause);
    }

    public CatalogException(String message) {
        super(message);
    }
}
