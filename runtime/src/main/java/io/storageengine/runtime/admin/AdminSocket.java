package io.storageengine.runtime.admin;

import io.helidon.webserver.ListenerConfig;

/**
 * The admin socket's address and options. TCP_NODELAY is always on (Nagle's algorithm, Helidon's
 * default, delays small responses by tens of milliseconds); {@code writeBufferSize} defaults to
 * 16 KiB so a response of a few KiB leaves in one write. Immutable.
 *
 * @param host            address to bind ({@code 0.0.0.0}: every interface)
 * @param port            port; 0 picks a free one (tests)
 * @param writeBufferSize socket write buffer in bytes, at least 4096
 */
public record AdminSocket(String host, int port, int writeBufferSize) {
    public static final int DEFAULT_WRITE_BUFFER = 16 * 1024;

    public AdminSocket {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("admin port out of range: " + port);
        }
        if (writeBufferSize < 4096) {
            throw new IllegalArgumentException("admin write buffer must be >= 4096, got " + writeBufferSize);
        }
    }

    /** Every interface, {@code port}, the default write buffer. */
    public static AdminSocket onPort(int port) {
        return new AdminSocket("0.0.0.0", port, DEFAULT_WRITE_BUFFER);
    }

    /**
     * Applies address and options to a Helidon listener: the server builder itself (its default
     * socket) or a named socket's builder ({@code putSocket("admin", s -> socket.configure(s))}).
     */
    public <B extends ListenerConfig.BuilderBase<B, ?>> B configure(B listener) {
        return listener.host(host)
                .port(port)
                .connectionOptions(o -> o.tcpNoDelay(true))
                .writeBufferSize(writeBufferSize);
    }
}
