package shop.reconciler.config;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.DataObjectPropertyName;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.context.properties.bind.validation.ValidationErrors;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.validation.FieldError;
import org.springframework.validation.ObjectError;

/**
 * Says a configuration error in one line for the command line: {@code key: problem, was 'value'}.
 *
 * <ol>
 *   <li>A value that breaks a rule: Boot's binder throws a {@link BindException} caused by a
 *       {@link BindValidationException}, whose errors name the bound object
 *       ({@code reconciler}) and the field ({@code mail.chunkSize}); the key is the two joined in
 *       the dashed form ({@code reconciler.mail.chunk-size}), the value is the one configured
 *       under that key, if any (a default or derived value breaks a rule only through another
 *       key, which the problem names). Several broken rules are listed on the same line, by key.
 *   <li>A value that cannot be converted ({@code chunk-size=abc}): a {@link BindException} naming
 *       the key.
 *   <li>An {@link InvalidConfigurationException}: its message.
 * </ol>
 *
 * The value of a password key is not shown.
 */
public final class ConfigurationErrors {

    private ConfigurationErrors() {}

    /**
     * The first configuration error among {@code failure} and its causes, in one line, followed by
     * those of its suppressed exceptions ({@link ConfigurationCheck#check}).
     */
    public static Optional<String> describe(Throwable failure) {
        Optional<String> first = first(failure);
        if (first.isEmpty() || failure.getSuppressed().length == 0) {
            return first;
        }
        List<String> all = new java.util.ArrayList<>(List.of(first.get()));
        for (Throwable suppressed : failure.getSuppressed()) {
            first(suppressed).ifPresent(all::add);
        }
        return Optional.of(String.join("; ", all));
    }

    private static Optional<String> first(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof InvalidConfigurationException invalid) {
                return Optional.of(invalid.getMessage());
            }
            if (t instanceof BindValidationException validation) {
                return Optional.of(describe(validation.getValidationErrors()));
            }
            if (t instanceof BindException bind && !(bind.getCause() instanceof BindValidationException)) {
                return Optional.of(unconvertible(bind));
            }
        }
        return Optional.empty();
    }

    private static String describe(ValidationErrors errors) {
        List<String> problems = errors.getAllErrors().stream()
                .map(error -> problem(errors, error))
                .sorted(Comparator.naturalOrder())
                .distinct()
                .toList();
        return String.join("; ", problems);
    }

    private static String problem(ValidationErrors errors, ObjectError error) {
        if (!(error instanceof FieldError field)) {
            return errors.getName() + ": " + error.getDefaultMessage();
        }
        String key = errors.getName() + "." + DataObjectPropertyName.toDashedForm(field.getField());
        return key + ": " + field.getDefaultMessage() + configured(errors, key);
    }

    private static String configured(ValidationErrors errors, String key) {
        if (isSecret(key)) {
            return "";
        }
        ConfigurationPropertyName name = ConfigurationPropertyName.adapt(key, '.');
        return errors.getBoundProperties().stream()
                .filter(property -> property.getName().equals(name))
                .findFirst()
                .map(ConfigurationProperty::getValue)
                .map(value -> ", was '" + value + "'")
                .orElse("");
    }

    /** A password's value is never shown, not even redacted. */
    private static boolean isSecret(String key) {
        return key.endsWith(".password");
    }

    private static String unconvertible(BindException bind) {
        ConfigurationProperty property = bind.getProperty();
        String key = property != null
                ? property.getName().toString()
                : bind.getName().toString();
        String was = property != null && !isSecret(key) ? ", was '" + property.getValue() + "'" : "";
        return key + ": cannot be read as " + bind.getTarget().getType() + was;
    }
}
