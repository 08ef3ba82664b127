package shop.reconciler.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** A hand-written SVG: seconds against N (log-log) and heap against N, one line per scenario. */
final class SvgChart {

    private static final String[] COLORS = {
        "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"
    };
    private static final int W = 520;
    private static final int H = 360;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 40;
    private static final int BOTTOM = 50;

    private SvgChart() {}

    static String render(List<BenchMain.Row> rows) {
        Map<String, List<BenchMain.Row>> series = new LinkedHashMap<>();
        for (BenchMain.Row r : rows) {
            String name = r.scenario()
                    + (r.variant().isEmpty() ? "" : " [" + r.variant() + "]")
                    + (r.extrapolated() ? " (extrapolated)" : "");
            series.computeIfAbsent(name.replace(" (extrapolated)", ""), k -> new ArrayList<>())
                    .add(r);
        }
        Map<String, List<BenchMain.Row>> memory = new LinkedHashMap<>();
        series.forEach((k, v) -> {
            if (!k.startsWith("job send") && !k.startsWith("smtp")) {
                memory.put(k, v);
            }
        });
        StringBuilder svg = new StringBuilder();
        int legendHeight = 18 * (series.size() + 1) + 10;
        svg.append(String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n",
                2 * W,
                H + legendHeight));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        panel(svg, 0, "Time (s, log) against N orders", series, BenchMain.Row::seconds, true, false);
        panel(
                svg,
                W,
                "Heap (MB) against N: peak (solid), live after GC (dashed)",
                memory,
                BenchMain.Row::peakHeapMb,
                false,
                true);
        int i = 0;
        int y = H + 10;
        for (String name : series.keySet()) {
            String color = COLORS[i++ % COLORS.length];
            svg.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"/>%n",
                    LEFT,
                    y + 5,
                    LEFT + 25,
                    y + 5,
                    color));
            boolean extrapolated = series.get(name).stream().anyMatch(BenchMain.Row::extrapolated);
            svg.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%d\" y=\"%d\">%s</text>%n",
                    LEFT + 32,
                    y + 9,
                    esc(name
                            + (extrapolated ? " (extrapolated from a sample)" : "")
                            + (name.startsWith("job send") ? " (time only)" : ""))));
            y += 18;
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    private static void panel(
            StringBuilder svg,
            int x0,
            String title,
            Map<String, List<BenchMain.Row>> series,
            ToDoubleFunction<BenchMain.Row> value,
            boolean logY,
            boolean withLive) {
        double minN = Double.MAX_VALUE;
        double maxN = 0;
        double minV = Double.MAX_VALUE;
        double maxV = 0;
        for (List<BenchMain.Row> rs : series.values()) {
            for (BenchMain.Row r : rs) {
                minN = Math.min(minN, r.n());
                maxN = Math.max(maxN, r.n());
                double v = value.applyAsDouble(r);
                minV = Math.min(minV, v);
                maxV = Math.max(maxV, v);
                if (withLive) {
                    minV = Math.min(minV, r.liveHeapMb());
                }
            }
        }
        if (maxN == 0) {
            return;
        }
        double lx0 = Math.floor(Math.log10(minN));
        double lx1 = Math.max(lx0 + 1, Math.ceil(Math.log10(maxN)));
        double y0;
        double y1;
        if (logY) {
            y0 = Math.floor(Math.log10(Math.max(1e-3, minV)));
            y1 = Math.max(y0 + 1, Math.ceil(Math.log10(Math.max(1e-3, maxV))));
        } else {
            y0 = 0;
            y1 = Math.max(64, Math.ceil(maxV / 64) * 64);
        }
        int pw = W - LEFT - RIGHT;
        int ph = H - TOP - BOTTOM;
        svg.append(String.format(
                Locale.ROOT, "<text x=\"%d\" y=\"22\" font-weight=\"bold\">%s</text>%n", x0 + LEFT, esc(title)));
        svg.append(String.format(
                Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>%n",
                x0 + LEFT,
                TOP,
                pw,
                ph));
        for (double e = lx0; e <= lx1 + 1e-9; e++) {
            int x = x0 + LEFT + (int) Math.round((e - lx0) / (lx1 - lx0) * pw);
            svg.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#eee\"/>%n",
                    x,
                    TOP,
                    x,
                    TOP + ph));
            svg.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
                    x,
                    TOP + ph + 18,
                    countLabel(Math.pow(10, e))));
        }
        svg.append(String.format(
                Locale.ROOT,
                "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">N (orders in the shop)</text>%n",
                x0 + LEFT + pw / 2,
                TOP + ph + 38));
        int ticks = logY ? (int) (y1 - y0) : 4;
        for (int t = 0; t <= ticks; t++) {
            double v = logY ? Math.pow(10, y0 + t) : y0 + (y1 - y0) * t / ticks;
            int y = TOP + ph - (int) Math.round((double) t / ticks * ph);
            svg.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#eee\"/>%n",
                    x0 + LEFT,
                    y,
                    x0 + LEFT + pw,
                    y));
            svg.append(String.format(
                    Locale.ROOT,
                    "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>%n",
                    x0 + LEFT - 6,
                    y + 4,
                    logY
                            ? (v < 1 ? String.format(Locale.ROOT, "%.2g", v) : String.format(Locale.ROOT, "%,.0f", v))
                            : String.format(Locale.ROOT, "%.0f", v)));
        }
        int i = 0;
        for (Map.Entry<String, List<BenchMain.Row>> s : series.entrySet()) {
            String color = COLORS[i++ % COLORS.length];
            polyline(svg, s.getValue(), value, color, "", x0, lx0, lx1, y0, y1, logY, pw, ph);
            if (withLive) {
                polyline(
                        svg,
                        s.getValue(),
                        BenchMain.Row::liveHeapMb,
                        color,
                        " stroke-dasharray=\"5,4\"",
                        x0,
                        lx0,
                        lx1,
                        y0,
                        y1,
                        logY,
                        pw,
                        ph);
            }
        }
    }

    private static void polyline(
            StringBuilder svg,
            List<BenchMain.Row> rows,
            ToDoubleFunction<BenchMain.Row> value,
            String color,
            String style,
            int x0,
            double lx0,
            double lx1,
            double y0,
            double y1,
            boolean logY,
            int pw,
            int ph) {
        StringBuilder points = new StringBuilder();
        for (BenchMain.Row r : rows) {
            double v = value.applyAsDouble(r);
            double x = x0 + LEFT + (Math.log10(r.n()) - lx0) / (lx1 - lx0) * pw;
            double fy = logY ? (Math.log10(Math.max(1e-3, v)) - y0) / (y1 - y0) : (v - y0) / (y1 - y0);
            double y = TOP + ph - fy * ph;
            points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            svg.append(String.format(
                    Locale.ROOT,
                    "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"><title>%s</title></circle>%n",
                    x,
                    y,
                    color,
                    esc(r.scenario() + " N=" + r.n() + ": " + String.format(Locale.ROOT, "%.2f", v))));
        }
        svg.append(String.format(
                Locale.ROOT,
                "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s/>%n",
                points.toString().trim(),
                color,
                style));
    }

    private static String countLabel(double n) {
        if (n >= 1e6) {
            return String.format(Locale.ROOT, "%.0fM", n / 1e6);
        }
        if (n >= 1e3) {
            return String.format(Locale.ROOT, "%.0fk", n / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f", n);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
