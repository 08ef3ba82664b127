package shop.reconciler.text;

import java.time.Duration;

/**
 * Durations as operators read them: the way the configuration writes them ({@code 7d}, {@code 10m},
 * {@code 30s}, {@code 1500ms}), and how long ago something happened ({@code 3d 4h}).
 */
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

    /** {@code 3d 4h}, {@code 5h 12m}, {@code 7m 3s}, {@code 42s}. */
    public static String ago(long seconds) {
        long days = seconds / 86_400;
        long hours = seconds % 86_400 / 3_600;
        long minutes = seconds % 3_600 / 60;
        if (days > 0) {
            return days + "d " + hours + "h";
        }
        if (hours > 0) {
            return hours + "h " + minutes + "m";
        }
        return minutes > 0 ? minutes + "m " + seconds % 60 + "s" : seconds + "s";
    }
}
