package io.storageengine.catalog;

/**
 * The catalog database could not be reached (or kept failing with transient errors) for the
 * whole retry budget. The call had no effect, or (for writes whose commit was in flight) an
 * effect that repeating the same call recognizes: every catalog write is idempotent.
 */
public final class CatalogUnavailableException extends CatalogException {
    public CatalogUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
