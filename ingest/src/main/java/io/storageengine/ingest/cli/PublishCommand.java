package io.storageengine.ingest.cli;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.storageengine.ingest.config.IngestConfig;
import io.storageengine.ingest.decode.DecodeSummary;
import io.storageengine.ingest.pgwal.DurableLsn;
import io.storageengine.ingest.pgwal.PgReplicationSource;
import io.storageengine.ingest.pgwal.PgWalIngest;
import io.storageengine.ingest.pgwal.PgWalResult;
import io.storageengine.ingest.publish.PublishException;
import io.storageengine.ingest.publish.PublishResult;
import io.storageengine.ingest.publish.WalPublisher;
import io.storageengine.ingest.relations.RelationTracking;
import io.storageengine.schemas.kafka.RelationTopic;
import io.storageengine.ingest.source.StreamSource;
import io.storageengine.runtime.admin.AdminServer;
import io.storageengine.runtime.admin.AdminSocket;
import io.storageengine.runtime.admin.Health;
import io.storageengine.schemas.timeline.TimelineKey;
import io.storageengine.schemas.wal.Lsn;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code publish --tenant T --timeline L [--bootstrap B] [--topic T] [--compression C] [--metrics-port P]
 * [--summary-json] [--quiet] FILE | - | --listen PORT [--max-connections N] | --pg-wal DIR [--start-lsn X/Y]
 * [--end-lsn X/Y] | --pg-url URL ... [--no-relations]}: decodes each stream (or PostgreSQL WAL segment files, {@link PgWalIngest}) and
 * publishes it with one {@link WalPublisher}. Prints a summary line per stream (stdout), a progress
 * line every second (stderr). Single-threaded apart from the progress and metrics threads.
 */
final class PublishCommand {
    static final String USAGE = """
            publish --tenant T --timeline L [--bootstrap HOST:PORT] [--topic wal] [--compression lz4|none|zstd]
                    [--metrics-port P] [--summary-json] [--quiet] FILE | - | --listen PORT [--max-connections N]
                    | --pg-wal DIR [--start-lsn X/Y] [--end-lsn X/Y]   (PostgreSQL 15 WAL segment files)
                    | --pg-url postgresql://USER:PASSWORD@HOST:PORT/DB [--slot NAME [--create-slot]] [--start-lsn X/Y]
                      [--end-lsn X/Y]   (live, physical replication; resumes from the newest LSN durable in Kafka)
                    With --pg-wal or --pg-url, relation sizes go to <topic>-relations unless --no-relations.""";

    private PublishCommand() {
    }

    static int run(String[] argv, PrintStream out, PrintStream err) throws IOException {
        Args a = new Args(argv, 1, Set.of("tenant", "timeline", "bootstrap", "topic", "compression", "metrics-port",
                "listen", "max-connections", "pg-wal", "start-lsn", "end-lsn", "pg-url", "slot"),
                Set.of("summary-json", "quiet", "create-slot", "no-relations"));
        TimelineKey timeline;
        try {
            timeline = TimelineKey.of(a.require("tenant"), a.require("timeline"));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        IngestConfig config = IngestConfig.load();
        if (a.has("bootstrap")) {
            config = config.withBootstrap(a.require("bootstrap"));
        }
        if (a.has("topic")) {
            config = config.withTopic(a.require("topic"));
        }
        if (a.has("compression")) {
            config = config.withCompression(a.require("compression"));
        }
        if (a.has("metrics-port")) {
            config = config.withMetricsPort(a.getInt("metrics-port", 0));
        }
        StreamSource source;
        PgWalArgs pgWal = null;
        PgUrlArgs pgUrl = null;
        if (a.has("pg-url")) {
            if (a.has("pg-wal") || a.has("listen") || !a.positional().isEmpty()) {
                throw new UsageException("give --pg-url alone, without --pg-wal, FILE|- or --listen");
            }
            pgUrl = PgUrlArgs.parse(a);
            source = null;
        } else if (a.has("slot") || a.has("create-slot")) {
            throw new UsageException("--slot and --create-slot go with --pg-url");
        } else if (a.has("pg-wal")) {
            if (a.has("listen") || !a.positional().isEmpty()) {
                throw new UsageException("give --pg-wal DIR alone, without FILE|- or --listen");
            }
            pgWal = PgWalArgs.parse(a);
            source = null; // the WAL directory is read by PgWalIngest
        } else if (a.has("start-lsn") || a.has("end-lsn")) {
            throw new UsageException("--start-lsn and --end-lsn go with --pg-wal DIR or --pg-url URL");
        } else if (a.has("listen")) {
            if (!a.positional().isEmpty()) {
                throw new UsageException("give either --listen PORT or FILE|-, not both");
            }
            source = StreamSource.tcp(a.getInt("listen", 0), a.getInt("max-connections", 0));
        } else {
            if (a.positional().size() != 1) {
                throw new UsageException("publish needs one input: FILE, - (standard input) or --listen PORT");
            }
            source = StreamSource.of(a.positional().get(0));
        }
        boolean json = a.has("summary-json");

        MeterRegistry registry;
        AdminServer endpoint = null; // /metrics and /health, the runtime library's admin server
        if (config.metrics().port() > 0) {
            PrometheusMeterRegistry prom = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            endpoint = AdminServer.start(AdminSocket.onPort(config.metrics().port()), prom, Health.up());
            registry = prom;
        } else {
            registry = new SimpleMeterRegistry();
        }
        int[] worst = {0};
        ScheduledExecutorService progress = null;
        // the hook waits for this latch, not for the main thread: main ends in System.exit, which
        // blocks while shutdown hooks run, so joining it would always wait for the full 30 s
        CountDownLatch finished = new CountDownLatch(1);
        AtomicBoolean stop = new AtomicBoolean();
        Thread hook = new Thread(() -> {
            stop.set(true); // a live PostgreSQL source stops between records and commits
            closeQuietly(source); // a listener stops accepting; the current stream ends at its source's end
            try {
                finished.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, "se-ingest-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try (WalPublisher publisher = WalPublisher.create(config, timeline, registry); source) {
            if (!a.has("quiet")) {
                progress = startProgress(publisher, err);
            }
            RelationTracking relations = null;
            if ((pgUrl != null || pgWal != null) && !a.has("no-relations")) {
                publisher.enableRelations(); // the relations topic must exist (PublishException otherwise)
                relations = RelationTracking.fromTopic(config.kafka().bootstrap(),
                        RelationTopic.nameFor(config.kafka().topic()), timeline);
            }
            if (pgUrl != null) {
                long t0 = System.nanoTime();
                long durable = DurableLsn.newestWatermark(config, timeline, 1_000_000);
                PgWalResult r = new PgReplicationSource(pgUrl.target(), pgUrl.slot(), pgUrl.createSlot(),
                        java.time.Duration.ofSeconds(1)).run(publisher, durable, pgUrl.start(), pgUrl.end(), stop::get,
                        relations);
                double seconds = (System.nanoTime() - t0) / 1e9;
                worst[0] = Math.max(worst[0], r.exitCode());
                if (r.error() != null) {
                    err.println("ingest: " + r.error());
                }
                printMap(out, json, r.toMap(), r.stats().frameBytes(), r.exitCode(), seconds);
                return worst[0];
            }
            if (pgWal != null) {
                long t0 = System.nanoTime();
                PgWalResult r = PgWalIngest.publishSegments(publisher, pgWal.dir(), pgWal.start(), pgWal.end(),
                        relations);
                double seconds = (System.nanoTime() - t0) / 1e9;
                worst[0] = Math.max(worst[0], r.exitCode());
                if (r.error() != null) {
                    err.println("ingest: " + r.error());
                }
                printMap(out, json, r.toMap(), r.stats().frameBytes(), r.exitCode(), seconds);
                return worst[0];
            }
            source.run((name, in) -> {
                long t0 = System.nanoTime();
                PublishResult r = publisher.publish(in);
                double seconds = (System.nanoTime() - t0) / 1e9;
                worst[0] = Math.max(worst[0], r.exitCode());
                print(out, json, name, r, seconds);
                return r.publishError() == null;
            });
        } catch (PublishException e) {
            err.println("ingest: " + e.getMessage());
            worst[0] = 3;
        } catch (NoSuchFileException e) {
            throw new UsageException("cannot read " + e.getFile() + ": " + e.getReason());
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running and waits for us
            }
            if (progress != null) {
                progress.shutdownNow();
            }
            if (endpoint != null) {
                endpoint.close();
            }
            finished.countDown();
        }
        return worst[0];
    }

    private static void print(PrintStream out, boolean json, String name, PublishResult r, double seconds) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("stream", name);
        m.putAll(r.toMap());
        printMap(out, json, m, r.bytes(), r.exitCode(), seconds);
    }

    /** --pg-url URL [--slot NAME [--create-slot]] [--start-lsn X/Y] [--end-lsn X/Y], checked. */
    record PgUrlArgs(PgReplicationSource.Target target, String slot, boolean createSlot, Lsn start, Lsn end) {
        static PgUrlArgs parse(Args a) {
            if (a.has("create-slot") && !a.has("slot")) {
                throw new UsageException("--create-slot needs --slot NAME");
            }
            try {
                return new PgUrlArgs(PgReplicationSource.Target.parse(a.require("pg-url")),
                        a.has("slot") ? a.require("slot") : null, a.has("create-slot"),
                        a.has("start-lsn") ? Lsn.parse(a.require("start-lsn")) : null,
                        a.has("end-lsn") ? Lsn.parse(a.require("end-lsn")) : null);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
        }
    }

    /** --pg-wal DIR [--start-lsn X/Y] [--end-lsn X/Y], checked. */
    record PgWalArgs(Path dir, Lsn start, Lsn end) {
        static PgWalArgs parse(Args a) {
            Path dir = Path.of(a.require("pg-wal"));
            if (!Files.isDirectory(dir)) {
                throw new UsageException("--pg-wal " + dir + " is not a directory");
            }
            try {
                Lsn start = a.has("start-lsn") ? Lsn.parse(a.require("start-lsn")) : null;
                Lsn end = a.has("end-lsn") ? Lsn.parse(a.require("end-lsn")) : null;
                if (start != null && end != null && end.isBefore(start)) {
                    throw new UsageException("--end-lsn " + end + " is before --start-lsn " + start);
                }
                return new PgWalArgs(dir, start, end);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
        }
    }

    private static void printMap(PrintStream out, boolean json, Map<String, Object> fields, long bytes, int exit,
                                 double seconds) {
        Map<String, Object> m = new LinkedHashMap<>(fields);
        m.put("seconds", Math.round(seconds * 1000) / 1000.0);
        m.put("mb_per_s", Math.round(bytes / 1e6 / Math.max(seconds, 1e-9) * 10) / 10.0);
        m.put("exit", exit);
        if (json) {
            out.println(Json.line(m));
        } else {
            StringBuilder sb = new StringBuilder("ingest:");
            m.forEach((k, v) -> {
                String s = String.valueOf(v);
                sb.append(' ').append(k).append('=').append(s.contains(" ") ? '"' + s + '"' : s);
            });
            out.println(sb);
        }
        out.flush();
    }

    private static ScheduledExecutorService startProgress(WalPublisher publisher, PrintStream err) {
        ScheduledExecutorService ex = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "se-ingest-progress");
            t.setDaemon(true);
            return t;
        });
        long t0 = System.nanoTime();
        long[] last = {t0, 0};
        ex.scheduleAtFixedRate(() -> {
            DecodeSummary d = publisher.decodeTotals();
            long now = System.nanoTime();
            double mb = d.bytes() / 1e6;
            double rate = (d.bytes() - last[1]) / 1e6 / ((now - last[0]) / 1e9);
            last[0] = now;
            last[1] = d.bytes();
            err.printf("ingest: %.0f s, %d records, %.1f MB in, %.1f MB/s, LSN %s, watermark %s, corrupt %d, rejected %d%n",
                    (now - t0) / 1e9, publisher.recordsPublished(), mb, rate, Lsn.format(publisher.currentLsn()),
                    Lsn.format(publisher.watermarkLsn()), d.corruptFrames(), d.rejected());
        }, 1, 1, TimeUnit.SECONDS);
        return ex;
    }

    private static void closeQuietly(StreamSource s) {
        if (s == null) {
            return;
        }
        try {
            s.close();
        } catch (IOException | RuntimeException ignored) {
            // stopping
        }
    }
}
