/**
 * Implementation details of the HTTP layer: parameter parsing, the one exception-to-status mapping
 * ({@link io.storageengine.pageservice.http.internal.Problems}), Failsafe policies, forwarding,
 * bearer-token checks, page and batch encodings. Not used outside {@code http} and {@code Main}.
 */
package io.storageengine.pageservice.http.internal;
