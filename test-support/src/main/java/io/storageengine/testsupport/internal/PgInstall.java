package io.storageengine.testsupport.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Finds the local PostgreSQL server binaries and the OS user to run them as.
 *
 * <p>Binaries: {@code SE_PG_BINDIR} if set, else {@code pg_config --bindir} when that directory has
 * {@code initdb}, else the newest {@code /usr/lib/postgresql/<version>/bin} (Debian's layout, where
 * {@code pg_config} may come from the client package and point at {@code /usr/bin}).
 *
 * <p>OS user: PostgreSQL refuses to run as root. As root we run it through {@code runuser} as
 * {@code SE_TEST_PG_OS_USER}, else {@code postgres} if it exists, else a system user {@code sepg}
 * created on the spot. As any other user, we run it directly (null user). Stateless; thread-safe.
 */
public final class PgInstall {

    private static final Duration SHORT = Duration.ofSeconds(30);

    private PgInstall() {
    }

    /** The directory holding initdb, pg_ctl and postgres. */
    public static Path binDir() {
        String env = System.getenv("SE_PG_BINDIR");
        if (env != null && !env.isBlank()) {
            Path p = Path.of(env.trim());
            requireInitdb(p, "SE_PG_BINDIR");
            return p;
        }
        Exec.Result r = Exec.run(null, List.of("pg_config", "--bindir"), null, Map.of(), SHORT);
        if (r.ok()) {
            Path p = Path.of(r.output().trim());
            if (Files.isExecutable(p.resolve("initdb"))) {
                return p;
            }
        }
        Path debian = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (Stream<Path> versions = Files.list(debian)) {
                var best = versions.map(v -> v.resolve("bin"))
                        .filter(b -> Files.isExecutable(b.resolve("initdb")))
                        .max(Comparator.comparingInt(PgInstall::majorVersionOf));
                if (best.isPresent()) {
                    return best.get();
                }
            } catch (IOException e) {
                // fall through to the error below
            }
        }
        throw new IllegalStateException("No PostgreSQL server binaries found (initdb): install postgresql-15 "
                + "(apt-get install -y postgresql-15), or set SE_PG_BINDIR, or set SE_TEST_PG_URL to use an "
                + "external server");
    }

    private static int majorVersionOf(Path bin) {
        try {
            return Integer.parseInt(bin.getParent().getFileName().toString());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static void requireInitdb(Path dir, String source) {
        if (!Files.isExecutable(dir.resolve("initdb"))) {
            throw new IllegalStateException(source + "=" + dir + " has no executable initdb");
        }
    }

    /** Whether this JVM runs as root (uid 0). */
    public static boolean runningAsRoot() {
        Exec.Result r = Exec.run(null, List.of("id", "-u"), null, Map.of(), SHORT);
        return r.ok() && r.output().trim().equals("0");
    }

    /** The unprivileged OS user to run PostgreSQL as, or null to run it as the current user. */
    public static String serverUser() {
        if (!runningAsRoot()) {
            return null;
        }
        String env = System.getenv("SE_TEST_PG_OS_USER");
        if (env != null && !env.isBlank()) {
            return env.trim();
        }
        if (userExists("postgres")) {
            return "postgres";
        }
        String user = "sepg";
        if (!userExists(user)) {
            Exec.Result r = Exec.run(null, List.of("useradd", "--system", "--no-create-home",
                    "--shell", "/usr/sbin/nologin", user), null, Map.of(), SHORT);
            if (!r.ok() && !userExists(user)) { // a concurrent JVM may have created it meanwhile
                throw new IllegalStateException("Running as root, no 'postgres' user, and creating user '" + user
                        + "' failed: " + r.output() + "\nCreate an unprivileged user and set SE_TEST_PG_OS_USER.");
            }
        }
        return user;
    }

    private static boolean userExists(String user) {
        return Exec.run(null, List.of("id", "-u", user), null, Map.of(), SHORT).ok();
    }

    /** Gives {@code dir} and everything below it to {@code user} (no-op when user is null). */
    public static void chown(String user, Path dir) {
        if (user != null) {
            Exec.run(null, List.of("chown", "-R", user + ":", dir.toString()), null, Map.of(), SHORT).orThrow();
        }
    }
}
