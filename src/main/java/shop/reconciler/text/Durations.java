package shop.reconciler.text;

import java.time.Duration;

/** Durations the way the configuration writes them: {@code 7d}, {@code 10m}, {@code 30s}, {@code 1500ms}. */
public final class Durations {

    private Durations() {}

    public static String format(Duration duration) {
        long millis = duration.toMillis();
        if (millis != 0 && millis % 86_400_000 == 0) {
            return millis / 86_400_000 + "d";
        }
        if (millis != 0 && millis % 3_600_000 == 0) {
            return millis / 3_600_000 + "h";
        }
        if (millis != 0 && millis % 60_000 == 0) {
            return millis / 60_000 + "m";
        }
        if (millis % 1_000 == 0) {
            return millis / 1_000 + "s";
        }
        return millis + "ms";
    }
}
