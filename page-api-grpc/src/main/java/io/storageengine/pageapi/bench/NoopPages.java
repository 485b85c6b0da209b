package io.storageengine.pageapi.bench;

import io.grpc.MethodDescriptor;
import io.storageengine.pageapi.v1.GetPageRequest;
import io.storageengine.pageapi.v1.GetPageResponse;
import io.storageengine.pageapi.v1.PageServiceGrpc;

/**
 * The transport baseline of the streaming API: {@code storageengine.bench.v1.NoopPages/GetPages},
 * a bidirectional stream with the messages of {@code PageService.GetPages}, served by the same
 * gRPC server. The page service answers each request at once with {@code 1 + more_blocks}
 * constant 8192-byte zero pages ({@code page_lsn} and {@code request_lsn} = the request's
 * {@code lsn}): no parsing, policies or store, the same flow control, executor and auth. A
 * benchmark runs the same load against it and against {@code GetPages} and reports the ratio, as
 * the HTTP benchmark does with {@code GET /v1/noop}. Not part of the page API's compatibility
 * promise. Immutable.
 */
public final class NoopPages {
    public static final String SERVICE = "storageengine.bench.v1.NoopPages";

    /** {@code GetPages}'s descriptor (same marshallers) under the noop service's name. */
    public static final MethodDescriptor<GetPageRequest, GetPageResponse> GET_PAGES =
            PageServiceGrpc.getGetPagesMethod().toBuilder()
                    .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "GetPages"))
                    .setSchemaDescriptor(null)
                    .build();

    private NoopPages() {
    }
}
