package io.storageengine.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.junit.jupiter.api.Test;

/** The shared PostgreSQL answers queries, hands out fresh databases, and keeps data across restarts. */
class LocalPostgresIT {

    private final LocalPostgres pg = LocalPostgres.shared();

    @Test
    void connectsAndQueriesPostgres15OnLoopback() throws Exception {
        try (Connection c = pg.connect("postgres"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT current_setting('server_version_num')::int, "
                     + "current_setting('listen_addresses'), current_user")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isGreaterThanOrEqualTo(150000);
            if (pg.isManaged()) {
                assertThat(rs.getString(2)).isEqualTo("127.0.0.1");
            }
            assertThat(rs.getString(3)).isEqualTo(pg.user());
        }
    }

    @Test
    void createDatabaseReturnsFreshDistinctDatabases() throws Exception {
        String a = pg.createDatabase("Catalog-Test");
        String b = pg.createDatabase("Catalog-Test");
        assertThat(a).isNotEqualTo(b).matches("[a-z][a-z0-9_]*");
        try (Connection c = pg.connect(a); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE t (id int primary key)");
        }
        try (Connection c = pg.connect(b); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_tables WHERE tablename = 't'")) {
            rs.next();
            assertThat(rs.getInt(1)).isZero();
        }
    }

    @Test
    void restartKeepsCommittedDataAndBreaksOpenConnections() throws Exception {
        String db = pg.createDatabase("restart");
        try (Connection c = pg.connect(db); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE kv (k text primary key, v text)");
            st.execute("INSERT INTO kv VALUES ('a', 'before restart')");
        }
        try (Connection open = pg.connect(db)) {
            pg.restart();
            assertThatThrownBy(() -> open.createStatement().executeQuery("SELECT 1")).isInstanceOf(SQLException.class);
        }
        try (Connection c = pg.connect(db); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT v FROM kv WHERE k = 'a'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("before restart");
        }
    }

    @Test
    void stoppedServerRefusesConnectionsUntilStartedAgain() throws Exception {
        String url = pg.jdbcUrl("postgres");
        pg.stop();
        try {
            assertThat(pg.isRunning()).isFalse();
            assertThatThrownBy(() -> pg.connect("postgres").close()).isInstanceOf(SQLException.class);
        } finally {
            pg.start();
        }
        assertThat(pg.isRunning()).isTrue();
        assertThat(pg.jdbcUrl("postgres")).isEqualTo(url);
        try (Connection c = pg.connect("postgres"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT 1")) {
            assertThat(rs.next()).isTrue();
        }
    }
}
