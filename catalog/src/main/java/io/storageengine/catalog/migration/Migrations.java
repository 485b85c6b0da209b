package io.storageengine.catalog.migration;

import io.storageengine.catalog.connection.ConnectionSource;
import io.storageengine.catalog.CatalogException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the catalog's schema migrations, {@code db/migration/V<n>__<description>.sql} listed in
 * order in {@code db/migration/index.txt} on the classpath. One transaction holds a
 * transaction-scoped advisory lock (so processes starting at once apply each migration exactly
 * once; the others wait, then find nothing to do), creates {@code schema_version} if needed,
 * checks the checksums of applied migrations and applies the missing ones. Idempotent. A
 * migration changed after it was applied, or a database newer than the code, is refused
 * ({@link CatalogException}). {@code Catalog.open} runs {@link #migrate} before anything else.
 * Stateless.
 */
public final class Migrations {
    private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);
    /** Advisory lock key: "SECATLOG" as ASCII. */
    public static final long LOCK_KEY = 0x53454341544C4F47L;
    private static final Pattern NAME = Pattern.compile("V(\\d+)__([A-Za-z0-9_]+)\\.sql");

    public record Migration(int version, String description, String file, String sql, long checksum) {
    }

    private Migrations() {
    }

    /** Loads the migrations and applies the missing ones in one transaction; returns how many it applied. */
    public static int migrate(ConnectionSource connections) {
        List<Migration> migrations = load();
        return connections.transaction("migrate", c -> apply(c, migrations));
    }

    public static List<Migration> load() {
        String index = resource("index.txt");
        List<Migration> out = new ArrayList<>();
        for (String line : index.split("\n")) {
            String name = line.strip();
            if (name.isEmpty() || name.startsWith("#")) {
                continue;
            }
            Matcher m = NAME.matcher(name);
            if (!m.matches()) {
                throw new IllegalStateException("migration file name " + name + " is not V<n>__<description>.sql");
            }
            int version = Integer.parseInt(m.group(1));
            if (version != out.size() + 1) {
                throw new IllegalStateException("migration " + name + " out of sequence: expected V" + (out.size() + 1));
            }
            String sql = resource(name);
            CRC32C crc = new CRC32C();
            crc.update(sql.getBytes(StandardCharsets.UTF_8));
            out.add(new Migration(version, m.group(2).replace('_', ' '), name, sql, crc.getValue()));
        }
        return out;
    }

    /** Applies missing migrations inside the caller's transaction; returns how many it applied. */
    public static int apply(Connection c, List<Migration> migrations) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SELECT pg_advisory_xact_lock(" + LOCK_KEY + ")");
            s.execute("CREATE TABLE IF NOT EXISTS schema_version (version int PRIMARY KEY, description text NOT NULL, "
                    + "file text NOT NULL, checksum bigint NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
        }
        Map<Integer, Long> applied = new HashMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT version, checksum FROM schema_version")) {
            while (rs.next()) {
                applied.put(rs.getInt(1), rs.getLong(2));
            }
        }
        int n = 0;
        for (Migration m : migrations) {
            Long checksum = applied.get(m.version());
            if (checksum != null) {
                if (checksum != m.checksum()) {
                    throw new CatalogException("catalog migration " + m.file() + " was changed after it was applied (checksum "
                            + checksum + " in the database, " + m.checksum() + " now)");
                }
                continue;
            }
            try (Statement s = c.createStatement()) {
                s.execute(m.sql());
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO schema_version (version, description, file, checksum) VALUES (?, ?, ?, ?)")) {
                ps.setInt(1, m.version());
                ps.setString(2, m.description());
                ps.setString(3, m.file());
                ps.setLong(4, m.checksum());
                ps.executeUpdate();
            }
            LOG.info("applied catalog migration {}", m.file());
            n++;
        }
        int newest = migrations.isEmpty() ? 0 : migrations.getLast().version();
        for (int v : applied.keySet()) {
            if (v > newest) {
                throw new CatalogException("catalog schema version " + v + " is newer than this code knows (" + newest + ")");
            }
        }
        return n;
    }

    private static String resource(String name) {
        try (InputStream in = Migrations.class.getClassLoader().getResourceAsStream("db/migration/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing classpath resource db/migration/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read db/migration/" + name, e);
        }
    }
}
