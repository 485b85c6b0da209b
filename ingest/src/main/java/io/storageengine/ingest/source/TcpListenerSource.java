package io.storageengine.ingest.source;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on a TCP port and treats each accepted connection as one WAL stream, one connection at a
 * time (a second client waits in the backlog until the first finishes: backpressure by design).
 * Runs until {@link #close()} or, if {@code maxConnections > 0}, after that many connections.
 * {@link #close()} is thread-safe; the rest runs on the caller's thread.
 */
public final class TcpListenerSource implements StreamSource {
    private static final Logger LOG = LoggerFactory.getLogger(TcpListenerSource.class);
    private final ServerSocket server;
    private final int maxConnections;
    private volatile boolean closed;

    public TcpListenerSource(int port, int maxConnections) throws IOException {
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(port), 16);
        this.maxConnections = maxConnections;
        LOG.info("listening for WAL streams on port {}", server.getLocalPort());
    }

    public int port() {
        return server.getLocalPort();
    }

    @Override
    public void run(StreamHandler handler) throws IOException {
        int served = 0;
        while (!closed && (maxConnections <= 0 || served < maxConnections)) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (SocketException e) {
                if (closed) {
                    return;
                }
                throw e;
            }
            served++;
            String name = "tcp:" + socket.getRemoteSocketAddress();
            try (socket; InputStream in = socket.getInputStream()) {
                socket.setReceiveBufferSize(1 << 20);
                LOG.info("stream {} connected", name);
                if (!handler.onStream(name, in)) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
    }
}
