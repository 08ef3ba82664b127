package shop.reconciler.operations;

import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeParseException;
import org.springframework.boot.convert.DurationStyle;

/**
 * A {@code --since} value: a duration back from now ({@code 24h}, {@code 7d}, the way the
 * configuration writes durations) or a point in time ({@code 2026-12-01}, {@code 2026-12-01T10:00}).
 * Times are the database's: a duration is counted back from the database's clock, as the
 * {@code created_at} it is compared with was written.
 */
public record Since(Duration ago, LocalDateTime at) {

    /** The cut-off, given the database's time now. */
    public LocalDateTime from(LocalDateTime databaseNow) {
        return at != null ? at : databaseNow.minus(ago);
    }

    @Override
    public String toString() {
        return at != null ? at.toString() : shop.reconciler.text.Durations.format(ago) + " ago";
    }

    /**
     * Reads a {@code --since} value (the command line's and the console's form).
     *
     * @throws IllegalArgumentException with a one-line message saying what is wrong
     */
    public static Since parse(String value) {
        String text = value.strip();
        try {
            if (text.matches("\\d{4}-\\d{2}-\\d{2}")) {
                return new Since(null, LocalDate.parse(text).atStartOfDay());
            }
            if (text.matches("\\d{4}-\\d{2}-\\d{2}[T ].*")) {
                return new Since(null, LocalDateTime.parse(text.replace(' ', 'T')));
            }
            Duration ago = DurationStyle.detectAndParse(text);
            if (ago.isNegative() || ago.isZero()) {
                throw new Invalid("'" + value + "' is not a positive duration");
            }
            return new Since(ago, null);
        } catch (Invalid e) {
            throw e;
        } catch (DateTimeParseException | IllegalArgumentException e) {
            throw invalid(value);
        }
    }

    private static Invalid invalid(String value) {
        return new Invalid("'" + value + "' is neither a duration (24h, 7d) nor a date (2026-12-01, 2026-12-01T10:00)");
    }

    /** A value that is neither a duration nor a date. */
    public static final class Invalid extends IllegalArgumentException {
        Invalid(String message) {
            super(message);
        }
    }
}
