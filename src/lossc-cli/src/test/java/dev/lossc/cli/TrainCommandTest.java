package dev.lossc.cli;

import static dev.lossc.cli.CliTest.lossc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossc.LossCompiler;
import dev.lossc.ModelLayout;
import dev.lossc.ValuesFile;
import dev.lossc.diag.Reporter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code lossc train}: data from CSV, epochs that lower the loss, validation, sweeps, bad data, interruption. */
class TrainCommandTest {
    @TempDir
    Path tmp;

    private static final Path TWO_LAYER = CliTest.EXAMPLES.resolve("two_layer.loss");
    private static final Path LAYER_NORM = CliTest.EXAMPLES.resolve("layer_norm.loss");

    /** Rows of the two-layer regression: x[0..2] in [-1, 1], y a smooth function of them in (0, 1). */
    private Path regression(String name, int rows, long seed) throws IOException {
        Random r = new Random(seed);
        StringBuilder s = new StringBuilder("x[0],x[1],x[2],y\n");
        for (int i = 0; i < rows; i++) {
            double a = 2 * r.nextDouble() - 1;
            double b = 2 * r.nextDouble() - 1;
            double c = 2 * r.nextDouble() - 1;
            s.append(a).append(',').append(b).append(',').append(c).append(',').append(0.5 + 0.4 * Math.tanh(a - b + 0.5 * c)).append('\n');
        }
        return write(name, s.toString());
    }

    /** Rows of a three-class problem for the layer-norm classifier (batch model, int labels). */
    private Path classes(String name, int rows, long seed) throws IOException {
        Random r = new Random(seed);
        StringBuilder s = new StringBuilder("X[0],X[1],X[2],X[3],X[4],X[5],labels\n");
        for (int i = 0; i < rows; i++) {
            double[] x = new double[6];
            for (int j = 0; j < 6; j++) {
                x[j] = r.nextGaussian();
                s.append(x[j]).append(',');
            }
            s.append(x[0] + x[1] > 0.5 ? 0 : x[2] > 0 ? 1 : 2).append('\n');
        }
        return write(name, s.toString());
    }

    private Path write(String name, String text) throws IOException {
        Path p = tmp.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    private static final Pattern EPOCH = Pattern.compile("epoch (\\d+)/\\d+ .*train loss (\\S+)(?:  validation loss (\\S+))?(?:  accuracy (\\S+))?");

    private static List<double[]> epochs(String out) {
        List<double[]> rows = new ArrayList<>();
        for (String line : out.split("\n")) {
            Matcher m = EPOCH.matcher(line);
            if (m.find()) {
                rows.add(new double[] {Double.parseDouble(m.group(2)), m.group(3) == null ? Double.NaN : Double.parseDouble(m.group(3)),
                        m.group(4) == null ? Double.NaN : Double.parseDouble(m.group(4))});
            }
        }
        return rows;
    }

    @Test
    void trainingLowersTheLossReportsValidationAndWritesParamsEvalReadsBack() throws IOException {
        Path data = regression("train.csv", 200, 1);
        Path val = regression("val.csv", 50, 2);
        Path out = tmp.resolve("params.json");
        CliTest.Run r = lossc("train", TWO_LAYER.toString(), "--data", data.toString(), "--validate", val.toString(), "--lr", "0.5",
                "--epochs", "20", "--batch", "8", "--seed", "3", "--out", out.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        List<double[]> e = epochs(r.out());
        assertEquals(20, e.size(), r.out());
        assertTrue(e.get(19)[0] < e.get(0)[0] / 3, "training loss " + e.get(0)[0] + " -> " + e.get(19)[0]);
        assertTrue(e.get(19)[1] < e.get(0)[1] / 3, "validation loss " + e.get(0)[1] + " -> " + e.get(19)[1]);

        // eval reads the parameters back: at the trained params the loss on a row is that of a
        // class whose params are set from the file, and lower than at the initial params.
        Path inputs = write("row.json", "{\"x\": [0.3, -0.2, 0.1], \"y\": " + (0.5 + 0.4 * Math.tanh(0.3 + 0.2 + 0.05)) + "}");
        CliTest.Run trained = lossc("eval", TWO_LAYER.toString(), "--values", inputs.toString(), "--params", out.toString());
        assertEquals(0, trained.code(), trained.err());
        CliTest.Run initial = lossc("eval", TWO_LAYER.toString(), "--values", inputs.toString(), "--seed", "3");
        assertTrue(loss(trained.out()) < loss(initial.out()), trained.out() + " vs " + initial.out());
        Map<String, double[]> params = readParams(TWO_LAYER, Files.readString(out));
        assertEquals(List.of("V", "w"), new ArrayList<>(params.keySet()));
    }

    private static double loss(String json) {
        Matcher m = Pattern.compile("\"loss\": ([^,]+),").matcher(json);
        assertTrue(m.find(), json);
        return Double.parseDouble(m.group(1));
    }

    private static Map<String, double[]> readParams(Path model, String text) throws IOException {
        LossCompiler.Result r = LossCompiler.compile(model.toString(), Files.readAllBytes(model), LossCompiler.Options.DEFAULT);
        ModelLayout layout = r.layout().orElseThrow();
        Map<String, double[]> params = new LinkedHashMap<>();
        Reporter reporter = new Reporter("params.json");
        assertTrue(ValuesFile.readParams(text, layout, reporter, params), reporter.diagnostics().toString());
        return params;
    }

    @Test
    void aBatchModelWithIntLabelsTrainsWithAPartialLastBatchAndReportsAccuracy() throws Exception {
        // 210 rows, 63 held out: 147 training rows in batches of 20, the last one of 7.
        Path data = classes("classes.csv", 210, 5);
        Path svg = tmp.resolve("curve.svg");
        CliTest.Run r = lossc("train", LAYER_NORM.toString(), "--data", data.toString(), "--holdout", "0.3", "--optimizer", "adam",
                "--lr", "0.03", "--epochs", "15", "--batch", "20", "--seed", "1", "--plot", svg.toString());
        assertEquals(2, seriesDrawn(svg), "training and validation loss");
        assertNotBlank(svg);
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("accuracy: argmax of output probs against labels, on the validation data"), r.out());
        List<double[]> e = epochs(r.out());
        assertTrue(e.get(14)[1] < e.get(0)[1], r.out());
        assertTrue(e.get(14)[2] > 0.8, "accuracy " + e.get(14)[2] + "\n" + r.out());
    }

    @Test
    void aSweepTrainsEveryCombinationAndRanksThem() throws IOException {
        Path data = regression("train.csv", 120, 7);
        CliTest.Run r = lossc("train", TWO_LAYER.toString(), "--data", data.toString(), "--holdout", "0.25", "--epochs", "5",
                "--sweep", "lr=0.05,0.5", "--sweep", "batch=1,all", "--seed", "2");
        assertEquals(0, r.code(), r.out() + r.err());
        String table = r.out().substring(r.out().indexOf("sweep, ranked by validation loss"));
        List<String> rows = table.lines().filter(l -> l.matches("\\d+ .*")).toList();
        assertEquals(4, rows.size(), table);
        double previous = Double.NEGATIVE_INFINITY;
        for (String row : rows) {
            String[] f = row.trim().split("\\s+");
            double v = Double.parseDouble(f[f.length - 1]);
            assertTrue(v >= previous, table);
            previous = v;
        }
        for (String c : List.of("lr=0.05 batch=1", "lr=0.05 batch=all", "lr=0.5 batch=1", "lr=0.5 batch=all")) {
            assertTrue(table.contains(c), c + " in\n" + table);
        }
    }

    /** The sweep's SVG has one curve per combination, and a real renderer draws it (not blank). */
    @Test
    void aSweepDrawsOneCurvePerCombinationInOneSvg() throws Exception {
        Path data = regression("train.csv", 120, 7);
        Path svg = tmp.resolve("sweep.svg");
        CliTest.Run r = lossc("train", TWO_LAYER.toString(), "--data", data.toString(), "--holdout", "0.25", "--epochs", "6",
                "--sweep", "lr=0.05,0.5", "--sweep", "optimizer=sgd,adam", "--plot", svg.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertEquals(4, seriesDrawn(svg), "one curve per combination");
        assertNotBlank(svg);
    }

    /**
     * How many curves the SVG draws: the entries of its legend, read back from its text (the text is
     * text), checked against the series' lines. Also checks it is SVG.
     */
    static int seriesDrawn(Path svg) throws Exception {
        var factory = javax.xml.parsers.DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        assertEquals("svg", factory.newDocumentBuilder().parse(svg.toFile()).getDocumentElement().getTagName());
        return (int) PlotTest.texts(svg).stream().filter(t -> t.matches("\\d+\\. .*|training loss|validation loss")).count();
    }

    /**
     * Renders the SVG with librsvg's rsvg-convert (Debian's librsvg2-bin, installed by .ci/run) and
     * checks the PNG has drawing on it: a good share of non-white pixels and several colours.
     */
    static void assertNotBlank(Path svg) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/rsvg-convert")),
                "rsvg-convert (librsvg2-bin) is not installed");
        Path png = svg.resolveSibling(svg.getFileName() + ".png");
        Process p = new ProcessBuilder("/usr/bin/rsvg-convert", svg.toString(), "-o", png.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), log);
        java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(png.toFile());
        int coloured = 0;
        java.util.Set<Integer> colours = new java.util.HashSet<>();
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y);
                int alpha = rgb >>> 24;
                if (alpha > 0 && (rgb & 0xFFFFFF) != 0xFFFFFF) {
                    coloured++;
                    colours.add(rgb & 0xFFFFFF);
                }
            }
        }
        double share = (double) coloured / (img.getWidth() * img.getHeight());
        assertTrue(share > 0.01 && colours.size() > 8, "rendered PNG looks blank: " + share + " of pixels drawn, " + colours.size() + " colours");
    }

    static Stream<Arguments> badData() {
        return Stream.of(
                Arguments.of("x[0],x[1],y\n0.1,0.2,0.3\n", ":1: error: no column 'x[2]' for input x (it needs 'x[0]' … 'x[2]')"),
                Arguments.of("x[0],x[1],x[2],y\n0.1,0.2,0.3,0.4\n0.1,0.2,0.3\n", ":3: error: 3 values, but the header has 4 columns"),
                Arguments.of("x[0],x[1],x[2],y\n0.1,0.2,0.3,0.4\n0.1,abc,0.3,0.5\n", ":3: error: column 'x[1]': 'abc' is not a number"),
                Arguments.of("x[0],x[1],x[2],y,z\n0.1,0.2,0.3,0.4,1\n", ":1: error: column 'z' is not a column of any input of TwoLayer"),
                Arguments.of("x[0],x[1],x[2],y\n", ": error: no data rows after the header"));
    }

    @ParameterizedTest
    @MethodSource("badData")
    void badDataIsAnErrorAtItsLineAndNothingIsWritten(String csv, String message) throws IOException {
        Path data = write("bad.csv", csv);
        Path out = tmp.resolve("params.json");
        CliTest.Run r = lossc("train", TWO_LAYER.toString(), "--data", data.toString(), "--out", out.toString());
        assertEquals(1, r.code(), r.out() + r.err());
        assertEquals(data + message + "\n", r.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void aLabelOutOfRangeIsAnErrorAtItsLine() throws IOException {
        Path data = write("labels.csv", "X[0],X[1],X[2],X[3],X[4],X[5],labels\n1,2,3,4,5,6,2\n1,2,3,4,5,6,3\n");
        CliTest.Run r = lossc("train", LAYER_NORM.toString(), "--data", data.toString());
        assertEquals(1, r.code());
        assertEquals(data + ":3: error: column 'labels': 3 is outside the valid range 0..2 of input labels\n", r.err());
        Path fraction = write("frac.csv", "X[0],X[1],X[2],X[3],X[4],X[5],labels\n1,2,3,4,5,6,1.5\n");
        assertEquals(fraction + ":2: error: column 'labels': 1.5 is not an integer (input labels is int)\n",
                lossc("train", LAYER_NORM.toString(), "--data", fraction.toString()).err());
    }

    @Test
    void dataThatIsNotARegularFileIsRefusedAtOnce() {
        CliTest.Run r = lossc("train", TWO_LAYER.toString(), "--data", "/dev/null");
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.err().startsWith("/dev/null: error: not a regular file"), r.err());
    }

    @Test
    void dataThatIsNotUtf8IsAnErrorNotAStackTrace() throws IOException {
        Path data = tmp.resolve("latin1.csv");
        Files.write(data, new byte[] {'x', '[', '0', ']', ',', 'y', '\n', (byte) 0xE9, ',', '1', '\n'});
        CliTest.Run r = lossc("train", TWO_LAYER.toString(), "--data", data.toString());
        assertEquals(1, r.code(), r.out() + r.err());
        assertEquals(data + ": error: not UTF-8 text (invalid byte sequence)\n", r.err());
    }

    @Test
    void badOptionsAreUsageErrors() throws IOException {
        Path data = regression("train.csv", 20, 1);
        assertEquals(Main.USAGE, lossc("train", TWO_LAYER.toString(), "--data", data.toString(), "--optimizer", "newton").code());
        assertEquals(Main.USAGE, lossc("train", TWO_LAYER.toString(), "--data", data.toString(), "--batch", "0").code());
        assertEquals(Main.USAGE, lossc("train", TWO_LAYER.toString(), "--data", data.toString(), "--sweep", "colour=red").code());
        assertEquals(Main.USAGE, lossc("train", TWO_LAYER.toString(), "--data", data.toString(), "--holdout", "1.5").code());
        assertEquals(Main.USAGE, lossc("train", TWO_LAYER.toString(), "--data", data.toString(), "--threads", "0").code());
        CliTest.Run many = lossc("train", TWO_LAYER.toString(), "--data", data.toString(), "--threads", "257");
        assertEquals(Main.USAGE, many.code());
        assertTrue(many.err().contains("'257' is out of range: expected a whole number from 1 to 256"), many.err());
    }

    /**
     * {@code --threads 2} trains a model whose first layer is large enough to split to the same
     * bits as one thread: the same epoch losses and byte-identical parameters.
     */
    @Test
    void twoThreadsTrainToTheSameBitsAsOne() throws IOException {
        Path model = tmp.resolve("wide.loss");
        Files.writeString(model, """
                model Wide;
                dim B <= 64, D = 160, H = 144;
                input X[B, D];
                input y[B];
                param W1[H, D] init xavier;
                param b1[H];
                param w2[H] init xavier;
                loss mse(tanh(X @ transpose(W1) + b1) @ w2, y);
                """);
        StringBuilder csv = new StringBuilder();
        for (int j = 0; j < 160; j++) {
            csv.append("X[").append(j).append("],");
        }
        csv.append("y\n");
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(3);
        for (int i = 0; i < 200; i++) {
            double sum = 0;
            for (int j = 0; j < 160; j++) {
                double v = rnd.nextDouble() - 0.5;
                sum += v * (j % 7 - 3);
                csv.append(v).append(',');
            }
            csv.append(Math.tanh(sum / 10)).append('\n');
        }
        Path data = tmp.resolve("wide.csv");
        Files.writeString(data, csv);
        Path one = tmp.resolve("one.json");
        Path two = tmp.resolve("two.json");
        CliTest.Run r1 = lossc("train", model.toString(), "--data", data.toString(), "--epochs", "3", "--batch", "64", "--optimizer",
                "adam", "--lr", "0.01", "--out", one.toString());
        CliTest.Run r2 = lossc("train", model.toString(), "--data", data.toString(), "--epochs", "3", "--batch", "64", "--optimizer",
                "adam", "--lr", "0.01", "--out", two.toString(), "--threads", "2");
        assertEquals(0, r1.code(), r1.out() + r1.err());
        assertEquals(0, r2.code(), r2.out() + r2.err());
        assertEquals(epochs(r1.out()).stream().map(e -> e[1]).toList(), epochs(r2.out()).stream().map(e -> e[1]).toList());
        assertEquals(Files.readString(one), Files.readString(two));
    }

    /** Killed mid-run, the params file holds a finished epoch's parameters, whole. */
    @Test
    void anInterruptedRunLeavesTheLastFinishedEpochsParameters() throws Exception {
        Path data = regression("train.csv", 2000, 9);
        Path out = tmp.resolve("params.json");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "dev.lossc.cli.Main", "train", TWO_LAYER.toString(),
                "--data", data.toString(), "--epochs", "100000", "--batch", "1", "--out", out.toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("log.txt").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (countEpochs(tmp.resolve("log.txt")) < 3 && System.nanoTime() < deadline && p.isAlive()) {
                Thread.sleep(50);
            }
            assertTrue(p.isAlive(), Files.readString(tmp.resolve("log.txt")));
        } finally {
            p.destroy();   // SIGTERM, as Ctrl-C's SIGINT: the JVM exits mid-epoch
            p.waitFor(30, TimeUnit.SECONDS);
        }
        Map<String, double[]> params = readParams(TWO_LAYER, Files.readString(out));
        assertEquals(2, params.size());
        try (var files = Files.list(tmp)) {
            assertEquals(List.of(), files.filter(f -> f.getFileName().toString().startsWith(".")).toList(), "temporary files left behind");
        }
    }

    private static long countEpochs(Path log) throws IOException {
        return Files.exists(log) ? Files.readString(log).lines().filter(l -> l.startsWith("epoch ")).count() : 0;
    }
}
