/**
 * The streaming page API (gRPC, {@code storageengine/page/v1/page_service.proto} of the
 * {@code page-api-grpc} module): {@link io.storageengine.pageservice.grpc.GrpcServer} runs it on
 * its own port ({@code grpc.port}) beside the HTTP routes, with the same read path, ownership,
 * forwarding, rate limits, authentication and exception → problem mapping as the HTTP layer
 * ({@code http.internal}); details in {@code internal}. Depends on {@code http}, never the reverse.
 */
package io.storageengine.pageservice.grpc;
