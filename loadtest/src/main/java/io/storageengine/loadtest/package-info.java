/**
 * Load generators for a running stack, outside the services: {@link io.storageengine.loadtest.LoadTest}
 * ({@code ./se loadtest}: sustained, spike and mixed scenarios over HTTP and the streaming API) and
 * {@link io.storageengine.loadtest.OpenLoopLoad} (one open-loop HTTP run). Both schedule requests
 * open-loop ({@link io.storageengine.loadtest.OpenLoopDriver}: constant rate, latency from the intended
 * send time, bounded in-flight requests) and record into HdrHistograms
 * ({@link io.storageengine.loadtest.LatencyRecorder}).
 */
package io.storageengine.loadtest;
