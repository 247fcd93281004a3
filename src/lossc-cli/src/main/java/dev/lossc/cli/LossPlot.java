package dev.lossc.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.AxisState;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTick;
import org.jfree.chart.axis.TickType;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.apache.batik.svggen.SVGGraphics2D;

/**
 * Loss curves over epochs 1, 2, …, drawn by JFreeChart: as SVG (through Apache Batik's SVG
 * generator, text as text, so
 * a plot is a few kilobytes and its numbers can be read and searched) or as PNG. Both axes are
 * numbered at any range: the loss on a logarithmic axis labelled within each decade (1, 2, 5 and
 * more as the range narrows; decades over many) when it falls over a decade or more, on a linear axis otherwise; epochs at
 * whole numbers spaced to stay apart. The legend sits below the plot, off the data. A curve of more
 * than {@link #MAX_POINTS} epochs is drawn from the lowest and highest value of each of as many
 * buckets, which keeps its shape.
 */
final class LossPlot {
    private LossPlot() {}

    static final int WIDTH = 800;
    static final int HEIGHT = 500;
    static final int MAX_POINTS = 2000;

    /** Whether {@code file}'s name is one this plot writes. */
    static boolean named(Path file) {
        String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".svg") || n.endsWith(".png");
    }

    /** The plot as the bytes of {@code file}'s format (SVG or PNG). */
    static byte[] draw(Path file, String title, Map<String, double[]> curves) throws IOException {
        JFreeChart chart = chart(title, curves);
        if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ChartUtils.writeChartAsPNG(out, chart, WIDTH, HEIGHT);
            return out.toByteArray();
        }
        return svg(chart);
    }

    /** The plot as an SVG document. */
    static byte[] svg(String title, Map<String, double[]> curves) {
        return svg(chart(title, curves));
    }

    private static byte[] svg(JFreeChart chart) {
        org.w3c.dom.Document doc = org.apache.batik.dom.GenericDOMImplementation.getDOMImplementation()
                .createDocument("http://www.w3.org/2000/svg", "svg", null);
        org.apache.batik.svggen.SVGGeneratorContext context = org.apache.batik.svggen.SVGGeneratorContext.createDefault(doc);
        context.setEmbeddedFontsOn(false);
        context.setComment(null);
        SVGGraphics2D g = new SVGGraphics2D(context, false);   // text as text, not shapes
        g.setSVGCanvasSize(new java.awt.Dimension(WIDTH, HEIGHT));
        chart.draw(g, new Rectangle2D.Double(0, 0, WIDTH, HEIGHT));
        java.io.StringWriter out = new java.io.StringWriter();
        try {
            g.stream(out, true);
        } catch (org.apache.batik.svggen.SVGGraphics2DIOException e) {
            throw new java.io.UncheckedIOException(new IOException(e.getMessage()));
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static final Color[] COLOURS = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728),
        new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf)};

    static JFreeChart chart(String title, Map<String, double[]> curves) {
        System.setProperty("java.awt.headless", "true");
        // Rotated labels (the loss axis's title) as rotated text, not glyph outlines.
        org.jfree.chart.text.TextUtils.setUseDrawRotatedStringWorkaround(false);
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        int epochs = 1;
        for (double[] y : curves.values()) {
            epochs = Math.max(epochs, y.length);
            for (double v : y) {
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        // Losses fall over orders of magnitude: a logarithmic axis when they span a decade or more.
        boolean log = lo > 0 && hi / lo >= 10;
        XYSeriesCollection data = new XYSeriesCollection();
        for (Map.Entry<String, double[]> e : curves.entrySet()) {
            XYSeries s = new XYSeries(e.getKey(), false, true);
            for (double[] point : points(e.getValue(), log)) {
                s.add(point[0], point[1]);
            }
            data.addSeries(s);
        }
        NumberAxis x = new NumberAxis("epoch");
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits(Locale.ROOT));
        x.setRange(epochs == 1 ? 0.5 : 1, epochs == 1 ? 1.5 : epochs);
        x.setNumberFormatOverride(new Decimal());
        ValueAxis y;
        if (log) {
            y = new NumberedLogAxis("loss (log scale)", lo, hi);
        } else {
            NumberAxis linear = new NumberAxis("loss");
            linear.setAutoRangeIncludesZero(false);
            linear.setNumberFormatOverride(new Decimal());
            if (lo == hi && Double.isFinite(lo)) {
                double pad = lo == 0 ? 1 : Math.abs(lo) * 0.1;
                linear.setRange(lo - pad, hi + pad);
            }
            y = linear;
        }
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, epochs <= 30);
        // One path per curve, not one element per segment: a long run stays a small file.
        renderer.setDrawSeriesLineAsPath(true);
        for (int i = 0; i < curves.size(); i++) {
            renderer.setSeriesPaint(i, COLOURS[i % COLOURS.length]);
            renderer.setSeriesStroke(i, new BasicStroke(1.5f));
        }
        XYPlot plot = new XYPlot(data, x, y, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xdddddd));
        plot.setRangeGridlinePaint(new Color(0xdddddd));
        Font font = new Font("SansSerif", Font.PLAIN, 12);
        x.setTickLabelFont(font);
        y.setTickLabelFont(font);
        JFreeChart chart = new JFreeChart(null, font, plot, true);
        chart.setTitle(new TextTitle(title, new Font("SansSerif", Font.BOLD, 14)));
        chart.setBackgroundPaint(Color.WHITE);
        // Room on the right for the last epoch's label.
        chart.setPadding(new org.jfree.chart.ui.RectangleInsets(4, 4, 4, 24));
        LegendTitle legend = chart.getLegend();
        legend.setPosition(RectangleEdge.BOTTOM);
        legend.setItemFont(font);
        chart.setAntiAlias(true);
        chart.setTextAntiAlias(true);
        return chart;
    }

    /**
     * The points of one curve, {@code {epoch, loss}}: every finite value (a positive one on a log
     * axis), or, past {@link #MAX_POINTS} epochs, the lowest and highest of each bucket of epochs.
     */
    static List<double[]> points(double[] y, boolean log) {
        List<double[]> out = new ArrayList<>();
        int buckets = Math.min(y.length, MAX_POINTS / 2);
        if (y.length <= MAX_POINTS) {
            buckets = y.length;
        }
        for (int b = 0; b < buckets; b++) {
            int from = (int) ((long) b * y.length / buckets);
            int to = (int) ((long) (b + 1) * y.length / buckets);
            int min = -1;
            int max = -1;
            for (int i = from; i < to; i++) {
                if (!Double.isFinite(y[i]) || (log && y[i] <= 0)) {
                    continue;
                }
                if (min < 0 || y[i] < y[min]) {
                    min = i;
                }
                if (max < 0 || y[i] > y[max]) {
                    max = i;
                }
            }
            if (min >= 0) {
                int first = Math.min(min, max);
                int second = Math.max(min, max);
                out.add(new double[] {first + 1, y[first]});
                if (second != first) {
                    out.add(new double[] {second + 1, y[second]});
                }
            }
        }
        return out;
    }

    /** Numbers as people write them on an axis: 0.25, 12, 3000, 1e-06, 2.5e+08; no trailing zeros. */
    static String label(double v) {
        if (v == 0) {
            return "0";
        }
        double a = Math.abs(v);
        if (a >= 1e-4 && a < 1e6) {
            String s = new java.math.BigDecimal(v).round(new java.math.MathContext(6)).stripTrailingZeros().toPlainString();
            return s;
        }
        return String.format(Locale.ROOT, "%.3g", v).replaceAll("\\.?0+e", "e");
    }

    /** {@link #label} as a NumberFormat, for JFreeChart's linear axes. */
    private static final class Decimal extends NumberFormat {
        private static final long serialVersionUID = 1L;

        @Override
        public StringBuffer format(double number, StringBuffer toAppendTo, FieldPosition pos) {
            return toAppendTo.append(label(number));
        }

        @Override
        public StringBuffer format(long number, StringBuffer toAppendTo, FieldPosition pos) {
            return toAppendTo.append(number);
        }

        @Override
        public Number parse(String source, ParsePosition parsePosition) {
            throw new UnsupportedOperationException();
        }
    }

    /**
     * A logarithmic axis numbered where people read one: at 1, 1.5, 2, 3, 5 and 7 of each decade over
     * at most a decade and a half, at 1, 2 and 5 over at most three decades, at every decade up to ten, at every second or more beyond; always at least at
     * the ends of the range.
     */
    private static final class NumberedLogAxis extends LogAxis {
        private static final long serialVersionUID = 1L;

        NumberedLogAxis(String label, double lo, double hi) {
            super(label);
            double margin = Math.pow(hi / lo, 0.04);
            setRange(lo / margin, hi * margin);
            setMinorTickMarksVisible(true);
        }

        @Override
        @SuppressWarnings("rawtypes")
        public List refreshTicks(Graphics2D g2, AxisState state, Rectangle2D dataArea, RectangleEdge edge) {
            List<NumberTick> ticks = new ArrayList<>();
            double lo = getLowerBound();
            double hi = getUpperBound();
            double decades = Math.log10(hi / lo);
            double[] mantissas = decades <= 1.5 ? new double[] {1, 1.5, 2, 3, 5, 7} : decades <= 3 ? new double[] {1, 2, 5} : new double[] {1};
            int step = decades <= 10 ? 1 : (int) Math.ceil(decades / 10);
            int first = (int) Math.floor(Math.log10(lo));
            int last = (int) Math.ceil(Math.log10(hi));
            TextAnchor anchor = RectangleEdge.isLeftOrRight(edge) ? TextAnchor.CENTER_RIGHT : TextAnchor.TOP_CENTER;
            for (int d = first; d <= last; d++) {
                if (Math.floorMod(d, step) != 0) {
                    continue;
                }
                for (double m : mantissas) {
                    double v = m * Math.pow(10, d);
                    if (v >= lo && v <= hi) {
                        ticks.add(new NumberTick(TickType.MAJOR, v, label(Double.parseDouble(String.format(Locale.ROOT, "%.6g", v))),
                                anchor, anchor, 0.0));
                    }
                }
            }
            return ticks;
        }
    }
}
