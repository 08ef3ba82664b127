package shop.reconciler.security;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;

/**
 * {@code reconciler.management.*}: the two accounts of {@code serve}'s HTTP port. An account
 * without a password does not exist; there is no default password. Validated like
 * {@code ReconcilerProperties}: a default per key in its {@code @DefaultValue}, a constraint per
 * rule, a rule across the two accounts on this record ({@link DistinctNames}).
 *
 * @param viewer sees health details (and reads the console)
 * @param operator everything the viewer may, and the console's actions
 * @param maxFailedSignIns failed sign-ins for one account, or from one client address, within a
 *     minute after which its sign-ins are refused (HTTP 429) for {@code signInLockout}
 * @param signInLockout how long after its last failure such an account or address is refused
 */
@ManagementProperties.DistinctNames
@ConfigurationProperties("reconciler.management")
public record ManagementProperties(
        @DefaultValue @Valid Viewer viewer,
        @DefaultValue @Valid Operator operator,
        @DefaultValue("5") @Min(1) int maxFailedSignIns,

        @DefaultValue("1m")
        @NotNull
        @DurationMin(nanos = 0, inclusive = false, message = "must be a positive duration (e.g. 1m, 30s)")
        Duration signInLockout) {

    /** One account: a name, and a password or none (then the account does not exist). */
    public sealed interface Account permits Viewer, Operator {

        String username();

        String password();

        default boolean configured() {
            return password() != null && !password().isEmpty();
        }
    }

    /**
     * @param username the name it logs in with
     * @param password an encoded form Spring Security knows ({@code {bcrypt}$2a$10$...}, for a
     *     configuration file) or the raw secret (from the environment), hashed at start
     */
    public record Viewer(
            @DefaultValue("viewer") @NotBlank(message = Messages.NAME)
            String username,

            @UsablePassword String password) implements Account {

        public Viewer {
            username = username == null ? null : username.strip();
        }
    }

    /**
     * @param username the name it logs in with
     * @param password an encoded form Spring Security knows ({@code {bcrypt}$2a$10$...}, for a
     *     configuration file) or the raw secret (from the environment), hashed at start
     */
    public record Operator(
            @DefaultValue("operator") @NotBlank(message = Messages.NAME)
            String username,

            @UsablePassword String password)
            implements Account {

        public Operator {
            username = username == null ? null : username.strip();
        }
    }

    private static final class Messages {
        static final String NAME = "must not be blank (not set: the account's default name)";
    }

    /**
     * A password that can be stored: an encoded one ({@code {id}...}) with an id Spring Security's
     * delegating encoder knows, or a raw one bcrypt can hash (at most 72 bytes). Its value is never
     * part of the message.
     */
    @Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT})
    @Retention(RetentionPolicy.RUNTIME)
    @Constraint(validatedBy = UsablePassword.Check.class)
    @interface UsablePassword {

        String message() default "is not a usable password";

        Class<?>[] groups() default {};

        Class<? extends Payload>[] payload() default {};

        final class Check implements ConstraintValidator<UsablePassword, String> {

            /** The encoder that checks logins; it also says which {@code {id}} prefixes it knows. */
            private static final PasswordEncoder ENCODER = PasswordEncoderFactories.createDelegatingPasswordEncoder();

            private static final Pattern ENCODED = Pattern.compile("^\\{([^{}]*)}.*", Pattern.DOTALL);

            @Override
            public boolean isValid(String password, ConstraintValidatorContext context) {
                if (password == null || password.isEmpty()) {
                    return true; // no account
                }
                String problem = problem(password);
                if (problem == null) {
                    return true;
                }
                context.disableDefaultConstraintViolation();
                context.buildConstraintViolationWithTemplate(escaped(problem)).addConstraintViolation();
                return false;
            }

            static String problem(String password) {
                Matcher encoded = ENCODED.matcher(password);
                if (encoded.matches()) {
                    return knownEncoding(password)
                            ? null
                            : "starts with {" + encoded.group(1) + "}, which is no password encoding Spring Security"
                                    + " knows (for example {bcrypt}); a raw password must not start with {...}";
                }
                return password.getBytes(StandardCharsets.UTF_8).length > 72
                        ? "is longer than 72 bytes, the most bcrypt hashes: choose a shorter one"
                        : null;
            }

            private static boolean knownEncoding(String encodedPassword) {
                try {
                    // any non-empty candidate: an empty one is refused before the prefix is looked at
                    ENCODER.matches("?", encodedPassword);
                    return true;
                } catch (IllegalArgumentException unknownId) {
                    return false;
                }
            }

            /** A message template that says its text literally. */
            private static String escaped(String text) {
                return text.replace("\\", "\\\\")
                        .replace("{", "\\{")
                        .replace("}", "\\}")
                        .replace("$", "\\$");
            }
        }
    }

    /**
     * Two configured accounts have two names: reported against
     * {@code reconciler.management.operator.username}.
     */
    @Target(ElementType.TYPE)
    @Retention(RetentionPolicy.RUNTIME)
    @Constraint(validatedBy = DistinctNames.Check.class)
    @interface DistinctNames {

        String message() default "is the viewer's name too: give the two accounts different names";

        Class<?>[] groups() default {};

        Class<? extends Payload>[] payload() default {};

        final class Check implements ConstraintValidator<DistinctNames, ManagementProperties> {

            @Override
            public boolean isValid(ManagementProperties properties, ConstraintValidatorContext context) {
                if (properties == null || properties.viewer() == null || properties.operator() == null) {
                    return true;
                }
                Account viewer = properties.viewer();
                Account operator = properties.operator();
                if (!viewer.configured()
                        || !operator.configured()
                        || viewer.username() == null
                        || !viewer.username().equals(operator.username())) {
                    return true;
                }
                context.disableDefaultConstraintViolation();
                context.buildConstraintViolationWithTemplate(context.getDefaultConstraintMessageTemplate())
                        .addPropertyNode("operator")
                        .addPropertyNode("username")
                        .addConstraintViolation();
                return false;
            }
        }
    }
}
