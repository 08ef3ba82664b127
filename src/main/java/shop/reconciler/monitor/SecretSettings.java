package shop.reconciler.monitor;

import java.util.List;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import shop.reconciler.text.Redaction;

/**
 * Tells {@link Redaction} the configured passwords as soon as the environment is known, before
 * the pool, Flyway or the mail sender log anything, so that they are removed from output and logs
 * even where they appear without their key.
 */
public final class SecretSettings implements EnvironmentPostProcessor {

    /** The settings whose values are secrets. */
    static final List<String> KEYS = List.of(
            "spring.datasource.password",
            "spring.datasource.hikari.password",
            "spring.flyway.password",
            "spring.mail.password",
            "reconciler.management.viewer.password",
            "reconciler.management.operator.password");

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        for (String key : KEYS) {
            try {
                Redaction.registerSecret(environment.getProperty(key));
            } catch (IllegalArgumentException unresolvable) {
                // A placeholder without a value is not a secret yet; start-up reports it.
            }
        }
    }
}
