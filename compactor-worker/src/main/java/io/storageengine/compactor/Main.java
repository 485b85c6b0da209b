package io.storageengine.compactor;

import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.DiskSpaceMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.storageengine.compactor.worker.CompactorConfig;
import io.storageengine.compactor.worker.CompactorWorker;
import io.storageengine.compactor.worker.StatusReport;
import io.storageengine.runtime.admin.AdminServer;
import io.storageengine.runtime.admin.AdminSocket;
import io.storageengine.runtime.admin.Health;
import io.storageengine.runtime.admin.ProcessMemory;
import io.storageengine.runtime.failpoint.Failpoints;
import io.storageengine.runtime.logging.JulToSlf4j;
import io.storageengine.catalog.Catalog;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point of the compactor-worker process.
 * <ul>
 *   <li>{@code Main} or {@code Main run}: runs a worker until SIGTERM/SIGINT (graceful: jobs
 *       cancelled and cleaned up, leases released), with Prometheus {@code /metrics} and
 *       {@code /health} on the admin port (SE_COMPACTOR_ADMIN_PORT, 9091; the runtime library's
 *       admin server: live and ready while the worker's threads run, with its leases and backlog),
 *       and {@code GET|PUT /failpoints} (drills and tests; also {@code SE_FAILPOINTS} at start:
 *       {@code segment-write}, {@code segment-read} on the segment store's file I/O).</li>
 *   <li>{@code Main status}: prints segments per level, L0 backlog, offsets and leases per
 *       partition from the catalog, and exits.</li>
 * </ul>
 * Configuration: {@link CompactorConfig} (application.yaml + environment, the runtime library's loader).
 */
public final class Main {
    static {
        // This module's log4j2.xml, even when a test-scoped log4j2-test.xml is on the classpath.
        if (System.getProperty("log4j2.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", "log4j2.xml");
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        JulToSlf4j.install(); // Helidon (the admin server) logs through java.util.logging
        String cmd = args.length == 0 ? "run" : args[0];
        CompactorConfig config = CompactorConfig.load();
        switch (cmd) {
            case "run" -> run(config);
            case "status" -> {
                try (Catalog catalog = Catalog.open(config.catalog())) {
                    StatusReport.print(catalog, config, System.out);
                }
            }
            default -> {
                System.err.println("usage: Main [run|status]");
                System.exit(2);
            }
        }
    }

    private static void run(CompactorConfig config) throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        Failpoints failpoints = Failpoints.fromEnvironment(System.getenv(), registry);
        CompactorWorker worker = CompactorWorker.start(config, registry, failpoints);
        // disk_free_bytes / disk_total_bytes{path=...}: the segment directory (monitoring/alerts.yml, DiskFilling)
        new DiskSpaceMetrics(config.segmentDir().toFile()).bindTo(registry);
        // The L0 buffers (compactor.memory-budget-bytes) are on the heap: the bound is heap + JVM overhead.
        ProcessMemory.register(registry, ProcessMemory.budgetBytes(0, 0));
        AdminServer admin;
        try {
            admin = AdminServer.start(AdminSocket.onPort(config.adminPort()), registry,
                    Health.of(worker::isHealthy, worker::health).withDetail("catalog", worker.catalog()::healthDetails)
                            .withDetail("failpoints", () -> failpoints.active().isEmpty() ? null : failpoints.active()),
                    failpoints);
        } catch (RuntimeException e) {
            worker.close(); // its threads would otherwise keep a failed process alive
            throw e;
        }
        LOG.info("admin endpoint on port {} (/metrics, /health, /failpoints)", admin.port());
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            worker.close();
            admin.close();
            done.countDown();
        }, "compactor-shutdown"));
        done.await();
    }
}
