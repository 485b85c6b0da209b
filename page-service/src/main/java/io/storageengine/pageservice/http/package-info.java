/**
 * The page API over HTTP (Helidon SE 4 webserver, virtual thread per request): one
 * {@link io.helidon.webserver.http.HttpService} per resource, wired by
 * {@code io.storageengine.pageservice.Main#routing}. Exceptions map to RFC 9457 problems in one
 * place ({@code internal.Problems}); Failsafe policies, forwarding and authentication live in
 * {@code internal}. The contract is {@code spec/page-api.md} and {@code openapi.yaml}.
 */
package io.storageengine.pageservice.http;
