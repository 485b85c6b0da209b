/**
 * What every storage-engine service process shares, apart from storage: {@code config} (typed
 * configuration from {@code application.yaml} with one environment-override rule, one duration and
 * size syntax), {@code admin} (the admin socket: Prometheus {@code /metrics} and {@code /health}),
 * {@code failpoint} (named fault-injection points for drills and tests, {@code /failpoints}) and
 * {@code logging}. The page service, the compactor worker and ingest use it; the typed
 * configuration records stay in each service's module, only the mechanism lives here.
 */
package io.storageengine.runtime;
