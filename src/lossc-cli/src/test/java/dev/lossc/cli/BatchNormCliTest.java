package dev.lossc.cli;

import static dev.lossc.cli.CliTest.lossc;
import static dev.lossc.cli.CliTest.losscWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model with states ({@code batch_norm}) on the command line (docs/language.md, "States and
 * batch norm"): eval prints the states a training call leaves, train writes them with the params,
 * validating never moves them, and a resumed run is one run, states included.
 */
class BatchNormCliTest {
    @TempDir
    Path tmp;

    private Path model() throws Exception {
        Path m = tmp.resolve("two_class_bn.loss");
        Files.writeString(m, Files.readString(CliTest.EXAMPLES.resolve("two_class.loss"))
                .replace("model TwoClass;", "model TwoClassBn;")
                .replace("param b2[2];", "param b2[2];\nstate m[H] as \"bn.running_mean\";\nstate v[H] init ones as \"bn.running_var\";")
                .replace("let logits = tanh(X @ transpose(W1) + b1) @",
                        "let logits = tanh(batch_norm(X @ transpose(W1) + b1, 1, 0, m, v, momentum = 0.2)) @"));
        assertTrue(Files.readString(m).contains("batch_norm("));
        return m;
    }

    /** The numbers of the JSON array that follows {@code "key": } in {@code json}. */
    private static List<Double> numbers(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\": (\\[[^\"]*?\\])(?=\\s*,\\s*\"|\\s*\\})").matcher(json);
        assertTrue(m.find(), key + " in " + json);
        List<Double> out = new ArrayList<>();
        Matcher n = Pattern.compile("-?[0-9][0-9.eE+-]*").matcher(m.group(1));
        while (n.find()) {
            out.add(Double.parseDouble(n.group()));
        }
        return out;
    }

    @Test
    void evalComputesTheOutputsFromTheGivenStatesAndPrintsTheStatesTheCallLeaves() throws Exception {
        Path m = model();
        Path values = tmp.resolve("v.json");
        Files.writeString(values, "{\"X\": [[0.5, -0.2], [0.1, 0.9], [-0.7, 0.3]], \"labels\": [0, 1, 1], "
                + "\"m\": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6]}");
        CliTest.Run r = lossc("eval", m.toString(), "--values", values.toString(), "--seed", "1");
        assertEquals(0, r.code(), r.err());
        String out = r.out();
        int loss = out.indexOf("\"loss\": ");
        int gradient = out.indexOf("\"gradient\": ");
        int outputs = out.indexOf("\"outputs\": ");
        int states = out.indexOf("\"states\": {\"m\": ");
        assertTrue(loss >= 0 && loss < gradient && gradient < outputs && outputs < states, out);
        assertTrue(out.indexOf("\"v\": ", states) > 0, out);
        // The states printed are those the training call left: moved from the given m and the init of v.
        String printed = out.substring(states);
        assertNotEquals(0.1, numbers(printed, "m").get(0), 1e-12);
        assertTrue(numbers(printed, "v").stream().allMatch(x -> x != 1.0), printed);
        // The outputs are those of the states as given: --outputs-only (no training call) agrees.
        CliTest.Run only = lossc("eval", m.toString(), "--values", values.toString(), "--seed", "1", "--outputs-only");
        assertEquals(0, only.code(), only.err());
        assertEquals(numbers(only.out(), "probs"), numbers(out.substring(outputs), "probs"));
    }

    @Test
    void trainWritesTheStatesWithTheParamsAndValidatingNeverMovesThem() throws Exception {
        Path m = model();
        String data = CliTest.EXAMPLES.resolve("data/two_class_train.csv").toString();
        String val = CliTest.EXAMPLES.resolve("data/two_class_val.csv").toString();
        Path plain = tmp.resolve("plain.json");
        Path validated = tmp.resolve("validated.json");
        String[] common = {"--data", data, "--optimizer", "adam", "--lr", "0.02", "--seed", "7", "--epochs", "3", "--batch", "16"};
        CliTest.Run a = losscWith(common, "train", m.toString(), "--out", plain.toString());
        assertEquals(0, a.code(), a.err());
        CliTest.Run b = losscWith(common, "train", m.toString(), "--validate", val, "--out", validated.toString());
        assertEquals(0, b.code(), b.err());
        assertArrayEquals(Files.readAllBytes(plain), Files.readAllBytes(validated), "validation moved the states or the params");
        String trained = Files.readString(plain);
        int last = -1;
        for (String key : new String[] {"W1", "b1", "W2", "b2", "m", "v"}) {
            int at = trained.indexOf("\"" + key + "\": ");
            assertTrue(at > last, key + " in order in " + trained);
            last = at;
        }
        assertTrue(numbers(trained.replace("\n", " "), "m").stream().anyMatch(x -> x != 0.0), "training moved the running mean");
        // eval reads them back: its outputs are those of the trained states.
        Path inputs = tmp.resolve("in.json");
        Files.writeString(inputs, "{\"X\": [[0.5, -0.2], [0.1, 0.9]]}");
        CliTest.Run back = lossc("eval", m.toString(), "--values", inputs.toString(), "--params", plain.toString(), "--outputs-only");
        assertEquals(0, back.code(), back.err());
        Path fresh = tmp.resolve("fresh.json");
        Files.writeString(fresh, Files.readString(plain).replaceAll("\"m\": \\[[^\\]]*\\]", "\"m\": [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]"));
        CliTest.Run zero = lossc("eval", m.toString(), "--values", inputs.toString(), "--params", fresh.toString(), "--outputs-only");
        assertEquals(0, zero.code(), zero.err());
        assertNotEquals(back.out(), zero.out(), "the outputs read the states from --params");
        // Under their state-dict names in a safetensors file, with the params.
        Path st = tmp.resolve("trained.safetensors");
        CliTest.Run s = losscWith(common, "train", m.toString(), "--out", st.toString());
        assertEquals(0, s.code(), s.err());
        String header = new String(Files.readAllBytes(st), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(header.contains("\"bn.running_mean\"") && header.contains("\"bn.running_var\""), header.substring(0, 200));
    }

    /** No training call of one row: 33 rows in batches of 16 end with 15 and 2, and --batch 1 is refused. */
    @Test
    void noTrainingCallHasOneRow() throws Exception {
        Path m = model();
        Path rows33 = tmp.resolve("rows33.csv");
        java.util.List<String> lines = Files.readAllLines(CliTest.EXAMPLES.resolve("data/two_class_train.csv"));
        Files.write(rows33, lines.subList(0, 34));
        CliTest.Run r = lossc("train", m.toString(), "--data", rows33.toString(), "--batch", "16", "--epochs", "2", "--seed", "3");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("epoch 2/2"), r.out());
        CliTest.Run one = lossc("train", m.toString(), "--data", rows33.toString(), "--batch", "1", "--epochs", "1");
        assertEquals(2, one.code());
        assertTrue(one.err().contains("the model's batch_norm needs two rows or more in every training call, but --batch is 1"), one.err());
    }

    @Test
    void aResumedRunIsOneRunStatesIncluded() throws Exception {
        Path m = model();
        String data = CliTest.EXAMPLES.resolve("data/two_class_train.csv").toString();
        String val = CliTest.EXAMPLES.resolve("data/two_class_val.csv").toString();
        Path whole = tmp.resolve("whole.json");
        Path resumed = tmp.resolve("resumed.json");
        String[] common = {"--data", data, "--validate", val, "--optimizer", "adam", "--lr", "0.02", "--seed", "7", "--keep", "best"};
        assertEquals(0, losscWith(common, "train", m.toString(), "--epochs", "6", "--out", whole.toString()).code());
        assertEquals(0, losscWith(common, "train", m.toString(), "--epochs", "3", "--out", resumed.toString()).code());
        CliTest.Run r = losscWith(common, "train", m.toString(), "--epochs", "6", "--out", resumed.toString(), "--resume");
        assertEquals(0, r.code(), r.err());
        assertArrayEquals(Files.readAllBytes(whole), Files.readAllBytes(resumed));
    }
}
