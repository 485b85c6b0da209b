/**
 * The admin socket every service opens: {@code GET /metrics} (Prometheus text format 0.0.4 from a
 * Micrometer registry, {@link io.storageengine.runtime.admin.MetricsEndpoint}) and
 * {@code GET /health} / {@code GET /health/live} (liveness and readiness as JSON,
 * {@link io.storageengine.runtime.admin.HealthEndpoint}), on Helidon SE like the page API.
 * {@link io.storageengine.runtime.admin.AdminSocket} holds the socket options (TCP_NODELAY, 16 KiB
 * write buffer); {@link io.storageengine.runtime.admin.AdminServer} runs them as a server of their
 * own (compactor worker, ingest), while the page service mounts the same endpoints on a named
 * socket of its web server. Endpoints are stateless apart from what they read; thread-safe.
 */
package io.storageengine.runtime.admin;
