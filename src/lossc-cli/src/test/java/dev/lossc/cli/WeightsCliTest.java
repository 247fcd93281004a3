package dev.lossc.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parameters in and out of every command, in every format: train writes what its --out names, and
 * eval, gradcheck, graph and train --init read any of them, with missing parameters treated the
 * same way everywhere.
 */
class WeightsCliTest {
    @TempDir
    Path tmp;

    static final Path CLASSIFIER = CliTest.EXAMPLES.resolve("two_class.loss");
    static final Path TRAIN = CliTest.EXAMPLES.resolve("data/two_class_train.csv");

    Path inputs;

    @BeforeEach
    void inputs() throws IOException {
        // Two rows, no labels: what an application has at inference.
        inputs = Files.writeString(tmp.resolve("rows.json"), "{\"X\": [[0.5, -1.25], [1.5, 0.25]]}");
    }

    private CliTest.Run lossc(String... args) {
        return HostileCliTest.lossc(args);
    }

    @Test
    void trainWritesEveryFormatAndEvalReadsEachBack() throws IOException {
        String reference = null;
        for (String name : List.of("p.json", "p.safetensors", "p.npz", "p.npy")) {
            Path out = tmp.resolve(name);
            CliTest.Run t = lossc("train", CLASSIFIER.toString(), "--data", TRAIN.toString(), "--epochs", "3", "--optimizer", "adam",
                    "--lr", "0.01", "--out", out.toString());
            assertEquals(0, t.code(), t.err());
            CliTest.Run e = lossc("eval", CLASSIFIER.toString(), "--values", inputs.toString(), "--params", out.toString(), "--outputs-only");
            assertEquals(0, e.code(), name + ": " + e.err());
            assertTrue(e.out().startsWith("{\"outputs\": {\"probs\": [["), e.out());
            if (reference == null) {
                reference = e.out();
            }
            assertEquals(reference, e.out(), name + " gives the same outputs, bit for bit");
        }
        // The same parameters, any format, as train --init: one more epoch from each gives one result.
        String again = null;
        for (String name : List.of("p.json", "p.safetensors", "p.npz", "p.npy")) {
            Path next = tmp.resolve("next-" + name.replace('.', '-') + ".json");
            assertEquals(0, lossc("train", CLASSIFIER.toString(), "--data", TRAIN.toString(), "--epochs", "1", "--init",
                    tmp.resolve(name).toString(), "--out", next.toString()).code());
            if (again == null) {
                again = Files.readString(next);
            }
            assertEquals(again, Files.readString(next), name);
        }
    }

    @Test
    void outputsOnlyNeedsNoLabels() {
        CliTest.Run full = lossc("eval", CLASSIFIER.toString(), "--values", inputs.toString(), "--seed", "3");
        assertEquals(1, full.code(), "a full eval needs the labels");
        assertTrue(full.err().contains("missing value for input 'labels'"), full.err());
        CliTest.Run outputs = lossc("eval", CLASSIFIER.toString(), "--values", inputs.toString(), "--seed", "3", "--outputs-only");
        assertEquals(0, outputs.code(), outputs.err());
        assertTrue(outputs.out().matches("\\{\"outputs\": \\{\"probs\": \\[\\[[^]]+\\], \\[[^]]+\\]\\]}}\n"), outputs.out());
        CliTest.Run none = lossc("eval", CliTest.EXAMPLES.resolve("two_layer.loss").toString(), "--values",
                CliTest.EXAMPLES.resolve("two_layer.json").toString(), "--outputs-only");
        assertEquals(Main.USAGE, none.code());
        assertTrue(none.err().startsWith("lossc eval: error: --outputs-only: "), none.err());
    }

    /** A param given nowhere is the same error in every command, and --seed fills it in every command. */
    @Test
    void missingParametersBehaveTheSameInEveryCommand() throws IOException {
        Path model = CliTest.EXAMPLES.resolve("two_layer.loss");
        Path values = Files.writeString(tmp.resolve("v.json"), "{\"x\": [0.1, 0.2, 0.3], \"y\": 0.5, \"w\": [1, 2, 3, 4]}");
        String message = values + ":1:1: error: missing value for param 'V' [4, 3] [V003]";
        for (String[] command : List.of(new String[] {"eval"}, new String[] {"gradcheck"}, new String[] {"graph", "-o", tmp.resolve("g.dot").toString()})) {
            List<String> args = new java.util.ArrayList<>(List.of(command[0], model.toString(), "--values", values.toString()));
            args.addAll(List.of(command).subList(1, command.length));
            CliTest.Run r = lossc(args.toArray(String[]::new));
            assertEquals(1, r.code(), command[0]);
            assertTrue(r.err().startsWith(message), command[0] + ": " + r.err());
            args.addAll(List.of("--seed", "0"));
            CliTest.Run seeded = lossc(args.toArray(String[]::new));
            assertEquals(0, seeded.code(), command[0] + ": " + seeded.err());
        }
        // With --params too, the message names both files.
        Path partial = tmp.resolve("partial.safetensors");
        dev.lossc.runtime.Parameters.of(new Object[][] {{"w", "w", new int[] {4}, 0}}).write(partial, new double[] {1, 2, 3, 4});
        Path onlyInputs = Files.writeString(tmp.resolve("in.json"), "{\"x\": [0.1, 0.2, 0.3], \"y\": 0.5}");
        for (String command : List.of("eval", "gradcheck")) {
            CliTest.Run r = lossc(command, model.toString(), "--values", onlyInputs.toString(), "--params", partial.toString());
            assertEquals(1, r.code(), command);
            assertEquals(partial + ": error: missing value for param 'V' [4, 3] (in neither the values or the params file; "
                    + "--seed S fills the params left out with initParameters(S)) [V003]\n", r.err(), command);
        }
    }

    /** A params file that does not fit: the tensor, both shapes and the file, as one diagnostic. */
    @Test
    void aParamsFileThatDoesNotFitIsADiagnostic() throws IOException {
        Path wrong = tmp.resolve("wrong.safetensors");
        dev.lossc.runtime.Parameters.of(new Object[][] {{"W1", "W1", new int[] {3, 2}, 0}, {"b1", "b1", new int[] {2}, 6},
            {"W2", "W2", new int[] {2, 3}, 8}, {"b2", "b2", new int[] {3}, 14}}).write(wrong, new double[17]);
        CliTest.Run r = lossc("eval", CLASSIFIER.toString(), "--values", inputs.toString(), "--params", wrong.toString(), "--outputs-only");
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith(wrong + ": error: tensor 'W1' has shape [3, 2], but parameter W1 is ["), r.err());
        Path pt = tmp.resolve("model.pt");
        Files.writeString(pt, "");
        CliTest.Run usage = lossc("eval", CLASSIFIER.toString(), "--values", inputs.toString(), "--params", pt.toString());
        assertEquals(Main.USAGE, usage.code());
        assertTrue(usage.err().startsWith("lossc eval: error: --params must name a .json, .safetensors, .npz or .npy file, but it is "), usage.err());
    }

    /** The layout train writes is the one the runtime reads in an application: names, shapes, values. */
    @Test
    void theRuntimeReadsWhatTrainWrites() throws Exception {
        Path out = tmp.resolve("p.safetensors");
        assertEquals(0, lossc("train", CLASSIFIER.toString(), "--data", TRAIN.toString(), "--epochs", "2", "--out", out.toString()).code());
        Path json = tmp.resolve("p.json");
        assertEquals(0, lossc("train", CLASSIFIER.toString(), "--data", TRAIN.toString(), "--epochs", "2", "--out", json.toString()).code());
        dev.lossc.LossCompiler.Result r = dev.lossc.LossCompiler.compile(CLASSIFIER.toString(), Files.readAllBytes(CLASSIFIER),
                dev.lossc.LossCompiler.Options.DEFAULT);
        Class<?> type = dev.lossc.ModelDriver.load(List.of(r), dev.lossc.testing.Compiled.JAVA8).get(0).type();
        dev.lossc.runtime.Parameters layout = dev.lossc.runtime.Parameters.of((Object[][]) type.getMethod("parameterLayout").invoke(null));
        double[] a = new double[layout.size()];
        double[] b = new double[layout.size()];
        layout.read(out, a);
        layout.read(json, b);
        assertArrayEquals(b, a);
    }
}
