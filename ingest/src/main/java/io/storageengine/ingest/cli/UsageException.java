package io.storageengine.ingest.cli;

/** A command-line mistake: the CLI prints the message and the usage, and exits with status 2. */
final class UsageException extends RuntimeException {
    UsageException(String message) {
        super(message);
    }
}
