package shop.reconciler.config;

import jakarta.validation.Validation;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;
import org.springframework.validation.Validator;
import org.springframework.validation.beanvalidation.SpringValidatorAdapter;

/**
 * The Bean Validation validator of {@link ReconcilerProperties#bind}, built once per JVM on first
 * use. Its messages need no expression language (constraint attributes only), so it skips the EL
 * set-up.
 */
final class ConfigurationValidator {

    private ConfigurationValidator() {}

    static Validator get() {
        return Holder.VALIDATOR;
    }

    private static final class Holder {
        static final Validator VALIDATOR = new SpringValidatorAdapter(Validation.byDefaultProvider()
                .configure()
                .messageInterpolator(new ParameterMessageInterpolator())
                .buildValidatorFactory()
                .getValidator());
    }
}
