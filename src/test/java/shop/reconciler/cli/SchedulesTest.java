package shop.reconciler.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The ready-made schedules in {@code jobs/schedules/}: parsed as Kubernetes and systemd would read
 * them, and held to the exit codes the jar uses.
 */
class SchedulesTest {

    private static final Path SCHEDULES = Path.of("jobs", "schedules");

    /** The CronJob manifest, as Kubernetes reads it. */
    private static Map<String, Object> cronJob() throws IOException {
        try (Reader reader = Files.newBufferedReader(SCHEDULES.resolve("order-reconciler-cronjob.yaml"))) {
            return new Yaml().load(reader);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void cronJobForbidsOverlapIgnoresLeaseHeldAndFailsAtOnceOnConfigurationErrors() throws IOException {
        // when
        Map<String, Object> cronJob = cronJob();

        // then
        assertThat(cronJob).containsEntry("apiVersion", "batch/v1").containsEntry("kind", "CronJob");
        Map<String, Object> spec = map(cronJob, "spec");
        assertThat(spec).containsEntry("concurrencyPolicy", "Forbid");
        Map<String, Object> job = map(map(spec, "jobTemplate"), "spec");
        Map<String, Object> pod = map(map(job, "template"), "spec");
        assertThat(pod).containsEntry("restartPolicy", "Never");
        List<Map<String, Object>> containers = (List<Map<String, Object>>) pod.get("containers");
        assertThat(containers).hasSize(1);
        Map<String, Object> container = containers.get(0);
        assertThat((List<String>) container.get("args")).first().isEqualTo("run");
        List<Map<String, Object>> rules =
                (List<Map<String, Object>>) map(job, "podFailurePolicy").get("rules");
        Map<Integer, String> actionByExitCode = new LinkedHashMap<>();
        for (Map<String, Object> rule : rules) {
            if (rule.containsKey("onExitCodes")) {
                Map<String, Object> onExitCodes = map(rule, "onExitCodes");
                assertThat(onExitCodes)
                        .describedAs("rule %s", rule)
                        .containsEntry("containerName", container.get("name"))
                        .containsEntry("operator", "In");
                for (Object code : (List<Object>) onExitCodes.get("values")) {
                    actionByExitCode.put((Integer) code, (String) rule.get("action"));
                }
            }
        }
        assertThat(actionByExitCode)
                .containsEntry(ExitCodes.LEASE_HELD, "Ignore")
                .containsEntry(ExitCodes.USAGE, "FailJob")
                .doesNotContainKey(ExitCodes.OK)
                .doesNotContainKey(ExitCodes.FAILED);
        assertThat(rules)
                .anySatisfy(rule ->
                        assertThat(rule).containsEntry("action", "Ignore").containsKey("onPodConditions"));
        assertThat((Integer) pod.get("terminationGracePeriodSeconds")).isGreaterThan(25);
    }

    @Test
    @SuppressWarnings("unchecked")
    void cronJobRunsAsNonRootOnAReadOnlyRootWithNoPrivilegeNoCapabilityAndNoServiceAccountToken() throws IOException {
        // when
        Map<String, Object> cronJob = cronJob();
        Map<String, Object> pod = map(map(map(map(map(cronJob, "spec"), "jobTemplate"), "spec"), "template"), "spec");
        Map<String, Object> container = ((List<Map<String, Object>>) pod.get("containers")).get(0);

        // then: the pod
        assertThat(pod).containsEntry("automountServiceAccountToken", false);
        Map<String, Object> podSecurity = map(pod, "securityContext");
        assertThat(podSecurity).containsEntry("runAsNonRoot", true);
        assertThat((Integer) podSecurity.get("runAsUser")).isPositive();
        assertThat(map(podSecurity, "seccompProfile")).containsEntry("type", "RuntimeDefault");
        // and the container
        Map<String, Object> security = map(container, "securityContext");
        assertThat(security)
                .containsEntry("allowPrivilegeEscalation", false)
                .containsEntry("readOnlyRootFilesystem", true);
        assertThat((List<String>) map(security, "capabilities").get("drop")).containsExactly("ALL");
        assertThat(security).doesNotContainKey("privileged");
        // and where the JVM writes (its temporary files) is a writable emptyDir
        List<Map<String, Object>> mounts = (List<Map<String, Object>>) container.get("volumeMounts");
        Map<String, Object> tmp = mounts.stream()
                .filter(m -> "/tmp".equals(m.get("mountPath")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no volume on /tmp: " + mounts));
        assertThat(tmp).doesNotContainEntry("readOnly", true);
        List<Map<String, Object>> volumes = (List<Map<String, Object>>) pod.get("volumes");
        assertThat(volumes)
                .anySatisfy(v ->
                        assertThat(v).containsEntry("name", tmp.get("name")).containsKey("emptyDir"));
        // and a Pushgateway instance of its own, fixed (a pod's name changes at every run)
        assertThat((List<Map<String, Object>>) container.get("env"))
                .anySatisfy(e -> assertThat(e)
                        .containsEntry("name", "MANAGEMENT_PROMETHEUS_METRICS_EXPORT_PUSHGATEWAY_GROUPINGKEY_INSTANCE")
                        .containsKey("value"));
    }

    @Test
    void systemdServiceTreatsLeaseHeldAndSigtermAsSuccessAndTheTimerStartsIt() throws IOException {
        // when
        Map<String, Map<String, List<String>>> service = unit(SCHEDULES.resolve("order-reconciler.service"));
        Map<String, Map<String, List<String>>> timer = unit(SCHEDULES.resolve("order-reconciler.timer"));

        // then
        Map<String, List<String>> run = service.get("Service");
        assertThat(run.get("Type")).containsExactly("oneshot");
        assertThat(run.get("ExecStart")).singleElement().asString().endsWith("jobs/reconcile-orders run");
        assertThat(String.join(" ", run.get("SuccessExitStatus")).split("\\s+"))
                .contains(String.valueOf(ExitCodes.LEASE_HELD), "143")
                .doesNotContain(String.valueOf(ExitCodes.FAILED), String.valueOf(ExitCodes.USAGE));
        assertThat(run.get("KillMode")).containsExactly("mixed");
        assertThat(Integer.parseInt(run.get("TimeoutStopSec").get(0))).isGreaterThan(25);
        assertThat(timer.get("Timer").get("Unit")).containsExactly("order-reconciler.service");
        assertThat(timer.get("Timer")).containsKey("OnCalendar");
        assertThat(timer.get("Install").get("WantedBy")).containsExactly("timers.target");
    }

    @Test
    void everyScheduleExplainsTheExitCodesNextToIt() throws IOException {
        for (String file :
                List.of("order-reconciler-cronjob.yaml", "order-reconciler.service", "order-reconciler.timer")) {
            String text = Files.readString(SCHEDULES.resolve(file), StandardCharsets.UTF_8);
            if (file.endsWith(".timer")) {
                assertThat(text).describedAs(file).contains("lease");
                continue;
            }
            for (int code : List.of(ExitCodes.OK, ExitCodes.FAILED, ExitCodes.USAGE, ExitCodes.LEASE_HELD, 143)) {
                assertThat(text)
                        .describedAs("%s explains exit %d", file, code)
                        .containsPattern("(?m)^#\\s+" + code + "\\s+\\S");
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> parent, String key) {
        Object value = parent.get(key);
        assertThat(value).describedAs("'%s' in %s", key, parent.keySet()).isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }

    /** A systemd unit file: section, key, values (a key may repeat); comments and blank lines skipped. */
    private static Map<String, Map<String, List<String>>> unit(Path file) throws IOException {
        Map<String, Map<String, List<String>>> sections = new LinkedHashMap<>();
        Map<String, List<String>> current = null;
        for (String raw : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[") && line.endsWith("]")) {
                current = sections.computeIfAbsent(line.substring(1, line.length() - 1), s -> new LinkedHashMap<>());
                continue;
            }
            assertThat(current)
                    .describedAs("%s: '%s' outside a section", file, line)
                    .isNotNull();
            int equals = line.indexOf('=');
            assertThat(equals)
                    .describedAs("%s: '%s' is not key=value", file, line)
                    .isPositive();
            current.computeIfAbsent(line.substring(0, equals).strip(), k -> new ArrayList<>())
                    .add(line.substring(equals + 1).strip());
        }
        return sections;
    }
}
