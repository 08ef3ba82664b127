package shop.reconciler.console;

import java.util.ArrayList;
import java.util.List;
import shop.reconciler.operations.ExecutionView;

/** The overview's inline SVG: one bar per recent execution, its height the duration. */
public record Chart(boolean empty, List<Bar> bars, String max) {

    public record Bar(long id, int x, int y, int height, String label, boolean failed) {}

    static final int WIDTH = 300;
    static final int HEIGHT = 100;

    static Chart of(List<ExecutionView> executions) {
        List<ExecutionView> oldestFirst = new ArrayList<>(executions);
        java.util.Collections.reverse(oldestFirst);
        long max = oldestFirst.stream()
                .map(ExecutionView::durationMs)
                .filter(d -> d != null)
                .mapToLong(Long::longValue)
                .max()
                .orElse(0);
        List<Bar> bars = new ArrayList<>();
        int slot = oldestFirst.isEmpty() ? WIDTH : WIDTH / Math.max(oldestFirst.size(), 1);
        for (int i = 0; i < oldestFirst.size(); i++) {
            ExecutionView e = oldestFirst.get(i);
            long d = e.durationMs() == null ? 0 : e.durationMs();
            int h = max == 0 ? 1 : (int) Math.max(1, d * (HEIGHT - 10) / max);
            long written = e.steps().stream().mapToLong(s -> s.written()).sum();
            bars.add(new Bar(
                    e.id(),
                    i * slot + 2,
                    HEIGHT - h,
                    h,
                    "execution " + e.id() + ": " + ConsolePages.millis(e.durationMs()) + ", "
                            + ConsolePages.number(written) + " written",
                    "FAILED".equals(e.status())));
        }
        return new Chart(bars.isEmpty(), bars, ConsolePages.millis(max));
    }

    public int barWidth() {
        return bars.isEmpty() ? 0 : Math.max(2, WIDTH / bars.size() - 4);
    }
}
