package io.storageengine.runtime.admin;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A process's resident memory against the memory budget it was configured with, as gauges:
 * {@code se.process.memory.resident{kind=anon|file}} (bytes, from {@code RssAnon}/{@code RssFile}
 * of {@code /proc/self/status}) and {@code se.process.memory.budget} (bytes).
 *
 * <p>The budget bounds the anonymous part: Java heap, RocksDB's block cache and memtables, thread
 * stacks, metaspace, direct buffers. File-backed pages (memory-mapped segment files) count in
 * RSS but are page cache the kernel reclaims under pressure, so they are reported beside it and
 * not held against it. The monitoring rule {@code MemoryOverBudget} compares the two gauges.
 *
 * <p>The gauges hold the instance strongly (callers need not keep it). Reads {@code /proc} at
 * most once per {@link #MAX_AGE_NANOS} (one parse per scrape); thread-safe. Where
 * {@code /proc/self/status} does not exist the gauges read NaN.
 */
public final class ProcessMemory {
    /** The default allowance for the JVM beyond heap and configured native caches: metaspace, code cache, threads, direct buffers. */
    public static final long JVM_OVERHEAD_BYTES = 256L << 20;
    private static final long MAX_AGE_NANOS = 1_000_000_000L;
    private static final Path STATUS = Path.of("/proc/self/status");

    /** One reading of the resident set, in bytes (-1: unknown). */
    public record Resident(long anonBytes, long fileBytes) {
        public static final Resident UNKNOWN = new Resident(-1, -1);

        /** Parses the {@code RssAnon:} and {@code RssFile:} lines (kB) of a {@code /proc/PID/status} text. */
        public static Resident parse(List<String> statusLines) {
            long anon = -1;
            long file = -1;
            for (String line : statusLines) {
                if (line.startsWith("RssAnon:")) {
                    anon = kib(line);
                } else if (line.startsWith("RssFile:")) {
                    file = kib(line);
                }
            }
            return new Resident(anon, file);
        }

        private static long kib(String line) {
            String[] parts = line.substring(line.indexOf(':') + 1).trim().split("\\s+");
            try {
                return Long.parseLong(parts[0]) * 1024;
            } catch (NumberFormatException e) {
                return -1;
            }
        }
    }

    private final long budgetBytes;
    private volatile Resident last = Resident.UNKNOWN;
    private volatile long readAt = System.nanoTime() - 2 * MAX_AGE_NANOS;

    private ProcessMemory(long budgetBytes) {
        this.budgetBytes = budgetBytes;
    }

    /**
     * The budget: {@code configuredMb} MiB when positive, otherwise the JVM's maximum heap +
     * {@code nativeCachesMb} (RocksDB and the like) + {@link #JVM_OVERHEAD_BYTES}.
     */
    public static long budgetBytes(long configuredMb, long nativeCachesMb) {
        if (configuredMb > 0) {
            return configuredMb << 20;
        }
        return Runtime.getRuntime().maxMemory() + (nativeCachesMb << 20) + JVM_OVERHEAD_BYTES;
    }

    /** Registers the gauges on {@code registry}; returns the instance they read. */
    public static ProcessMemory register(MeterRegistry registry, long budgetBytes) {
        ProcessMemory m = new ProcessMemory(budgetBytes);
        Gauge.builder("se.process.memory.resident", m, x -> x.resident().anonBytes() < 0 ? Double.NaN : x.resident().anonBytes())
                .tag("kind", "anon").baseUnit("bytes").strongReference(true)
                .description("Anonymous resident memory (heap, native caches, stacks); held against the budget")
                .register(registry);
        Gauge.builder("se.process.memory.resident", m, x -> x.resident().fileBytes() < 0 ? Double.NaN : x.resident().fileBytes())
                .tag("kind", "file").baseUnit("bytes").strongReference(true)
                .description("File-backed resident memory (mapped segment files, libraries); reclaimable page cache")
                .register(registry);
        Gauge.builder("se.process.memory.budget", m, ProcessMemory::budgetBytes).baseUnit("bytes").strongReference(true)
                .description("The configured bound of anonymous resident memory").register(registry);
        return m;
    }

    public long budgetBytes() {
        return budgetBytes;
    }

    /** The latest reading, refreshed when older than a second. */
    public Resident resident() {
        long now = System.nanoTime();
        if (now - readAt > MAX_AGE_NANOS) {
            try {
                last = Resident.parse(Files.readAllLines(STATUS));
            } catch (IOException | RuntimeException e) {
                last = Resident.UNKNOWN;
            }
            readAt = now;
        }
        return last;
    }
}
