package shop.reconciler.config;

import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.validation.ValidationBindHandler;

/**
 * Binds and validates configuration records as Boot does for their beans, for a check before the
 * application context starts: each record's keys under its {@code @ConfigurationProperties} prefix,
 * its rules checked by {@link ConfigurationValidator}.
 */
public final class ConfigurationCheck {

    private ConfigurationCheck() {}

    /**
     * The record bound from {@code binder}.
     *
     * @throws org.springframework.boot.context.properties.bind.BindException naming the key of
     *     the first value that cannot be converted, or whose cause, a
     *     {@link org.springframework.boot.context.properties.bind.validation.BindValidationException},
     *     names each key whose value breaks a rule ({@link ConfigurationErrors#describe} says it in
     *     one line)
     */
    public static <T> T bind(Binder binder, Class<T> record) {
        ConfigurationProperties properties = record.getAnnotation(ConfigurationProperties.class);
        if (properties == null) {
            throw new IllegalArgumentException(record + " is no @ConfigurationProperties record");
        }
        String prefix = properties.prefix().isEmpty() ? properties.value() : properties.prefix();
        return binder.bindOrCreate(
                prefix, Bindable.of(record), new ValidationBindHandler(ConfigurationValidator.get()));
    }

    /**
     * Binds each record; the failure of the first that fails, with those of the others that fail
     * as its suppressed exceptions, so that {@link ConfigurationErrors#describe} names every broken
     * rule at once.
     */
    public static void check(Binder binder, List<Class<?>> records) {
        List<RuntimeException> failures = new ArrayList<>();
        for (Class<?> record : records) {
            try {
                bind(binder, record);
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        if (!failures.isEmpty()) {
            RuntimeException first = failures.get(0);
            failures.subList(1, failures.size()).forEach(first::addSuppressed);
            throw first;
        }
    }
}
