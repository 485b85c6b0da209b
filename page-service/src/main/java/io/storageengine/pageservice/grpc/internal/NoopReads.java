package io.storageengine.pageservice.grpc.internal;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.storageengine.pageapi.v1.GetPageRequest;
import io.storageengine.pageapi.v1.GetPageResponse;
import io.storageengine.pageapi.v1.Page;
import io.storageengine.pageservice.metrics.PageMetrics;
import io.storageengine.schemas.wal.WalFormat;

/**
 * The answers of the noop stream ({@code NoopPages.GetPages}): {@code 1 + more_blocks} constant
 * zero pages per request (at most {@code maxBatch}, as {@code GetPages} allows), the request's LSN
 * as their LSNs, timed under the route {@code grpc_noop}. What a stream costs without parsing,
 * policies or store: the baseline the stream benchmark divides by. Stateless; thread-safe.
 */
public final class NoopReads {
    private static final ByteString PAGE = UnsafeByteOperations.unsafeWrap(new byte[WalFormat.PAGE_SIZE]);
    private final PageMetrics metrics;
    private final int maxBatch;

    public NoopReads(PageMetrics metrics, int maxBatch) {
        this.metrics = metrics;
        this.maxBatch = maxBatch;
    }

    public GetPageResponse answer(GetPageRequest r) {
        long start = System.nanoTime();
        int pages = Math.min(maxBatch, 1 + r.getMoreBlocksCount());
        Page page = Page.newBuilder().setData(PAGE).setPageLsn(r.getLsn()).setRequestLsn(r.getLsn()).build();
        GetPageResponse.Builder out = GetPageResponse.newBuilder().setRequestId(r.getRequestId()).setPage(page);
        for (int i = 1; i < pages; i++) {
            out.addMorePages(page);
        }
        metrics.record("grpc_noop", 200, System.nanoTime() - start);
        return out.build();
    }
}
