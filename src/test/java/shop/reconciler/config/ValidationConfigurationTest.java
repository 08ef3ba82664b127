package shop.reconciler.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.validation.autoconfigure.ValidationAutoConfiguration;

/** The context validates with the validator that checked the configuration before it started. */
class ValidationConfigurationTest {

    private final ApplicationContextRunner context = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
            .withUserConfiguration(ValidationConfiguration.class);

    @Test
    void bootBuildsNoValidatorOfItsOwn() {
        context.run(started -> {
            assertThat(started)
                    .describedAs("the context's only jakarta.validation.Validator: Boot's defaultValidator backs off")
                    .getBean(jakarta.validation.Validator.class)
                    .isSameAs(ConfigurationValidator.adapter());
            assertThat(started.getBean("configurationPropertiesValidator"))
                    .describedAs("what Boot's binder validates the configuration records with")
                    .isSameAs(ConfigurationValidator.get());
        });
    }

    @Test
    void theRecordsValidatorSupportsTheApplicationsRecordsOnly() {
        assertThat(ConfigurationValidator.get().supports(ReconcilerProperties.class))
                .isTrue();
        assertThat(ConfigurationValidator.get().supports(ReconcilerProperties.Mail.class))
                .describedAs("nested records are validated from the top, through @Valid")
                .isFalse();
        assertThat(ConfigurationValidator.get()
                        .supports(org.springframework.boot.mail.autoconfigure.MailProperties.class))
                .isFalse();
    }
}
