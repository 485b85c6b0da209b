package io.storageengine.catalog.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.storageengine.catalog.Catalog;
import io.storageengine.catalog.CatalogConfig;
import io.storageengine.catalog.CatalogException;
import io.storageengine.catalog.Fixtures;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** {@link Migrations} against a real PostgreSQL: idempotent, concurrent-safe, and refusing edited or unknown migrations. */
class MigrationsIT {

    private static List<Integer> appliedVersions(CatalogConfig config) throws SQLException {
        try (Connection c = DriverManager.getConnection(config.jdbcUrl(), config.user(), config.password());
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT version FROM schema_version ORDER BY version")) {
            List<Integer> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getInt(1));
            }
            return out;
        }
    }

    @Test
    void openingTwiceAppliesEachMigrationOnce() throws SQLException {
        CatalogConfig config = Fixtures.freshDatabase("migrate_twice");
        try (Catalog a = Catalog.open(config)) {
            assertThat(a.segments().version()).isZero();
        }
        try (Catalog b = Catalog.open(config)) {
            assertThat(b.segments().active()).isEmpty();
        }
        assertThat(appliedVersions(config)).containsExactlyElementsOf(
                Migrations.load().stream().map(Migrations.Migration::version).toList());
    }

    @Test
    void processesStartingAtOnceMigrateOnceAndAllSucceed() throws Exception {
        CatalogConfig config = Fixtures.freshDatabase("migrate_concurrent");
        int n = 6;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Long>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    try (Catalog c = Catalog.open(config.withPoolSize(1))) {
                        return c.segments().version();
                    }
                }));
            }
            start.countDown();
            for (Future<Long> f : futures) {
                assertThat(f.get()).isZero();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(appliedVersions(config)).containsExactly(1, 2);
    }

    @Test
    void aMigrationEditedAfterItWasAppliedOrANewerSchemaIsRefused() throws SQLException {
        CatalogConfig config = Fixtures.freshDatabase("migrate_refuse");
        Catalog.open(config).close();
        try (Connection c = DriverManager.getConnection(config.jdbcUrl(), config.user(), config.password());
             Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE schema_version SET checksum = checksum + 1 WHERE version = 1");
        }
        assertThatThrownBy(() -> Catalog.open(config)).isInstanceOf(CatalogException.class)
                .hasMessageContaining("V1__catalog.sql was changed after it was applied");
        try (Connection c = DriverManager.getConnection(config.jdbcUrl(), config.user(), config.password());
             Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE schema_version SET checksum = checksum - 1 WHERE version = 1");
            s.executeUpdate("INSERT INTO schema_version (version, description, file, checksum) VALUES (99, 'future', 'V99__future.sql', 0)");
        }
        assertThatThrownBy(() -> Catalog.open(config)).isInstanceOf(CatalogException.class)
                .hasMessageContaining("schema version 99 is newer");
    }
}
