package shop.reconciler.config;

import jakarta.validation.Validation;
import jakarta.validation.Validator;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.Errors;
import org.springframework.validation.beanvalidation.SpringValidatorAdapter;

/**
 * The application's one Bean Validation validator, built once per JVM on first use. Boot would
 * otherwise build one for the {@code @Validated} properties and one as the context's default
 * validator, besides the one that checks the configuration before the context starts: each a few
 * milliseconds once Hibernate Validator's classes are loaded, and each reading the constraints of
 * every record it validates anew (some 30 ms for {@code ReconcilerProperties} with C1 alone).
 *
 * <ol>
 *   <li>{@link #get()} is the validator of the configuration records ({@link ConfigurationCheck},
 *       and Boot's {@code configurationPropertiesValidator}, see {@link ValidationConfiguration}).
 *       Like Boot's for a {@code @Validated} bean, it validates the whole record from the top,
 *       nested records through {@code @Valid}: one that also validated the nested records as the
 *       binder finishes them would stop at their errors and never report the top-level keys'. So
 *       it supports only the application's {@code @ConfigurationProperties} records, not the
 *       records nested in them, and not Boot's own properties classes. Those records are not
 *       {@code @Validated}: Boot would build a validator of its own for them.
 *   <li>{@link #adapter()} is the same validator for anything else (the context's
 *       {@code jakarta.validation.Validator}, method validation, Spring MVC).
 *   <li>Its messages need no expression language (constraint attributes only), so it skips the EL
 *       set-up.
 * </ol>
 */
public final class ConfigurationValidator {

    private ConfigurationValidator() {}

    /** Validates the configuration records, from the top. */
    public static org.springframework.validation.Validator get() {
        return Holder.RECORDS_ONLY;
    }

    /** The same validator for any bean, as Spring's adapter (also a {@code jakarta.validation.Validator}). */
    public static SpringValidatorAdapter adapter() {
        return Holder.ADAPTER;
    }

    private static final class Holder {
        static final Validator VALIDATOR = Validation.byDefaultProvider()
                .configure()
                .messageInterpolator(new ParameterMessageInterpolator())
                .buildValidatorFactory()
                .getValidator();

        static final SpringValidatorAdapter ADAPTER = new SpringValidatorAdapter(VALIDATOR);

        /** Not a {@code jakarta.validation.Validator}, so the context's only one stays {@link #ADAPTER}. */
        static final org.springframework.validation.Validator RECORDS_ONLY =
                new org.springframework.validation.Validator() {
                    @Override
                    public boolean supports(Class<?> type) {
                        return type.getName().startsWith("shop.reconciler.")
                                && type.isAnnotationPresent(ConfigurationProperties.class);
                    }

                    @Override
                    public void validate(Object target, Errors errors) {
                        ADAPTER.validate(target, errors);
                    }
                };
    }
}
