/**
 * Failpoints: named places in the code where a drill or a test can inject a fault into a running
 * process, as Neon's pageserver does (the {@code fail} crate), so faults such as a slow disk or a
 * full disk can be reproduced without touching the machine (no mounts, no root).
 *
 * <h2>Design</h2>
 * <ul>
 *   <li>{@link io.storageengine.runtime.failpoint.Failpoints} is one instance per process, made in
 *       {@code main} and passed to the code that has points (like the metrics registry and the
 *       configuration): no static state, so tests run several processes' worth of points in one JVM
 *       without interfering.</li>
 *   <li>Code asks for its point once, at wiring time ({@code failpoints.point("segment-read")}),
 *       and keeps the {@link io.storageengine.runtime.failpoint.Failpoint}. Calling
 *       {@link io.storageengine.runtime.failpoint.Failpoint#hit()} on the hot path costs one
 *       volatile read while the point is off.</li>
 *   <li>Actions ({@link io.storageengine.runtime.failpoint.FailpointAction}): {@code off},
 *       {@code sleep(DURATION)} (blocks the calling thread; a bare number is milliseconds),
 *       {@code error(MESSAGE)} (throws a {@link io.storageengine.runtime.failpoint.FailpointException},
 *       an {@link java.io.IOException} with exactly that message), each optionally {@code N*action}:
 *       only the next N hits act, then the point turns itself off.</li>
 *   <li>Configuration: the variable {@code SE_FAILPOINTS} at start
 *       ({@code "segment-read=sleep(200);segment-write=error(No space left on device)"}), and at run
 *       time the admin routes {@code GET /failpoints} and {@code PUT /failpoints} (body
 *       {@code name=action}, several separated by {@code ;} or new lines)
 *       ({@link io.storageengine.runtime.failpoint.FailpointsEndpoint}). Every change is logged at
 *       WARN; every hit that acts is counted in {@code se_failpoint_hits_total{name}}.</li>
 * </ul>
 * Failpoints are for drills and tests: a point left on in production degrades the service on
 * purpose. The admin port that carries {@code PUT /failpoints} must only be reachable by operators.
 * Thread-safe throughout.
 */
package io.storageengine.runtime.failpoint;
