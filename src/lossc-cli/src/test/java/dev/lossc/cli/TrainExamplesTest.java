package dev.lossc.cli;

import static dev.lossc.cli.CliTest.lossc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The training examples of the README and docs, run as written: examples/data with the example networks. */
class TrainExamplesTest {
    private static final Path EX = CliTest.EXAMPLES;

    private static double lastValue(String out, String what) {
        Matcher m = Pattern.compile(what + " (\\S+)").matcher(out);
        double last = Double.NaN;
        while (m.find()) {
            last = Double.parseDouble(m.group(1));
        }
        return last;
    }

    /**
     * The README's main command: the 2-2-2 worked example from its classic weights, SGD at 0.5 for
     * 10,000 epochs. The loss starts at the forward pass the seed material computes by hand and falls
     * by five orders of magnitude, printed every 1,000 epochs.
     */
    @Test
    void theWorkedExampleTrainsBySgdFromItsClassicWeights() {
        CliTest.Run r = lossc("train", EX.resolve("worked_example.loss").toString(), "--data", EX.resolve("data/worked_example.csv").toString(),
                "--init", EX.resolve("worked_example.json").toString(), "--lr", "0.5", "--epochs", "10000", "--batch", "1", "--every", "1000");
        assertEquals(0, r.code(), r.out() + r.err());
        List<String> lines = r.out().lines().filter(l -> l.startsWith("epoch ")).toList();
        assertEquals(11, lines.size(), r.out());
        assertTrue(lines.get(0).startsWith("epoch 1/10000  lr 0.5  train loss 0.298371"), lines.get(0));
        assertTrue(lines.get(10).startsWith("epoch 10000/10000"), lines.get(10));
        double last = lastValue(r.out(), "train loss");
        assertTrue(last < 5e-6 && last > 3e-6, "loss after 10,000 epochs: " + last);
    }

    /** The noisy half-moons: an MLP with softmax cross-entropy, with and without L2 (weight decay), and the linear hinge classifier. */
    @Test
    void theTwoClassProblemTrainsWithCrossEntropyAndWithTheHingeLoss() {
        CliTest.Run r = lossc("train", EX.resolve("two_class.loss").toString(), "--data", EX.resolve("data/two_class_train.csv").toString(),
                "--validate", EX.resolve("data/two_class_val.csv").toString(), "--optimizer", "adam", "--lr", "0.01", "--epochs", "60",
                "--sweep", "weight-decay=0,0.001");
        assertEquals(0, r.code(), r.out() + r.err());
        String table = r.out().substring(r.out().indexOf("sweep, ranked"));
        assertTrue(table.contains("weight-decay=0 ") && table.contains("weight-decay=0.001"), table);
        Matcher best = Pattern.compile("\\n1 .* (0\\.\\d+)\\s*$", Pattern.MULTILINE).matcher(table);
        assertTrue(best.find() && Double.parseDouble(best.group(1)) > 0.85, "best validation accuracy in\n" + table);

        CliTest.Run hinge = lossc("train", EX.resolve("hinge.loss").toString(), "--data", EX.resolve("data/hinge_train.csv").toString(),
                "--validate", EX.resolve("data/hinge_val.csv").toString(), "--lr", "0.05", "--epochs", "30", "--batch", "1");
        assertEquals(0, hinge.code(), hinge.out() + hinge.err());
        double first = Double.parseDouble(hinge.out().lines().findFirst().orElseThrow().replaceAll(".*validation loss (\\S+).*", "$1"));
        assertTrue(lastValue(hinge.out(), "validation loss") < first, hinge.out());
    }

    /**
     * The MNIST-shaped classifier (784-128-10, a batch size that varies per call, int labels, output
     * probs) on a generated data set of 28 x 28 images: class c is a horizontal stroke on row 2 + 2c
     * and a vertical one on column 25 - 2c, drawn with a random offset, intensity and pixel noise.
     */
    @Test
    void theMnistShapedClassifierTrainsOnGeneratedDigits(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path train = digits(tmp.resolve("digits_train.csv"), 600, 1);
        Path val = digits(tmp.resolve("digits_val.csv"), 200, 2);
        CliTest.Run r = lossc("train", EX.resolve("mnist.loss").toString(), "--data", train.toString(), "--validate", val.toString(),
                "--optimizer", "adam", "--lr", "0.001", "--epochs", "2", "--batch", "50", "--seed", "4");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("accuracy: argmax of output probs against labels, on the validation data"), r.out());
        double accuracy = lastValue(r.out(), "accuracy");
        assertTrue(accuracy > 0.9, "validation accuracy " + accuracy + "\n" + r.out());
    }

    /**
     * LeNet-5 (version 3: images [B, 1, 28, 28], two convolutions with max pooling, dropout, output
     * probs, a batch that varies per call) on the generated digits, whose CSV columns name each
     * pixel by channel, row and column ({@code X[0][y][x]}).
     */
    @Test
    void leNet5TrainsOnGeneratedDigits(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        java.util.function.IntFunction<String> pixel = j -> "X[0][" + j / 28 + "][" + j % 28 + "]";
        Path train = digits(tmp.resolve("digits_train.csv"), 600, 1, pixel);
        Path val = digits(tmp.resolve("digits_val.csv"), 200, 2, pixel);
        CliTest.Run r = lossc("train", EX.resolve("lenet5.loss").toString(), "--data", train.toString(), "--validate", val.toString(),
                "--optimizer", "adam", "--lr", "0.002", "--epochs", "3", "--batch", "32", "--seed", "4");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("accuracy: argmax of output probs against labels, on the validation data"), r.out());
        double accuracy = lastValue(r.out(), "accuracy");
        assertTrue(accuracy > 0.95, "validation accuracy " + accuracy + "\n" + r.out());
    }

    /**
     * Multi-head self-attention (version 3: sequences [B, T, D], reshape and permute into heads,
     * batched products, a class per position) learns a label that needs the whole sequence: whether
     * a position's first feature is above the sequence's mean of it. Without context the best loss
     * is about ln 2 = 0.69.
     */
    @Test
    void attentionLearnsALabelThatNeedsTheWholeSequence(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path train = aboveMean(tmp.resolve("att_train.csv"), 512, 1);
        Path val = aboveMean(tmp.resolve("att_val.csv"), 128, 2);
        CliTest.Run r = lossc("train", EX.resolve("attention.loss").toString(), "--data", train.toString(), "--validate", val.toString(),
                "--optimizer", "adam", "--lr", "0.01", "--epochs", "12", "--batch", "32", "--seed", "3", "--every", "4");
        assertEquals(0, r.code(), r.out() + r.err());
        double loss = lastValue(r.out(), "validation loss");
        assertTrue(loss < 0.3, "validation loss " + loss + "\n" + r.out());
    }

    private static Path aboveMean(Path file, int rows, long seed) throws java.io.IOException {
        java.util.Random rnd = new java.util.Random(seed);
        StringBuilder s = new StringBuilder();
        for (int t = 0; t < 8; t++) {
            for (int d = 0; d < 16; d++) {
                s.append("X[").append(t).append("][").append(d).append("],");
            }
        }
        for (int t = 0; t < 8; t++) {
            s.append(t == 0 ? "" : ",").append("labels[").append(t).append(']');
        }
        s.append('\n');
        for (int i = 0; i < rows; i++) {
            double[][] x = new double[8][16];
            double mean = 0;
            for (int t = 0; t < 8; t++) {
                for (int d = 0; d < 16; d++) {
                    x[t][d] = Math.round(rnd.nextGaussian() * 1000) / 1000.0;
                    s.append(String.format(java.util.Locale.ROOT, "%.3f", x[t][d])).append(',');
                }
                mean += x[t][0] / 8;
            }
            for (int t = 0; t < 8; t++) {
                s.append(t == 0 ? "" : ",").append(x[t][0] > mean ? 1 : 0);
            }
            s.append('\n');
        }
        java.nio.file.Files.writeString(file, s);
        return file;
    }

    /**
     * The LSTM language model (an int matrix of token sequences, version 3) learns sequences that
     * step through 16 ids by 1, 3 or 5 from a random start: only the second token is uncertain (one
     * of 3), so the mean loss over the 11 predictions falls from ln 16 = 2.77 toward ln 3 / 11 = 0.10.
     */
    @Test
    void theLstmLanguageModelLearnsItsSequences(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path train = sequences(tmp.resolve("seq_train.csv"), 384, 1);
        Path val = sequences(tmp.resolve("seq_val.csv"), 96, 2);
        CliTest.Run r = lossc("train", EX.resolve("lstm_lm.loss").toString(), "--data", train.toString(), "--validate", val.toString(),
                "--optimizer", "adam", "--lr", "0.02", "--epochs", "25", "--batch", "32", "--seed", "3", "--every", "5");
        assertEquals(0, r.code(), r.out() + r.err());
        double loss = lastValue(r.out(), "validation loss");
        assertTrue(loss < 0.3, "validation loss " + loss + "\n" + r.out());
    }

    private static Path sequences(Path file, int rows, long seed) throws java.io.IOException {
        java.util.Random rnd = new java.util.Random(seed);
        StringBuilder s = new StringBuilder();
        for (int t = 0; t < 12; t++) {
            s.append(t == 0 ? "" : ",").append("toks[").append(t).append(']');
        }
        s.append('\n');
        int[] steps = {1, 3, 5};
        for (int i = 0; i < rows; i++) {
            int start = rnd.nextInt(16);
            int step = steps[rnd.nextInt(3)];
            for (int t = 0; t < 12; t++) {
                s.append(t == 0 ? "" : ",").append((start + step * t) % 16);
            }
            s.append('\n');
        }
        java.nio.file.Files.writeString(file, s);
        return file;
    }

    private static Path digits(Path file, int rows, long seed) throws java.io.IOException {
        return digits(file, rows, seed, j -> "X[" + j + "]");
    }

    /** The same images with columns named by {@code column} (pixel j of 784, row-major). */
    private static Path digits(Path file, int rows, long seed, java.util.function.IntFunction<String> column) throws java.io.IOException {
        java.util.Random rnd = new java.util.Random(seed);
        StringBuilder s = new StringBuilder();
        for (int j = 0; j < 784; j++) {
            s.append(column.apply(j)).append(',');
        }
        s.append("labels\n");
        for (int i = 0; i < rows; i++) {
            int c = i % 10;
            int shift = rnd.nextInt(3) - 1;
            double ink = 0.6 + 0.4 * rnd.nextDouble();
            for (int y = 0; y < 28; y++) {
                for (int x = 0; x < 28; x++) {
                    boolean stroke = y == 2 + 2 * c + shift || x == 25 - 2 * c + shift;
                    double v = Math.max(0, Math.min(1, (stroke ? ink : 0) + 0.1 * rnd.nextGaussian()));
                    s.append(String.format(java.util.Locale.ROOT, "%.2f", v)).append(',');
                }
            }
            s.append(c).append('\n');
        }
        java.nio.file.Files.writeString(file, s);
        return file;
    }

    @Test
    void initTakesAValuesFileOrAParamsFileAndRejectsUnknownNames() throws Exception {
        Path data = EX.resolve("data/worked_example.csv");
        CliTest.Run bad = lossc("train", EX.resolve("worked_example.loss").toString(), "--data", data.toString(),
                "--init", EX.resolve("two_layer.json").toString());
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("error: 'V' is not an input or param of model WorkedExample"), bad.err());
        assertEquals(Main.USAGE, lossc("train", EX.resolve("worked_example.loss").toString(), "--data", data.toString(), "--every", "0").code());
    }
}
