package io.storageengine.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private Prometheus server for fault tests: which alert of {@code monitoring/alerts.yml} a fault
 * made pending or firing. Runs Debian's {@code prometheus} binary ({@code SE_PROMETHEUS_BIN}, else
 * {@code /usr/bin/prometheus}, else the {@code PATH}) in a child process on
 * {@code 127.0.0.1:<free port>}, with its TSDB in a temporary directory (deleted by {@link #close()})
 * and a generated {@code prometheus.yml}: scrape and rule evaluation every second, {@code rule_files}
 * the repository's {@code monitoring/alerts.yml} (found from the working directory upwards) as
 * written, {@code for:} durations included. {@link #addTarget} adds a {@code host:port} to a scrape
 * job (the job name is the {@code job} label the rules select: {@code page-service},
 * {@code compactor}, {@code ingest}); the configuration is rewritten and reloaded through
 * {@code POST /-/reload} ({@code --web.enable-lifecycle}); {@link #awaitScraped} waits for a first
 * successful scrape, so a fault injected afterwards is seen as a change. A background thread polls
 * {@code /api/v1/alerts} every 250 ms and records every alert instance (name and labels, from the
 * time it became pending, {@code activeAt}) with when it was first seen firing and last seen: at
 * most {@value #MAX_ALERTS} instances (more are counted, not kept). "Pending" means the rule's
 * expression was true (the condition it watches was detected), "firing" that its {@code for:} also
 * elapsed; a fault of 10-30 s usually ends before a {@code for: 1m} does.
 *
 * <p>Missing binary: {@link #start} throws with what to install (CI installs it, see {@code .ci/run});
 * a test using it fails rather than skips. Output goes to {@code target/it-prometheus-<label>.log}
 * (relative to the working directory, a module's directory under Failsafe). {@link #close()} kills
 * the process tree and deletes the data; a JVM shutdown hook does the same if a test forgot to.
 *
 * <p>Thread-safe: {@link #addTarget} and the lifecycle are synchronized; the recorded alerts are
 * read through synchronized snapshots.
 */
public final class PrometheusProcess implements AutoCloseable {
    /** Most alert instances kept; {@link #alertsDropped()} counts the rest. */
    public static final int MAX_ALERTS = 512;
    /** Time after a fault's end during which its alerts may still appear: a scrape, an evaluation, a poll. */
    public static final Duration SETTLE = Duration.ofSeconds(3);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration POLL = Duration.ofMillis(250);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One alert instance: {@code name} (alertname) and its other labels, {@code activeAt} when its
     * expression first held (Prometheus's own time), {@code firstFiring} when it was first seen
     * firing (null if never), {@code lastSeen} the last poll that listed it.
     */
    public record Alert(String name, Map<String, String> labels, Instant activeAt, Instant firstFiring, Instant lastSeen) {
        public boolean fired() {
            return firstFiring != null;
        }

        public String state() {
            return fired() ? "firing" : "pending";
        }
    }

    private final String label;
    private final Path dir;
    private final Path rules;
    private final Path log;
    private final int port;
    private final Process process;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Map<String, Set<String>> targets = new TreeMap<>();
    private final Map<String, Alert> alerts = new LinkedHashMap<>(); // key: name, labels, activeAt
    private final Thread poller;
    private final Thread shutdownHook;
    private long dropped;
    private int pollFailures;
    private volatile boolean closed;

    private PrometheusProcess(String label, Path dir, Path rules, Path log, int port, Process process) {
        this.label = label;
        this.dir = dir;
        this.rules = rules;
        this.log = log;
        this.port = port;
        this.process = process;
        this.shutdownHook = new Thread(this::stopProcess, "prometheus-" + label + "-stop");
        this.poller = Thread.ofPlatform().daemon().name("prometheus-" + label + "-alerts").unstarted(this::pollLoop);
    }

    /**
     * Starts Prometheus with no targets and waits until it is ready (about a second). Throws
     * {@link IllegalStateException} with what to install if there is no {@code prometheus} binary,
     * and if {@code monitoring/alerts.yml} cannot be found above the working directory.
     */
    public static PrometheusProcess start(String label) throws IOException, InterruptedException {
        Path binary = binary(System.getenv());
        Path rules = rulesFile();
        Path dir = Files.createTempDirectory("se-prometheus-");
        String safe = label.replaceAll("[^A-Za-z0-9_.-]+", "-");
        Path logDir = Files.isDirectory(Path.of("target")) ? Path.of("target") : dir;
        Path log = logDir.resolve("it-prometheus-" + safe + ".log");
        int port = KafkaBrokerProcess.freePort();
        writeConfig(dir, rules, Map.of());
        ProcessBuilder pb = new ProcessBuilder(binary.toString(),
                "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"),
                "--storage.tsdb.retention.time=1d",
                "--web.listen-address=127.0.0.1:" + port,
                "--web.enable-lifecycle");
        pb.redirectErrorStream(true);
        pb.redirectOutput(log.toFile());
        PrometheusProcess p = new PrometheusProcess(safe, dir, rules, log, port, pb.start());
        Runtime.getRuntime().addShutdownHook(p.shutdownHook);
        try {
            p.awaitReady();
        } catch (IOException | InterruptedException | RuntimeException e) {
            p.close();
            throw e;
        }
        p.poller.start();
        return p;
    }

    /** The binary to run: {@code SE_PROMETHEUS_BIN}, {@code /usr/bin/prometheus}, or {@code prometheus} on the PATH. */
    static Path binary(Map<String, String> environment) {
        String env = environment.get("SE_PROMETHEUS_BIN");
        List<Path> candidates = new ArrayList<>();
        if (env != null && !env.isBlank()) {
            candidates.add(Path.of(env));
        } else {
            candidates.add(Path.of("/usr/bin/prometheus"));
            for (String d : environment.getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
                if (!d.isEmpty()) {
                    candidates.add(Path.of(d, "prometheus"));
                }
            }
        }
        for (Path c : candidates) {
            if (Files.isRegularFile(c) && Files.isExecutable(c)) {
                return c;
            }
        }
        throw new IllegalStateException("no Prometheus binary (looked for " + (env != null && !env.isBlank()
                ? "SE_PROMETHEUS_BIN=" + env : "/usr/bin/prometheus and prometheus on the PATH")
                + "): the fault ITs report which alert of monitoring/alerts.yml each fault raised and need it. "
                + "Install Debian's package: apt-get install prometheus, then systemctl disable --now prometheus "
                + "(its service would take port 9090); .ci/run installs it that way. Or set SE_PROMETHEUS_BIN.");
    }

    /** {@code monitoring/alerts.yml} of the repository: the first one found from the working directory upwards. */
    static Path rulesFile() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path f = d.resolve("monitoring").resolve("alerts.yml");
            if (Files.isRegularFile(f)) {
                return f;
            }
        }
        throw new IllegalStateException("monitoring/alerts.yml not found above " + Path.of("").toAbsolutePath());
    }

    private static void writeConfig(Path dir, Path rules, Map<String, Set<String>> targets) throws IOException {
        StringBuilder y = new StringBuilder()
                .append("# Generated by test-support PrometheusProcess: monitoring/alerts.yml, scraped and evaluated every second.\n")
                .append("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n")
                .append("rule_files:\n  - \"").append(rules).append("\"\n")
                .append("scrape_configs:");
        if (targets.isEmpty()) {
            y.append(" []\n");
        } else {
            y.append('\n');
            targets.forEach((job, list) -> {
                y.append("  - job_name: \"").append(job).append("\"\n    static_configs:\n      - targets: [");
                y.append(String.join(", ", list.stream().map(t -> "\"" + t + "\"").toList())).append("]\n");
            });
        }
        Path tmp = dir.resolve("prometheus.yml.tmp");
        Files.writeString(tmp, y.toString());
        Files.move(tmp, dir.resolve("prometheus.yml"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private void awaitReady() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("prometheus exited with " + process.exitValue() + ": " + logTail());
            }
            try {
                if (get("/-/ready").statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("prometheus not ready within " + START_TIMEOUT + ": " + logTail());
            }
            Thread.sleep(50);
        }
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return log + ": " + String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "(no log at " + log + ")";
        }
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url() + path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** {@code http://127.0.0.1:<port>}. */
    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** The temporary directory (configuration, TSDB); gone after {@link #close()}. */
    Path dir() {
        return dir;
    }

    /** The rule file in use. */
    public Path rules() {
        return rules;
    }

    /**
     * Adds {@code hostPort} to scrape job {@code job} (created if new; {@code /metrics}) and reloads
     * the configuration. Adding a target twice changes nothing. Scraping starts within about 2 s:
     * {@link #awaitScraped} waits for it.
     */
    public synchronized void addTarget(String job, String hostPort) throws IOException, InterruptedException {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        if (!targets.computeIfAbsent(job, j -> new LinkedHashSet<>()).add(hostPort)) {
            return;
        }
        writeConfig(dir, rules, targets);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url() + "/-/reload"))
                .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("prometheus reload answered " + r.statusCode() + ": " + r.body());
        }
    }

    /**
     * Waits until target {@code hostPort} of {@code job} has been scraped successfully (health up)
     * and its samples are queryable, so that {@code up} and counters have a first value before a
     * fault. Throws after {@code timeout}.
     */
    public void awaitScraped(String job, String hostPort, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String query = "/api/v1/query?query=" + java.net.URLEncoder.encode(
                "up{job=\"" + job + "\",instance=\"" + hostPort + "\"} == 1", java.nio.charset.StandardCharsets.UTF_8);
        String last = "";
        while (true) {
            HttpResponse<String> r = get(query);
            if (r.statusCode() == 200) {
                JsonNode result = JSON.readTree(r.body()).path("data").path("result");
                if (result.isArray() && !result.isEmpty()) {
                    return;
                }
            }
            last = targetStatus(job, hostPort);
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("prometheus did not scrape " + job + " " + hostPort + " within " + timeout
                        + " (" + last + ")");
            }
            Thread.sleep(200);
        }
    }

    private String targetStatus(String job, String hostPort) throws IOException, InterruptedException {
        JsonNode active = JSON.readTree(get("/api/v1/targets").body()).path("data").path("activeTargets");
        for (JsonNode t : active) {
            if (job.equals(t.path("labels").path("job").asText()) && hostPort.equals(t.path("labels").path("instance").asText())) {
                return "health " + t.path("health").asText() + ", last error " + t.path("lastError").asText();
            }
        }
        return "not a target yet";
    }

    private void pollLoop() {
        while (!closed) {
            try {
                HttpResponse<String> r = get("/api/v1/alerts");
                if (r.statusCode() == 200) {
                    record(JSON.readTree(r.body()).path("data").path("alerts"), Instant.now());
                }
            } catch (IOException e) {
                synchronized (this) {
                    pollFailures++;
                }
            } catch (InterruptedException e) {
                return;
            }
            try {
                Thread.sleep(POLL);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private synchronized void record(JsonNode list, Instant now) {
        for (JsonNode a : list) {
            Map<String, String> labels = new TreeMap<>();
            for (Map.Entry<String, JsonNode> e : a.path("labels").properties()) {
                labels.put(e.getKey(), e.getValue().asText());
            }
            String name = labels.remove("alertname");
            if (name == null) {
                continue;
            }
            Instant activeAt = parseTime(a.path("activeAt").asText(), now);
            boolean firing = "firing".equals(a.path("state").asText());
            String key = name + labels + "@" + activeAt;
            Alert old = alerts.get(key);
            if (old == null) {
                if (alerts.size() >= MAX_ALERTS) {
                    dropped++;
                    continue;
                }
                alerts.put(key, new Alert(name, Map.copyOf(labels), activeAt, firing ? now : null, now));
            } else {
                alerts.put(key, new Alert(name, old.labels(), old.activeAt(),
                        old.firstFiring() != null ? old.firstFiring() : firing ? now : null, now));
            }
        }
    }

    private static Instant parseTime(String text, Instant fallback) {
        try {
            return Instant.parse(text);
        } catch (RuntimeException e) {
            return fallback;
        }
    }

    /** Every alert instance seen pending or firing so far, in the order they were first seen. */
    public synchronized List<Alert> alertsSeen() {
        return List.copyOf(alerts.values());
    }

    /** Alert instances active at some time within [{@code from}, {@code to}], ordered by {@code activeAt}. */
    public synchronized List<Alert> alertsSeen(Instant from, Instant to) {
        return alerts.values().stream()
                .filter(a -> !a.activeAt().isAfter(to) && !a.lastSeen().isBefore(from))
                .sorted(Comparator.comparing(Alert::activeAt)).toList();
    }

    /** Alert instances not kept because {@value #MAX_ALERTS} were. */
    public synchronized long alertsDropped() {
        return dropped;
    }

    /**
     * The alerts of a fault, for a table cell: every alert name active between {@code from} (the
     * fault's start) and {@code servingAgain} + {@link #SETTLE}, with its state and the time it
     * became pending (and firing) relative to {@code from}, e.g.
     * {@code PageServiceDown pending +1.8 s; PageServiceNotReady pending +6.0 s}; alerts already
     * pending before {@code from} are listed last as {@code active before: ...} ({@link #describe}).
     * Waits until {@code servingAgain} + {@link #SETTLE} has passed, so late evaluations are in.
     */
    public String alertsDuring(Instant from, Instant servingAgain) throws InterruptedException {
        return alertsDuring(from, servingAgain, Map.of());
    }

    /**
     * {@link #alertsDuring(Instant, Instant)}, naming the instances: an alert of an instance
     * ({@code host:port} label) that {@code instanceNames} names gets {@code on <name>} appended.
     */
    public String alertsDuring(Instant from, Instant servingAgain, Map<String, String> instanceNames)
            throws InterruptedException {
        Instant to = servingAgain.plus(SETTLE);
        long wait = Duration.between(Instant.now(), to).toMillis();
        if (wait > 0) {
            Thread.sleep(wait);
        }
        Thread.sleep(POLL.toMillis() * 2); // the poll that covers `to`
        return describe(alertsSeen(from, to), from, instanceNames);
    }

    /**
     * The table cell of {@link #alertsDuring}: per alert name raised at or after {@code from}, in
     * the order they became pending, {@code <name> pending +<s> s[, firing +<s> s][ (<n> instances)]};
     * then the names already pending before {@code from} (raised by something else, e.g. the
     * test's start-up) as {@code active before: <name>, ...}; {@code none} if there are neither.
     */
    public static String describe(List<Alert> seen, Instant from) {
        return describe(seen, from, Map.of());
    }

    /** {@link #describe(List, Instant)} with {@code on <name>} for the instances {@code instanceNames} names. */
    public static String describe(List<Alert> seen, Instant from, Map<String, String> instanceNames) {
        Map<String, List<Alert>> raised = new LinkedHashMap<>();
        Set<String> before = new LinkedHashSet<>();
        for (Alert a : seen) {
            if (a.activeAt().isBefore(from)) {
                before.add(a.name());
            } else {
                raised.computeIfAbsent(a.name(), n -> new ArrayList<>()).add(a);
            }
        }
        List<String> parts = new ArrayList<>();
        raised.forEach((name, list) -> {
            Instant firing = list.stream().map(Alert::firstFiring).filter(java.util.Objects::nonNull)
                    .min(Comparator.naturalOrder()).orElse(null);
            StringBuilder s = new StringBuilder(name).append(" pending ").append(offset(from, list.getFirst().activeAt()));
            if (firing != null) {
                s.append(", firing ").append(offset(from, firing));
            }
            if (list.size() > 1) {
                s.append(" (").append(list.size()).append(" instances)");
            }
            List<String> on = list.stream().map(a -> instanceNames.get(a.labels().get("instance")))
                    .filter(java.util.Objects::nonNull).distinct().toList();
            if (!on.isEmpty()) {
                s.append(" on ").append(String.join(", ", on));
            }
            parts.add(s.toString());
        });
        if (!before.isEmpty()) {
            parts.add("active before: " + String.join(", ", before));
        }
        return parts.isEmpty() ? "none" : String.join("; ", parts);
    }

    private static String offset(Instant from, Instant at) {
        return String.format(Locale.ROOT, "+%.1f s", Duration.between(from, at).toMillis() / 1e3);
    }

    private void stopProcess() {
        ProcessHandle h = process.toHandle();
        List<ProcessHandle> children = h.descendants().toList();
        process.destroy(); // SIGTERM: Prometheus closes its TSDB
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        children.forEach(ProcessHandle::destroyForcibly);
        deleteRecursively(dir);
    }

    private static void deleteRecursively(Path d) {
        if (!Files.exists(d)) {
            return;
        }
        try (Stream<Path> files = Files.walk(d)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // best effort: a temporary directory
        }
    }

    /** Stops the poller, kills the process tree (SIGTERM, SIGKILL after 10 s) and deletes the data directory. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        poller.interrupt();
        stopProcess();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException ignored) {
            // the JVM is shutting down: the hook runs (or ran) anyway
        }
    }

    @Override
    public String toString() {
        return "PrometheusProcess[" + label + " " + url() + ", rules " + rules + ", pollFailures " + pollFailures + "]";
    }
}
