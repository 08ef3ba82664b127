package shop.reconciler.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.batch.core.repository.support.JdbcJobRepositoryFactoryBean;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.yaml.snakeyaml.Yaml;
import shop.reconciler.config.ReconcilerProperties;
import shop.reconciler.db.DatabaseClock;
import shop.reconciler.db.Dialect;
import shop.reconciler.db.TableNames;
import shop.reconciler.history.ExecutionClock;
import shop.reconciler.history.JobHistory;
import shop.reconciler.lease.JobLease;
import shop.reconciler.outbox.NotificationStore;
import shop.reconciler.reconcile.OrderRules;
import shop.reconciler.reconcile.RunPreview;
import shop.reconciler.reconcile.WriteFailures;
import shop.reconciler.support.ShopFixture;
import shop.reconciler.support.SystemPackages;
import shop.reconciler.support.TestDatabase;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The alert rules and the dashboard in {@code jobs/monitoring/} name only metrics that the
 * reconciler exports in Prometheus's format (the registry behind {@code /actuator/prometheus}),
 * the backlog gauges show a known shop as it is, and Prometheus's own {@code promtool} (Debian's
 * {@code prometheus} package) accepts the rules and evaluates each alert firing and not firing.
 */
class MonitoringFilesIntegrationTest {

    private static final Pattern METRIC = Pattern.compile("\\breconciler_[a-z_]+\\b");

    private static TestDatabase.DatabaseRef database;
    private static ShopFixture shop;

    @BeforeAll
    static void schema() {
        database = TestDatabase.server().createDatabase("monitoring");
        shop = new ShopFixture(database.dataSource()).createSchema().migrateReconcilerTables();
    }

    @Test
    void alertRulesAndDashboardNameOnlyExportedMetricsAndTheGaugesShowTheShop() throws Exception {
        // given: two finished orders not completed yet, one stuck order, two queued and one failed notification
        shop.processingOrder("MF-1", "mf1@example.com", "completed");
        shop.processingOrder("MF-2", "mf2@example.com", "completed", "failed");
        long stuck = shop.processingOrder("MF-3", "mf3@example.com", "processing");
        shop.ageTasks(stuck, 3);
        long done1 = shop.order("MF-4", "mf4@example.com", "completed");
        long done2 = shop.order("MF-5", "mf5@example.com", "completed");
        long done3 = shop.order("MF-6", "mf6@example.com", "completed");
        NamedParameterJdbcTemplate jdbc = new NamedParameterJdbcTemplate(database.dataSource());
        String insert = "INSERT INTO order_notifications (order_id, order_code, recipient, status, created_at)"
                + " VALUES (?, ?, 'x@example.com', ?, TIMESTAMPADD(HOUR, -2, NOW(3)))";
        shop.jdbc().update(insert, done1, "MF-4", "queued");
        shop.jdbc().update(insert, done2, "MF-5", "queued");
        shop.jdbc().update(insert, done3, "MF-6", "failed");

        ReconcilerProperties properties = new Binder(new MapConfigurationPropertySource(Map.of()))
                .bindOrCreate("reconciler", ReconcilerProperties.class);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Dialect dialect = Dialect.detectOnFirstUse(database.dataSource());
        JdbcJobRepositoryFactoryBean repository = new JdbcJobRepositoryFactoryBean();
        repository.setDataSource(database.dataSource());
        repository.setTransactionManager(new JdbcTransactionManager(database.dataSource()));
        repository.afterPropertiesSet();
        JobHistory history = new JobHistory(
                jdbc, new ExecutionClock(repository.getObject(), new StandardEnvironment()), TableNames.DEFAULT);
        new ReconcilerMetrics(
                registry, new JobLease(database.dataSource(), dialect, properties, TableNames.DEFAULT), history);
        new BacklogGauges(
                registry,
                history,
                new NotificationStore(jdbc, properties, TableNames.DEFAULT),
                new RunPreview(jdbc, dialect, new OrderRules(properties, dialect), properties, TableNames.DEFAULT),
                new WriteFailures(jdbc, new OrderRules(properties, dialect), TableNames.DEFAULT),
                new DatabaseClock(jdbc, dialect));

        // when
        String scrape = registry.scrape();

        // then: every metric the files name is exported
        Set<String> exported = names(scrape);
        Set<String> named = new TreeSet<>();
        named.addAll(alertRuleMetrics());
        named.addAll(dashboardMetrics());
        assertThat(named).isNotEmpty();
        for (String name : named) {
            assertThat(exported)
                    .describedAs("metric %s named in jobs/monitoring/", name)
                    .contains(name);
        }
        // and the gauges say what the shop holds
        assertThat(value(scrape, "reconciler_orders_finished_pending")).isEqualTo(2);
        assertThat(value(scrape, "reconciler_orders_stuck")).isEqualTo(1);
        assertThat(value(scrape, "reconciler_notifications_status{status=\"queued\""))
                .isEqualTo(2);
        assertThat(value(scrape, "reconciler_notifications_status{status=\"failed\""))
                .isEqualTo(1);
        assertThat(value(scrape, "reconciler_notifications_oldest_queued_age_seconds"))
                .isBetween(7000.0, 7400.0);
        assertThat(value(scrape, "reconciler_last_completed_age_seconds")).isGreaterThanOrEqualTo(0);
    }

    @Test
    @SuppressWarnings("unchecked")
    void promtoolChecksTheRulesAndEveryAlertIsTestedFiringAndNotFiring() throws Exception {
        // given: every alert of the rules has a case where it fires and one where it does not
        Path promtool = SystemPackages.require("promtool", "prometheus");
        Set<String> alerts = new TreeSet<>();
        for (Object group : (List<?>) rules().get("groups")) {
            for (Object rule : (List<?>) ((Map<?, ?>) group).get("rules")) {
                alerts.add(String.valueOf(((Map<?, ?>) rule).get("alert")));
            }
        }
        Map<String, Object> unitTests =
                new Yaml().load(Files.readString(Path.of("jobs/monitoring/prometheus-alerts.test.yml")));
        Map<String, Set<String>> cases = new TreeMap<>();
        for (Object test : (List<?>) unitTests.get("tests")) {
            for (Object evaluation : (List<?>) ((Map<?, ?>) test).get("alert_rule_test")) {
                Map<String, Object> e = (Map<String, Object>) evaluation;
                List<?> expected = (List<?>) e.get("exp_alerts");
                cases.computeIfAbsent(String.valueOf(e.get("alertname")), a -> new TreeSet<>())
                        .add(expected == null || expected.isEmpty() ? "not firing" : "firing");
            }
        }
        assertThat(alerts).contains("ReconcilerScheduledRunsStopped");
        for (String alert : alerts) {
            assertThat(cases.get(alert))
                    .describedAs("cases of %s in prometheus-alerts.test.yml", alert)
                    .containsExactly("firing", "not firing");
        }

        // when
        Result check = run(promtool.toString(), "check", "rules", "jobs/monitoring/prometheus-alerts.yml");
        Result test = run(promtool.toString(), "test", "rules", "jobs/monitoring/prometheus-alerts.test.yml");

        // then
        assertThat(check.exit()).describedAs(check.output()).isZero();
        assertThat(check.output()).contains("SUCCESS: " + alerts.size() + " rules found");
        assertThat(test.exit()).describedAs(test.output()).isZero();
        assertThat(test.output()).contains("SUCCESS").doesNotContain("FAILED");
    }

    private record Result(int exit, String output) {}

    private static Result run(String... command) throws IOException, InterruptedException {
        File log = File.createTempFile("promtool-", ".log");
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log)
                .start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS))
                .describedAs("%s finished", List.of(command))
                .isTrue();
        return new Result(process.exitValue(), Files.readString(log.toPath(), StandardCharsets.UTF_8));
    }

    private static Map<String, Object> rules() throws IOException {
        return new Yaml().load(Files.readString(Path.of("jobs/monitoring/prometheus-alerts.yml")));
    }

    private static Set<String> alertRuleMetrics() throws IOException {
        Set<String> names = new TreeSet<>();
        for (Object group : (List<?>) rules().get("groups")) {
            for (Object rule : (List<?>) ((Map<?, ?>) group).get("rules")) {
                names.addAll(metricsIn(String.valueOf(((Map<?, ?>) rule).get("expr"))));
            }
        }
        return names;
    }

    private static Set<String> dashboardMetrics() throws IOException {
        JsonNode dashboard = JsonMapper.builder()
                .build()
                .readTree(Files.readString(Path.of("jobs/monitoring/grafana-dashboard.json")));
        Set<String> names = new TreeSet<>();
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode target : panel.get("targets")) {
                names.addAll(metricsIn(target.get("expr").asString()));
            }
        }
        return names;
    }

    private static Set<String> metricsIn(String expression) {
        Set<String> names = new TreeSet<>();
        Matcher m = METRIC.matcher(expression);
        while (m.find()) {
            names.add(m.group());
        }
        return names;
    }

    private static Set<String> names(String scrape) {
        Set<String> names = new TreeSet<>();
        for (String line : scrape.split("\n")) {
            if (!line.startsWith("#") && !line.isBlank()) {
                names.add(line.split("[{ ]", 2)[0]);
            }
        }
        return names;
    }

    private static double value(String scrape, String prefix) {
        for (String line : scrape.split("\n")) {
            if (line.startsWith(prefix + (prefix.contains("{") ? "" : " ")) || line.startsWith(prefix + "{")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError(prefix + " not in the scrape:\n" + scrape);
    }
}
