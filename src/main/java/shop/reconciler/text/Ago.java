package shop.reconciler.text;

/** How long ago something changed, as {@code explain} and the console show it: two units at most. */
public final class Ago {

    private Ago() {}

    /** {@code 3d 4h}, {@code 5h 12m}, {@code 7m 3s}, {@code 42s}. */
    public static String of(long seconds) {
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
