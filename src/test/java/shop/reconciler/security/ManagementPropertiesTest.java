package shop.reconciler.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import shop.reconciler.config.ConfigurationCheck;
import shop.reconciler.config.ConfigurationErrors;

/** {@code reconciler.management.*}, bound and validated as at start-up. */
class ManagementPropertiesTest {

    private static final String KEY = "reconciler.management.viewer.password";

    @Test
    void bindsTheDefaults() {
        ManagementProperties properties = bound(Map.of());

        assertThat(properties.viewer().username()).isEqualTo("viewer");
        assertThat(properties.operator().username()).isEqualTo("operator");
        assertThat(properties.viewer().configured()).isFalse();
        assertThat(properties.operator().configured()).isFalse();
        assertThat(properties.maxFailedSignIns()).isEqualTo(5);
        assertThat(properties.signInLockout()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void aPrefixNoEncoderKnowsIsRefusedWithItsKey() {
        assertThat(refusal(Map.of(KEY, "{rot13}frperg"))).startsWith(KEY + ": starts with {rot13}");
    }

    @Test
    void aRawPasswordLongerThanBcryptHashesIsRefused() {
        assertThat(refusal(Map.of(KEY, "x".repeat(73))))
                .startsWith(KEY + ": ")
                .contains("72 bytes")
                .describedAs("never the password, not even redacted")
                .doesNotContain("xxxx")
                .doesNotContain("was");
    }

    @Test
    void encodedAndRawPasswordsWithinTheRulesAreAccepted() {
        ManagementProperties properties = bound(Map.of(
                KEY,
                "{bcrypt}" + new BCryptPasswordEncoder().encode("s3cret"),
                "reconciler.management.operator.password",
                "x".repeat(72)));

        assertThat(properties.viewer().configured()).isTrue();
        assertThat(properties.operator().configured()).isTrue();
    }

    @Test
    void twoAccountsOfOneNameAreRefusedAgainstTheOperatorsName() {
        assertThat(refusal(Map.of(
                        KEY,
                        "a",
                        "reconciler.management.operator.password",
                        "b",
                        "reconciler.management.operator.username",
                        "viewer")))
                .isEqualTo("reconciler.management.operator.username: is the viewer's name too: give the two"
                        + " accounts different names, was 'viewer'");
    }

    @Test
    void aNameIsStrippedAndABlankOneRefused() {
        assertThat(bound(Map.of("reconciler.management.viewer.username", " watcher "))
                        .viewer()
                        .username())
                .isEqualTo("watcher");
        assertThat(refusal(Map.of("reconciler.management.viewer.username", " ")))
                .startsWith("reconciler.management.viewer.username: must not be blank");
    }

    @Test
    void refusesFewerThanOneFailedSignInAndANonPositiveLockout() {
        assertThat(refusal(Map.of("reconciler.management.max-failed-sign-ins", "0")))
                .isEqualTo("reconciler.management.max-failed-sign-ins: must be greater than or equal to 1, was '0'");
        assertThat(refusal(Map.of("reconciler.management.sign-in-lockout", "0s")))
                .isEqualTo("reconciler.management.sign-in-lockout: must be a positive duration (e.g. 1m, 30s),"
                        + " was '0s'");
    }

    static ManagementProperties bound(Map<String, String> keys) {
        return ConfigurationCheck.bind(
                new Binder(new MapConfigurationPropertySource(keys)), ManagementProperties.class);
    }

    private static String refusal(Map<String, String> keys) {
        Throwable e = catchThrowable(() -> bound(keys));
        assertThat(e).describedAs("refused: %s", keys).isInstanceOf(BindException.class);
        return ConfigurationErrors.describe(e).orElseThrow();
    }
}
