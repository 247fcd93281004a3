package dev.lossc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plots that read: numbers on both axes at any range, x labels that stay apart at any epoch
 * count, a sweep's legend that holds its best runs below the chart, text as text (read back here
 * from the SVG's text elements), small files, and PNG too. The SVGs are rendered by librsvg to
 * check that they draw.
 */
class PlotTest {
    @TempDir
    Path tmp;

    /** The text elements of an SVG, in document order. */
    static List<String> texts(Path svg) throws Exception {
        var factory = javax.xml.parsers.DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        var nodes = factory.newDocumentBuilder().parse(svg.toFile()).getElementsByTagName("text");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            out.add(nodes.item(i).getTextContent().strip());
        }
        return out;
    }

    /** The texts that are numbers, read as numbers. */
    static List<Double> numbers(Path svg) throws Exception {
        List<Double> out = new ArrayList<>();
        for (String t : texts(svg)) {
            if (t.matches("-?[0-9.]+(e[-+]?[0-9]+)?")) {
                out.add(Double.parseDouble(t));
            }
        }
        return out;
    }

    /** The axis labels of a plot: {epochs on x, losses on y}, told apart by their values (epochs are whole numbers from 1 up). */
    private static void assertNumberedAxes(Path svg, int epochs, double lowLoss, double highLoss) throws Exception {
        List<Double> n = numbers(svg);
        List<Double> x = n.stream().filter(v -> v >= 1 && v == Math.rint(v) && v <= epochs && v > highLoss * 1.5).toList();
        List<Double> y = n.stream().filter(v -> v >= lowLoss / 1.5 && v <= highLoss * 1.5).toList();
        assertTrue(x.size() >= 3, "x labels: " + x);
        // Evenly spaced: a whole-number step chosen so that the labels stay apart.
        for (int i = 2; i < x.size(); i++) {
            assertEquals(x.get(1) - x.get(0), x.get(i) - x.get(i - 1), "x labels: " + x);
        }
        assertTrue(y.size() >= 3, "y labels: " + y + " in " + n);
    }

    private CliTest.Run lossc(String... args) {
        return HostileCliTest.lossc(args);
    }

    /** The README's training command: 10,000 epochs, a loss from 0.3 to 4e-6 on a log axis numbered at every decade. */
    @Test
    void theReadmesLongRunHasNumbersOnBothAxes() throws Exception {
        Path svg = tmp.resolve("readme.svg");
        CliTest.Run r = lossc("train", CliTest.EXAMPLES.resolve("worked_example.loss").toString(), "--data",
                CliTest.EXAMPLES.resolve("data/worked_example.csv").toString(), "--init", CliTest.EXAMPLES.resolve("worked_example.json").toString(),
                "--lr", "0.5", "--epochs", "10000", "--batch", "1", "--every", "10000", "--plot", svg.toString());
        assertEquals(0, r.code(), r.err());
        List<String> t = texts(svg);
        for (String decade : List.of("0.1", "0.01", "0.001", "0.0001", "1e-05")) {
            assertTrue(t.contains(decade), decade + " on the loss axis: " + t);
        }
        assertTrue(t.contains("10000") && t.contains("5000"), "epochs: " + t);
        assertTrue(t.contains("loss (log scale)") && t.contains("epoch") && t.contains("WorkedExample") && t.contains("training loss"), t.toString());
        assertTrue(Files.size(svg) < 150_000, Files.size(svg) + " bytes");
        TrainCommandTest.assertNotBlank(svg);
    }

    /** The README's second command: a loss between 0.28 and 0.61 (less than a decade), on a linear axis numbered throughout. */
    @Test
    void aNarrowLossRangeIsNumbered() throws Exception {
        Path svg = tmp.resolve("curve.svg");
        CliTest.Run r = lossc("train", CliTest.EXAMPLES.resolve("two_class.loss").toString(), "--data",
                CliTest.EXAMPLES.resolve("data/two_class_train.csv").toString(), "--validate",
                CliTest.EXAMPLES.resolve("data/two_class_val.csv").toString(), "--optimizer", "adam", "--lr", "0.01", "--epochs", "60",
                "--every", "60", "--plot", svg.toString());
        assertEquals(0, r.code(), r.err());
        assertNumberedAxes(svg, 60, 0.28, 0.61);
        assertTrue(texts(svg).contains("validation loss") && texts(svg).contains("loss"), texts(svg).toString());
        TrainCommandTest.assertNotBlank(svg);
    }

    /** 50,000 epochs: a small file, and at most about fifteen x labels, whole numbers apart. */
    @Test
    void aVeryLongRunIsASmallFileWithApartLabels() throws Exception {
        double[] loss = new double[50_000];
        for (int i = 0; i < loss.length; i++) {
            loss[i] = 2.0 / (1 + i / 30.0) + 0.01 * Math.sin(i);
        }
        Path svg = tmp.resolve("long.svg");
        Files.write(svg, LossPlot.svg("Long", java.util.Map.of("training loss", loss)));
        assertTrue(Files.size(svg) < 150_000, Files.size(svg) + " bytes");
        List<Double> x = numbers(svg).stream().filter(v -> v >= 100 && v == Math.rint(v)).toList();
        assertTrue(x.size() >= 3 && x.size() <= 15, "x labels: " + x);
        assertTrue(x.contains(50_000.0) || x.contains(40_000.0), x.toString());
        TrainCommandTest.assertNotBlank(svg);
    }

    /** A 400-run sweep: the plot draws the best eight, says so, and its legend holds eight names. */
    @Test
    void aLargeSweepPlotsItsBestRuns() throws Exception {
        StringBuilder lrs = new StringBuilder();
        for (int i = 1; i <= 20; i++) {
            lrs.append(i == 1 ? "" : ",").append(i * 0.05);
        }
        StringBuilder momenta = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            momenta.append(i == 0 ? "" : ",").append(i * 0.045);
        }
        Path svg = tmp.resolve("sweep.svg");
        CliTest.Run r = lossc("train", CliTest.EXAMPLES.resolve("worked_example.loss").toString(), "--data",
                CliTest.EXAMPLES.resolve("data/worked_example.csv").toString(), "--epochs", "4", "--batch", "1",
                "--sweep", "lr=" + lrs, "--sweep", "momentum=" + momenta, "--plot", svg.toString());
        assertEquals(0, r.code(), r.err());
        List<String> t = texts(svg);
        assertTrue(t.contains("WorkedExample: sweep, the best 8 of 400 runs"), t.toString());
        List<String> legend = t.stream().filter(s -> s.matches("\\d+\\. lr=.*")).toList();
        assertEquals(8, legend.size(), legend.toString());
        assertTrue(legend.get(0).startsWith("1. ") && legend.get(7).startsWith("8. "), legend.toString());
        TrainCommandTest.assertNotBlank(svg);
    }

    @Test
    void aPngPlotIsDrawnToo() throws Exception {
        Path png = tmp.resolve("curve.png");
        CliTest.Run r = lossc("train", CliTest.EXAMPLES.resolve("two_class.loss").toString(), "--data",
                CliTest.EXAMPLES.resolve("data/two_class_train.csv").toString(), "--epochs", "5", "--plot", png.toString());
        assertEquals(0, r.code(), r.err());
        java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(png.toFile());
        assertEquals(LossPlot.WIDTH, img.getWidth());
        assertEquals(LossPlot.HEIGHT, img.getHeight());
        int coloured = 0;
        for (int y = 0; y < img.getHeight(); y += 2) {
            for (int x = 0; x < img.getWidth(); x += 2) {
                int rgb = img.getRGB(x, y) & 0xFFFFFF;
                coloured += rgb != 0xFFFFFF ? 1 : 0;
            }
        }
        assertTrue(coloured > 1000, coloured + " drawn pixels of " + img.getWidth() * img.getHeight() / 4);
    }

    @Test
    void axisLabelsAreWrittenAsPeopleWriteThem() throws IOException {
        assertEquals("0.25", LossPlot.label(0.25));
        assertEquals("3000", LossPlot.label(3000));
        assertEquals("1e-05", LossPlot.label(1e-5));
        assertEquals("2.5e+08", LossPlot.label(2.5e8));
        assertEquals("0", LossPlot.label(0));
        assertEquals("0.0001", LossPlot.label(1e-4));
    }
}
