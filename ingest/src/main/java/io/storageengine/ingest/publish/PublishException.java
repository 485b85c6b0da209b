package io.storageengine.ingest.publish;

/** Publishing failed (broker unreachable, fenced by another publisher of the timeline, ...). Fatal for the publisher. */
public final class PublishException extends RuntimeException {
    private final boolean fenced;

    public PublishException(String message, Throwable cause, boolean fenced) {
        super(message, cause);
        this.fenced = fenced;
    }

    /** True if another producer with the same transactional id took over. */
    public boolean fenced() {
        return fenced;
    }
}
