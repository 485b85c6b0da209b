package io.storageengine.postgres.redo.internal;

/**
 * A page primitive found the page unusable for the operation (corrupted pointers, an item number
 * that does not exist, no room): where PostgreSQL would raise ERROR or PANIC. The redo engine
 * turns it into a {@code RedoException} naming the page and the record's LSN.
 */
public final class PageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PageException(String message) {
        super(message);
    }
}
