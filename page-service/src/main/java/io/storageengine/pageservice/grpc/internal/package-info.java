/**
 * Implementation details of the gRPC layer: the per-stream pipeline with its bounded read-ahead
 * ({@link io.storageengine.pageservice.grpc.internal.PageStream}), the read of one request
 * ({@link io.storageengine.pageservice.grpc.internal.PageReads}), the noop stream's constant answers
 * ({@link io.storageengine.pageservice.grpc.internal.NoopReads}), the bearer-token interceptor and
 * the problem → gRPC status table ({@link io.storageengine.pageservice.grpc.internal.StreamProblems}).
 */
package io.storageengine.pageservice.grpc.internal;
