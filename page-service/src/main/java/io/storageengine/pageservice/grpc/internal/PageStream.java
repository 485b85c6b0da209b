package io.storageengine.pageservice.grpc.internal;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.storageengine.pageapi.v1.GetPageRequest;
import io.storageengine.pageapi.v1.GetPageResponse;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;

/**
 * One {@code GetPages} stream: each request is read on its own task of {@code executor} (a virtual
 * thread: reads block while they wait for WAL) and answered as soon as it is done, so answers may
 * leave out of order. Flow control keeps memory bounded: automatic inbound requests are off, the
 * stream asks gRPC for {@code maxInFlight} requests up front and for one more only once an answer
 * has been handed to a transport that is ready to send (otherwise when it becomes ready), so at most
 * {@code maxInFlight} requests are being read or waiting to be sent. The client half-closing ends
 * the stream after the last answer; the client cancelling drops the answers still being read.
 * Thread-safe: every use of the response observer is under one lock.
 */
public final class PageStream implements StreamObserver<GetPageRequest> {
    private final ServerCallStreamObserver<GetPageResponse> out;
    private final Function<GetPageRequest, GetPageResponse> read;
    private final Executor executor;
    private final Object lock = new Object();
    private int inFlight;
    private int owed; // requests not yet asked of gRPC because the transport was not ready
    private boolean halfClosed;
    private boolean done;

    /**
     * Must be created inside the service method (flow control is set up before it returns).
     *
     * @param read answers one request (run on {@code executor}); {@link PageReads#page} for
     *     {@code GetPages}, constant pages for the noop baseline
     */
    public PageStream(StreamObserver<GetPageResponse> responses, Function<GetPageRequest, GetPageResponse> read,
                      Executor executor, int maxInFlight) {
        this.out = (ServerCallStreamObserver<GetPageResponse>) responses;
        this.read = read;
        this.executor = executor;
        out.disableAutoRequest();
        out.setOnCancelHandler(() -> {
            synchronized (lock) {
                done = true;
            }
        });
        out.setOnReadyHandler(this::onReady);
        out.request(maxInFlight);
    }

    @Override
    public void onNext(GetPageRequest request) {
        synchronized (lock) {
            if (done) {
                return;
            }
            inFlight++;
        }
        try {
            executor.execute(() -> answer(readOrProblem(request)));
        } catch (RejectedExecutionException e) { // shutting down
            synchronized (lock) {
                inFlight--;
                finish(io.grpc.Status.UNAVAILABLE.withDescription("page service shutting down").asRuntimeException());
            }
        }
    }

    /** {@link PageReads#page} answers every outcome; anything escaping it still answers (a slot is never lost). */
    private GetPageResponse readOrProblem(GetPageRequest request) {
        try {
            return read.apply(request);
        } catch (RuntimeException | Error e) {
            return GetPageResponse.newBuilder().setRequestId(request.getRequestId())
                    .setError(StreamProblems.toProto(StreamProblems.problemOf(e, "page"))).build();
        }
    }

    private void answer(GetPageResponse response) {
        synchronized (lock) {
            inFlight--;
            if (done) {
                return;
            }
            out.onNext(response);
            if (out.isReady()) {
                out.request(1);
            } else {
                owed++;
            }
            if (halfClosed && inFlight == 0) {
                done = true;
                out.onCompleted();
            }
        }
    }

    private void onReady() {
        synchronized (lock) {
            if (!done && owed > 0 && out.isReady()) {
                out.request(owed);
                owed = 0;
            }
        }
    }

    @Override
    public void onError(Throwable t) {
        synchronized (lock) {
            done = true; // the client's side failed or cancelled: nobody to answer
        }
    }

    @Override
    public void onCompleted() {
        synchronized (lock) {
            halfClosed = true;
            if (!done && inFlight == 0) {
                done = true;
                out.onCompleted();
            }
        }
    }

    private void finish(RuntimeException status) {
        if (!done) {
            done = true;
            out.onError(status);
        }
    }
}
