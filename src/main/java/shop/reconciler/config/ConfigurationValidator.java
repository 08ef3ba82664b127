package shop.reconciler.config;

import jakarta.validation.Validation;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;
import org.springframework.validation.Validator;
import org.springframework.validation.beanvalidation.SpringValidatorAdapter;

/**
 * The Bean Validation validator of {@link ReconcilerProperties#bind}, built once per JVM on first
 * use. Like Boot's for a {@code @Validated} bean, it validates the whole record from the top,
 * nested records through {@code @Valid}: one that also validated the nested records as the binder
 * finishes them would stop at their errors and never report the top-level keys'. Its messages need
 * no expression language (constraint attributes only), so it skips the EL set-up.
 */
final class ConfigurationValidator {

    private ConfigurationValidator() {}

    static Validator get() {
        return Holder.VALIDATOR;
    }

    private static final class Holder {
        static final Validator VALIDATOR =
                new SpringValidatorAdapter(Validation.byDefaultProvider()
                        .configure()
                        .messageInterpolator(new ParameterMessageInterpolator())
                        .buildValidatorFactory()
                        .getValidator()) {
                    @Override
                    public boolean supports(Class<?> type) {
                        return type == ReconcilerProperties.class;
                    }
                };
    }
}
