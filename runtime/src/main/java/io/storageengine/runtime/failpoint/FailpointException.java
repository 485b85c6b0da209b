package io.storageengine.runtime.failpoint;

import java.io.IOException;

/**
 * The I/O error an {@code error(MESSAGE)} failpoint throws. Its message is exactly the configured
 * one (for example "No space left on device"), so callers handle it as the real error; the class
 * name in a stack trace shows that it was injected. Immutable.
 */
public final class FailpointException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String failpoint;

    public FailpointException(String failpoint, String message) {
        super(message);
        this.failpoint = failpoint;
    }

    /** The name of the failpoint that threw it. */
    public String failpoint() {
        return failpoint;
    }
}
