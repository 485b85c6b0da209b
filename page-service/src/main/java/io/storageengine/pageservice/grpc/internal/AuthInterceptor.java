package io.storageengine.pageservice.grpc.internal;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.storageengine.pageservice.auth.TokenClaims;
import io.storageengine.pageservice.http.internal.ApiException;
import io.storageengine.pageservice.http.internal.Authenticator;
import io.storageengine.pageservice.metrics.PageMetrics;

/**
 * The bearer-token check of every gRPC call, with the HTTP API's verifier
 * ({@link Authenticator#authenticate(String)}, the one check): metadata {@code authorization: Bearer
 * <JWT>}. Off → nothing checked; missing or invalid → the call closes UNAUTHENTICATED with the
 * problem in its trailers (counted under route {@code grpc_auth}); valid → the claims in
 * {@link #CLAIMS} and the raw value in {@link #AUTHORIZATION} for the handlers, which check the
 * tenant of every request against the claims (PERMISSION_DENIED). Tokens are never logged. Stateless.
 */
public final class AuthInterceptor implements ServerInterceptor {
    public static final Metadata.Key<String> AUTHORIZATION_KEY =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    public static final Context.Key<TokenClaims> CLAIMS = Context.key("se-token-claims");
    public static final Context.Key<String> AUTHORIZATION = Context.key("se-authorization");

    private final Authenticator auth;
    private final PageMetrics metrics;

    public AuthInterceptor(Authenticator auth, PageMetrics metrics) {
        this.auth = auth;
        this.metrics = metrics;
    }

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
                                                       ServerCallHandler<Q, A> next) {
        if (!auth.enabled()) {
            return next.startCall(call, headers);
        }
        String value = headers.get(AUTHORIZATION_KEY);
        TokenClaims claims;
        try {
            claims = auth.authenticate(value);
        } catch (ApiException e) {
            var p = StreamProblems.toProto(StreamProblems.problemOf(e, "auth"));
            metrics.problem("grpc_auth", e.slug());
            var status = StreamProblems.toStatus(p);
            call.close(status.getStatus(), status.getTrailers());
            return new ServerCall.Listener<>() {
            };
        }
        Context ctx = Context.current().withValue(CLAIMS, claims).withValue(AUTHORIZATION, value);
        return Contexts.interceptCall(ctx, call, headers, next);
    }
}
