package shop.reconciler.config;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.validation.Validator;
import org.springframework.validation.beanvalidation.SpringValidatorAdapter;

/**
 * The context's validators are {@link ConfigurationValidator}'s one: Boot's binder validates the
 * configuration records with it ({@code configurationPropertiesValidator}, Boot's name for it), and
 * it is the context's {@code jakarta.validation.Validator}, so that Boot's validation
 * auto-configuration builds no validator factory of its own. Static: the binder asks for it before
 * any other bean.
 */
@Configuration(proxyBeanMethods = false)
class ValidationConfiguration {

    @Bean
    static Validator configurationPropertiesValidator() {
        return ConfigurationValidator.get();
    }

    @Bean
    static SpringValidatorAdapter validator() {
        return ConfigurationValidator.adapter();
    }
}
