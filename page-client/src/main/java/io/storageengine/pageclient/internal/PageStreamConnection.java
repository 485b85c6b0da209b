package io.storageengine.pageclient.internal;

import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.storageengine.pageapi.v1.GetPageRequest;
import io.storageengine.pageapi.v1.GetPageResponse;
import io.storageengine.pageapi.v1.PageServiceGrpc;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One {@code GetPages} stream, pipelined: {@link #send} gives a request a fresh request id, records
 * its future in the pending table and writes it; answers complete the future of their id in
 * whatever order they arrive. At most {@code maxInFlight} requests are pending on the stream (a
 * semaphore: {@link #trySend} fails when full), so memory is bounded on both sides. When the stream
 * ends or fails, every pending future fails with that status (retryable UNAVAILABLE when the server
 * simply closed it) and the connection reports {@link #broken()}; the pool replaces it.
 * Thread-safe: writes to the request observer are under one lock.
 */
public final class PageStreamConnection {
    private final Map<Long, CompletableFuture<GetPageResponse>> pending = new ConcurrentHashMap<>();
    private final Semaphore permits;
    private final Object lock = new Object();
    private final ClientCallStreamObserver<GetPageRequest> requests;
    private long nextId = 1;
    private volatile boolean broken;
    private volatile Throwable failure; // why the stream ended (null: closed by this side)

    public PageStreamConnection(PageServiceGrpc.PageServiceStub stub, int maxInFlight) {
        this.permits = new Semaphore(maxInFlight);
        Holder h = new Holder();
        stub.getPages(h);
        this.requests = h.requests;
    }

    /** The response side: completes pending futures; breaks the connection when the stream ends. */
    private final class Holder implements ClientResponseObserver<GetPageRequest, GetPageResponse> {
        ClientCallStreamObserver<GetPageRequest> requests;

        @Override
        public void beforeStart(ClientCallStreamObserver<GetPageRequest> r) {
            this.requests = r;
        }

        @Override
        public void onNext(GetPageResponse response) {
            CompletableFuture<GetPageResponse> f = pending.remove(response.getRequestId());
            if (f != null) {
                permits.release();
                f.complete(response);
            } // else: an answer to a request that timed out here; dropped
        }

        @Override
        public void onError(Throwable t) {
            failAll(t);
        }

        @Override
        public void onCompleted() {
            failAll(Status.UNAVAILABLE.withDescription("the page service closed the stream").asRuntimeException());
        }
    }

    public boolean broken() {
        return broken;
    }

    public int inFlight() {
        return pending.size();
    }

    /**
     * Sends {@code request} (its id replaced by a fresh one) if a slot is free within
     * {@code waitNanos}; null when the stream is full or was closed here; a failed future when the
     * stream has failed (such as UNAUTHENTICATED at its start). {@code toRequest} builds the wire
     * request from the id.
     */
    public CompletableFuture<GetPageResponse> trySend(Function<Long, GetPageRequest> toRequest, long waitNanos)
            throws InterruptedException {
        if (broken) {
            Throwable t = failure;
            return t == null ? null : CompletableFuture.failedFuture(t);
        }
        if (!permits.tryAcquire(waitNanos, TimeUnit.NANOSECONDS)) {
            return null;
        }
        CompletableFuture<GetPageResponse> f = new CompletableFuture<>();
        synchronized (lock) {
            if (broken) {
                permits.release();
                Throwable t = failure;
                return t == null ? null : CompletableFuture.failedFuture(t);
            }
            long id = nextId++;
            pending.put(id, f);
            try {
                requests.onNext(toRequest.apply(id));
            } catch (RuntimeException e) {
                pending.remove(id);
                permits.release();
                throw e;
            }
            f.whenComplete((r, t) -> {
                if (t != null && pending.remove(id) != null) { // timed out or cancelled by the caller
                    permits.release();
                }
            });
        }
        return f;
    }

    /** Half-closes the stream (pending requests still get their answers). */
    public void close() {
        synchronized (lock) {
            if (!broken) {
                broken = true;
                try {
                    requests.onCompleted();
                } catch (RuntimeException ignored) {
                    // already failed
                }
            }
        }
    }

    private void failAll(Throwable t) {
        // Under the send lock: a send that passed its "broken" check has put its future in the
        // table before this runs, and every later send sees "broken". Without it a send could add
        // its future after the sweep below and wait forever (a stream refused at its start, e.g.
        // UNAUTHENTICATED, raced the first request: seen once in CI as a 10 s client timeout).
        synchronized (lock) {
            failure = t;
            broken = true;
        }
        for (Long id : pending.keySet()) {
            CompletableFuture<GetPageResponse> f = pending.remove(id);
            if (f != null) {
                permits.release();
                f.completeExceptionally(t);
            }
        }
    }
}
