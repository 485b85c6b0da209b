package io.storageengine.segments.catalog;

/** Outcome of {@link Catalog#registerL0}: newly registered, or found already registered (a retried call). */
public enum RegisterResult {
    REGISTERED,
    ALREADY_REGISTERED
}
