package shop.reconciler.config;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.time.Duration;
import shop.reconciler.text.Durations;

/**
 * {@code reconciler.db.statement-timeout} (or the former {@code socket-timeout}) is at most a
 * quarter of {@code reconciler.lock.at-most-for}, so that a run that meets a hung database ends
 * before its lease lapses ({@link ReconcilerProperties.Db}). A rule across two records: reported
 * against the time-out's own key.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Constraint(validatedBy = StatementTimeoutWithinLease.Check.class)
@interface StatementTimeoutWithinLease {

    String message() default "must be at most a quarter of reconciler.lock.at-most-for";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    final class Check implements ConstraintValidator<StatementTimeoutWithinLease, ReconcilerProperties> {

        @Override
        @SuppressWarnings("deprecation")
        public boolean isValid(ReconcilerProperties properties, ConstraintValidatorContext context) {
            if (properties == null
                    || properties.db() == null
                    || properties.lock() == null
                    || properties.lock().atMostFor() == null) {
                return true; // their own constraints say what is missing
            }
            Duration configured = properties.db().configuredStatementTimeout();
            Duration quarter = properties.lock().atMostFor().dividedBy(4);
            if (configured == null || configured.compareTo(quarter) <= 0) {
                return true;
            }
            context.disableDefaultConstraintViolation();
            context.buildConstraintViolationWithTemplate("must be at most a quarter of reconciler.lock.at-most-for ("
                            + Durations.format(quarter)
                            + "), so that a run that meets a hung database ends before its lease lapses")
                    .addPropertyNode("db")
                    .addPropertyNode(properties.db().statementTimeout() != null ? "statementTimeout" : "socketTimeout")
                    .addConstraintViolation();
            return false;
        }
    }
}
