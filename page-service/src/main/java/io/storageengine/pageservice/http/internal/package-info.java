/**
 * Implementation details of the HTTP layer: parameter parsing, the one exception-to-status mapping
 * ({@link io.storageengine.pageservice.http.internal.Problems}), Failsafe policies, forwarding,
 * bearer-token checks, page and batch encodings. Not used outside {@code http}, {@code Main} and the gRPC layer ({@code grpc}, which reuses the
 * parsing, the problem mapping, the policies, the authenticator and the forwarder).
 */
package io.storageengine.pageservice.http.internal;
