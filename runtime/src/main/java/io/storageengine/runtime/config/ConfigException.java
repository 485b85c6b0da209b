package io.storageengine.runtime.config;

/**
 * A configuration value is missing, malformed or refused. The message names the key and where the
 * value came from ({@code application.yaml} or the environment variable), for example
 * {@code http.port: expected an integer, got 'eighty' (from SE_HTTP_PORT)}. An
 * {@link IllegalArgumentException}, so callers that caught bad arguments before still do.
 */
public final class ConfigException extends IllegalArgumentException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
