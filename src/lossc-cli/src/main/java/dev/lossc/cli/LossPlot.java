package dev.lossc.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Loss curves, one per name, over epochs 1, 2, …, as an SVG document drawn by XChart. */
final class LossPlot {
    private LossPlot() {}

    static byte[] svg(String title, Map<String, double[]> curves) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(800).height(500).title(title).xAxisTitle("epoch").yAxisTitle("loss").build();
        Styler s = chart.getStyler();
        s.setLegendPosition(Styler.LegendPosition.OutsideS);
        s.setChartBackgroundColor(java.awt.Color.WHITE);
        boolean positive = curves.values().stream().flatMapToDouble(java.util.Arrays::stream).allMatch(v -> v > 0);
        // Losses fall over orders of magnitude: a logarithmic axis when it can be one.
        chart.getStyler().setYAxisLogarithmic(positive);
        for (Map.Entry<String, double[]> e : curves.entrySet()) {
            double[] y = e.getValue();
            double[] x = new double[y.length];
            for (int i = 0; i < y.length; i++) {
                x[i] = i + 1;
            }
            chart.addSeries(e.getKey(), x, y).setMarker(y.length > 30 ? SeriesMarkers.NONE : SeriesMarkers.CIRCLE);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        VectorGraphicsEncoder.saveVectorGraphic(chart, out, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        return out.toByteArray();
    }
}
