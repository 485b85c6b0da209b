package io.storageengine.segments.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.storageengine.segments.internal.Migrations;
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

class CatalogMigrationIT {

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
            assertThat(a.segmentsVersion()).isZero();
        }
        try (Catalog b = Catalog.open(config)) {
            assertThat(b.activeSegments()).isEmpty();
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
                        return c.segmentsVersion();
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
}
