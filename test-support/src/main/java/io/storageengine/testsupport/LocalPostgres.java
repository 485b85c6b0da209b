package io.storageengine.testsupport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.storageengine.testsupport.internal.Exec;
import io.storageengine.testsupport.internal.PgInstall;
import io.storageengine.testsupport.internal.StalePostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server shared by every test in the JVM, run from the machine's binaries
 * (PostgreSQL 15 here) in a fresh directory {@code <java.io.tmpdir>/se-pg-XXXX}: {@code data/} (the
 * cluster), {@code postgres.log}, {@code owner.pid} (this JVM's pid, so a later run can stop and
 * remove clusters whose JVM was killed). It listens on 127.0.0.1 only, on a free port chosen at first
 * start and kept across {@link #restart()}, with its Unix socket inside that directory. Superuser
 * {@code se}, password {@code se}, password (scram) auth over TCP. Durability is off (fsync) to
 * keep tests fast; crash safety of the server itself is not under test.
 *
 * <p>As root, the server runs as an unprivileged OS user (see {@link PgInstall#serverUser()}).
 * Started lazily by {@link #shared()}; a shutdown hook stops it and deletes its directory.
 *
 * <p>External server: set {@code SE_TEST_PG_URL} (e.g. {@code jdbc:postgresql://127.0.0.1:55432/postgres}),
 * {@code SE_TEST_PG_USER} and {@code SE_TEST_PG_PASSWORD}; then {@link #stop()}, {@link #start()} and
 * {@link #restart()} throw {@link UnsupportedOperationException}.
 *
 * <p>Failover tests: {@link #startPrivate()} runs a server of the test's own (not shared),
 * {@link #startReplica()} a streaming replica of it (pg_basebackup -R, own directory and port),
 * {@link #promote()}, {@link #stopImmediate()} (a crash) and {@link #discard()} (stop and delete).
 *
 * <p>Thread-safe: lifecycle methods are synchronized; the rest is immutable.
 */
public final class LocalPostgres {

    public static final String URL_ENV = "SE_TEST_PG_URL";
    public static final String USER_ENV = "SE_TEST_PG_USER";
    public static final String PASSWORD_ENV = "SE_TEST_PG_PASSWORD";

    private static final Logger LOG = LoggerFactory.getLogger(LocalPostgres.class);
    private static final Duration PG_CTL_TIMEOUT = Duration.ofSeconds(90);
    private static final Pattern JDBC_URL = Pattern.compile("^(jdbc:postgresql://[^/?]+)(?:/([^?]*))?(\\?.*)?$");
    private static final String DEFAULT_USER = "se";
    private static final String DEFAULT_PASSWORD = "se";

    private final String urlPrefix;       // jdbc:postgresql://host:port
    private final String urlQuery;        // "" or "?..."
    private final String adminDatabase;   // where CREATE DATABASE runs
    private final String user;
    private final String password;
    private final Server server;          // null for an external server
    private final AtomicLong dbCounter = new AtomicLong();
    private final String runId = UUID.randomUUID().toString().substring(0, 6);

    private static final class Holder {
        static final LocalPostgres INSTANCE = create();
    }

    /** The managed server: paths, OS user and port, fixed for the JVM's lifetime. */
    private record Server(Path bin, String osUser, Path base, Path data, int port, Duration startupTime) {
        Path log() {
            return base.resolve("postgres.log");
        }
    }

    private LocalPostgres(String urlPrefix, String urlQuery, String adminDatabase, String user, String password,
                          Server server) {
        this.urlPrefix = urlPrefix;
        this.urlQuery = urlQuery;
        this.adminDatabase = adminDatabase;
        this.user = user;
        this.password = password;
        this.server = server;
    }

    /** The JVM-wide server, started on the first call (initdb + start, about 2 s), stopped when the JVM exits. */
    public static LocalPostgres shared() {
        return Holder.INSTANCE;
    }

    private static LocalPostgres create() {
        String url = System.getenv(URL_ENV);
        if (url != null && !url.isBlank()) {
            Matcher m = JDBC_URL.matcher(url.trim());
            if (!m.matches()) {
                throw new IllegalStateException(URL_ENV + " must look like jdbc:postgresql://host:port[/db][?params], got "
                        + url);
            }
            String db = m.group(2) == null || m.group(2).isEmpty() ? "postgres" : m.group(2);
            LOG.info("Using external PostgreSQL {} ({} is set)", m.group(1), URL_ENV);
            return new LocalPostgres(m.group(1), m.group(3) == null ? "" : m.group(3), db,
                    System.getenv().getOrDefault(USER_ENV, DEFAULT_USER),
                    System.getenv().getOrDefault(PASSWORD_ENV, DEFAULT_PASSWORD), null);
        }
        return createManaged(true);
    }

    /**
     * A server of the caller's own, not shared (initdb + start, about 2 s), for tests that crash,
     * replicate or promote it. Stop and delete it with {@link #discard()} (a shutdown hook does too).
     *
     * @throws UnsupportedOperationException when {@code SE_TEST_PG_URL} selects an external server
     */
    public static LocalPostgres startPrivate() {
        String url = System.getenv(URL_ENV);
        if (url != null && !url.isBlank()) {
            throw new UnsupportedOperationException("a private PostgreSQL needs the local binaries (" + URL_ENV + " is set)");
        }
        return createManaged(false);
    }

    private static LocalPostgres createManaged(boolean shared) {
        long t0 = System.nanoTime();
        Path bin = PgInstall.binDir();
        String osUser = PgInstall.serverUser();
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        if (shared) {
            StalePostgres.reap(tmp, bin);
        }
        try {
            Path base = Files.createTempDirectory(tmp, "se-pg-");
            Files.writeString(base.resolve("owner.pid"), Long.toString(ProcessHandle.current().pid()));
            Path data = base.resolve("data");
            Path pwfile = base.resolve("pwfile");
            Files.writeString(pwfile, DEFAULT_PASSWORD + "\n");
            PgInstall.chown(osUser, base);
            Exec.run(osUser, List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", DEFAULT_USER,
                    "--pwfile=" + pwfile, "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8",
                    "--locale=C", "--no-sync"), base, pgEnv(), PG_CTL_TIMEOUT).orThrow();
            Files.delete(pwfile);
            Server server = startOnFreePort(bin, osUser, base, data, t0);
            LocalPostgres pg = new LocalPostgres("jdbc:postgresql://127.0.0.1:" + server.port(), "", "postgres",
                    DEFAULT_USER, DEFAULT_PASSWORD, server);
            Runtime.getRuntime().addShutdownHook(new Thread(pg::destroy, "local-postgres-stop"));
            LOG.info("PostgreSQL ready at {} in {} ms (data {}, run as {})", pg.jdbcUrl("postgres"),
                    server.startupTime().toMillis(), data, osUser == null ? "current user" : osUser);
            return pg;
        } catch (IOException e) {
            throw new IllegalStateException("Could not prepare a PostgreSQL data directory in " + tmp + ": " + e, e);
        }
    }

    /** Picks a free port, writes it to postgresql.conf and starts; retries if another process took the port. */
    private static Server startOnFreePort(Path bin, String osUser, Path base, Path data, long t0) throws IOException {
        Exec.Result last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            int port = freePort();
            Files.writeString(data.resolve("postgresql.conf"), settings(base, port), StandardCharsets.UTF_8,
                    StandardOpenOption.APPEND);
            Server server = new Server(bin, osUser, base, data, port, Duration.ZERO);
            last = pgCtl(server, "start");
            if (last.ok()) {
                return new Server(bin, osUser, base, data, port, Duration.ofNanos(System.nanoTime() - t0));
            }
            String log = readLog(server);
            if (!log.contains("could not bind") && !log.contains("already in use")) {
                break;
            }
        }
        throw new IllegalStateException("PostgreSQL did not start: " + last.output() + "\nserver log:\n"
                + readLog(new Server(bin, osUser, base, data, 0, Duration.ZERO)));
    }

    private static String settings(Path base, int port) {
        return "\n# storage-engine test fixture (LocalPostgres); later lines win\n"
                + "listen_addresses = '127.0.0.1'\n"
                + "port = " + port + "\n"
                + "unix_socket_directories = '" + base + "'\n"
                + "max_connections = 200\n"
                + "shared_buffers = 64MB\n"
                + "fsync = off\n"
                + "synchronous_commit = off\n"
                + "wal_level = replica\n"
                + "max_wal_senders = 10\n"
                + "max_replication_slots = 10\n"
                + "logging_collector = off\n"
                + "log_min_messages = warning\n";
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    private static Map<String, String> pgEnv() {
        return Map.of("LC_ALL", "C", "LANG", "C", "TZ", "UTC");
    }

    private static Exec.Result pgCtl(Server s, String action) {
        List<String> cmd = switch (action) {
            case "start" -> List.of(s.bin().resolve("pg_ctl").toString(), "-D", s.data().toString(), "-l",
                    s.log().toString(), "-w", "-t", Long.toString(PG_CTL_TIMEOUT.toSeconds()), "start");
            case "stop" -> List.of(s.bin().resolve("pg_ctl").toString(), "-D", s.data().toString(), "-m", "fast",
                    "-w", "-t", Long.toString(PG_CTL_TIMEOUT.toSeconds()), "stop");
            case "status" -> List.of(s.bin().resolve("pg_ctl").toString(), "-D", s.data().toString(), "status");
            default -> throw new IllegalArgumentException(action);
        };
        return Exec.run(s.osUser(), cmd, s.base(), pgEnv(), PG_CTL_TIMEOUT.plusSeconds(10));
    }

    private static String readLog(Server s) {
        try {
            String log = Files.readString(s.log());
            return log.length() > 4000 ? log.substring(log.length() - 4000) : log;
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** JDBC URL of {@code database} on this server. */
    public String jdbcUrl(String database) {
        return urlPrefix + "/" + database + urlQuery;
    }

    public String user() {
        return user;
    }

    public String password() {
        return password;
    }

    /** Port the server listens on (-1 for an external server given without a port). */
    public int port() {
        Matcher m = Pattern.compile(":(\\d+)$").matcher(urlPrefix);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    /** Whether this fixture runs the server itself (false when {@code SE_TEST_PG_URL} is set). */
    public boolean isManaged() {
        return server != null;
    }

    /** Time from the first {@link #shared()} call to a running server (zero for an external server). */
    public Duration startupTime() {
        return server == null ? Duration.ZERO : server.startupTime();
    }

    /** A new connection to {@code database} as {@link #user()}; the caller closes it. */
    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), user, password);
    }

    /**
     * Creates a database with a name unique in this JVM and run ({@code <prefix>_<run>_<n>}, lower case,
     * non-alphanumerics replaced by '_') and returns that name.
     */
    public String createDatabase(String prefix) {
        String clean = prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        String name = (clean.isEmpty() || !Character.isLetter(clean.charAt(0)) ? "db_" + clean : clean)
                + "_" + runId + "_" + dbCounter.incrementAndGet();
        if (name.length() > 63) {
            name = name.substring(name.length() - 63);
            name = Character.isLetter(name.charAt(0)) ? name : "d" + name.substring(1);
        }
        try (Connection c = connect(adminDatabase); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE \"" + name + "\"");
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create database " + name + " on " + jdbcUrl(adminDatabase)
                    + ": " + e.getMessage(), e);
        }
        return name;
    }

    /**
     * Starts a streaming replica of this (managed) server: {@code pg_basebackup -R -X stream} into a
     * new directory, its own free port and socket directory, hot standby on. Returns once it accepts
     * connections. Same user and password; databases are those of this server.
     */
    public LocalPostgres startReplica() {
        Server s = requireManaged("replicate");
        try {
            Path base = Files.createTempDirectory(s.base().getParent(), "se-pg-");
            Files.writeString(base.resolve("owner.pid"), Long.toString(ProcessHandle.current().pid()));
            PgInstall.chown(s.osUser(), base);
            Path data = base.resolve("data");
            Exec.run(s.osUser(), List.of(s.bin().resolve("pg_basebackup").toString(), "-D", data.toString(), "-R",
                    "-X", "stream", "-c", "fast", "-h", s.base().toString(), "-p", Integer.toString(s.port()), "-U",
                    DEFAULT_USER), base, pgEnv(), PG_CTL_TIMEOUT).orThrow();
            long t0 = System.nanoTime();
            Server replica = startOnFreePort(s.bin(), s.osUser(), base, data, t0);
            LocalPostgres pg = new LocalPostgres("jdbc:postgresql://127.0.0.1:" + replica.port(), "", "postgres",
                    DEFAULT_USER, DEFAULT_PASSWORD, replica);
            Runtime.getRuntime().addShutdownHook(new Thread(pg::destroy, "local-postgres-replica-stop"));
            LOG.info("PostgreSQL replica of port {} ready at port {} (data {})", s.port(), replica.port(), data);
            return pg;
        } catch (IOException e) {
            throw new IllegalStateException("Could not prepare a replica directory: " + e, e);
        }
    }

    /** Promotes this replica to a primary ({@code pg_ctl promote -w}). */
    public synchronized void promote() {
        Server s = requireManaged("promote");
        Exec.run(s.osUser(), List.of(s.bin().resolve("pg_ctl").toString(), "-D", s.data().toString(), "-w", "-t",
                Long.toString(PG_CTL_TIMEOUT.toSeconds()), "promote"), s.base(), pgEnv(), PG_CTL_TIMEOUT.plusSeconds(10))
                .orThrow();
    }

    /** Stops the server with {@code -m immediate}: no checkpoint, clients cut off, as in a crash. */
    public synchronized void stopImmediate() {
        Server s = requireManaged("stop");
        if (isRunning(s)) {
            Exec.run(s.osUser(), List.of(s.bin().resolve("pg_ctl").toString(), "-D", s.data().toString(), "-m",
                    "immediate", "-w", "stop"), s.base(), pgEnv(), PG_CTL_TIMEOUT).orThrow();
        }
    }

    /** Stops a server from {@link #startPrivate()} or {@link #startReplica()} and deletes its directory. */
    public void discard() {
        requireManaged("discard"); // never on shared(): the JVM's shutdown hook stops that one
        destroy();
    }

    /** Stops the server (fast shutdown: open connections are terminated). No-op if already stopped. */
    public synchronized void stop() {
        Server s = requireManaged("stop");
        if (!isRunning(s)) {
            return;
        }
        Exec.Result r = pgCtl(s, "stop");
        if (!r.ok()) {
            throw new IllegalStateException("pg_ctl stop failed: " + r.output() + "\n" + readLog(s));
        }
    }

    /** Starts the server again on the same port with the same data. No-op if running. */
    public synchronized void start() {
        Server s = requireManaged("start");
        if (isRunning(s)) {
            return;
        }
        Exec.Result r = pgCtl(s, "start");
        if (!r.ok()) {
            throw new IllegalStateException("pg_ctl start failed (port " + s.port() + " taken meanwhile?): "
                    + r.output() + "\n" + readLog(s));
        }
    }

    /** {@link #stop()} then {@link #start()}: every open connection breaks, data is kept. */
    public synchronized void restart() {
        stop();
        start();
    }

    /** Whether the managed server is running (always true for an external server). */
    public synchronized boolean isRunning() {
        return server == null || isRunning(server);
    }

    private static boolean isRunning(Server s) {
        return pgCtl(s, "status").ok();
    }

    private Server requireManaged(String what) {
        if (server == null) {
            throw new UnsupportedOperationException("Cannot " + what + " an external PostgreSQL (" + URL_ENV
                    + " is set); unset it to let the test run its own server");
        }
        return server;
    }

    /** Shutdown hook: stop the server and delete its directory. */
    private void destroy() {
        try {
            synchronized (this) {
                if (isRunning(server)) {
                    pgCtl(server, "stop");
                }
            }
            StalePostgres.deleteTree(server.base());
        } catch (RuntimeException e) {
            LOG.warn("Stopping PostgreSQL in {} failed: {}", server.base(), e.toString());
        }
    }
}
