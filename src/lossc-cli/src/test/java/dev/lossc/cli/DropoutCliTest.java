package dev.lossc.cli;

import static dev.lossc.cli.CliTest.lossc;
import static dev.lossc.cli.CliTest.losscWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model with {@code dropout} on the command line (docs/language.md, "Dropout"): gradcheck holds
 * the masks fixed, eval draws from its seed, and training is reproducible and resumable to the
 * bit.
 */
class DropoutCliTest {
    @TempDir
    Path tmp;

    private Path model() throws Exception {
        Path m = tmp.resolve("two_class_dropout.loss");
        Files.writeString(m, Files.readString(CliTest.EXAMPLES.resolve("two_class.loss"))
                .replace("model TwoClass;", "model TwoClassDropout;")
                .replace("let logits = tanh(X @ transpose(W1) + b1) @", "let logits = dropout(tanh(X @ transpose(W1) + b1), p = 0.3) @"));
        assertTrue(Files.readString(m).contains("dropout("));
        return m;
    }

    @Test
    void gradcheckHoldsTheMasksFixed() throws Exception {
        CliTest.Run r = lossc("gradcheck", model().toString(), "--seed", "4");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("ok: every checked entry is within"), r.out());
    }

    @Test
    void evalDrawsFromItsSeed() throws Exception {
        Path m = model();
        Path values = tmp.resolve("v.json");
        Files.writeString(values, "{\"X\": [[0.5, -0.2], [0.1, 0.9], [-0.7, 0.3]], \"labels\": [0, 1, 1]}");
        String a = lossc("eval", m.toString(), "--values", values.toString(), "--seed", "1").out();
        assertEquals(a, lossc("eval", m.toString(), "--values", values.toString(), "--seed", "1").out());
        assertNotEquals(a, lossc("eval", m.toString(), "--values", values.toString(), "--seed", "2").out());
    }

    /** The graph's loss and gradients are one training call's, drawn from --seed: eval's at the same seed. */
    @Test
    void theGraphsLossIsEvalsAtTheSameSeedAndSaysWhatFIs() throws Exception {
        Path m = model();
        Path values = tmp.resolve("v.json");
        Files.writeString(values, "{\"X\": [[0.5, -0.2], [0.1, 0.9], [-0.7, 0.3]], \"labels\": [0, 1, 1]}");
        Path dot = tmp.resolve("g.dot");
        assertEquals(0, lossc("graph", m.toString(), "--values", values.toString(), "--seed", "3", "-o", dot.toString()).code());
        String text = Files.readString(dot);
        String eval = lossc("eval", m.toString(), "--values", values.toString(), "--seed", "3").out();
        String loss = eval.substring(eval.indexOf("\"loss\": ") + 8, eval.indexOf(','));
        java.util.regex.Matcher f = java.util.regex.Pattern.compile("loss\\\\nline \\d+\\\\nf = ([^\\\\]+)\\\\ng = 1\\\\ndropout").matcher(text);
        assertTrue(f.find(), text);
        assertEquals(Double.parseDouble(loss), Double.parseDouble(f.group(1)), 1e-5 * Math.abs(Double.parseDouble(loss)));
    }

    @Test
    void trainingIsReproducibleAndAResumedRunIsOneRun() throws Exception {
        Path m = model();
        String data = CliTest.EXAMPLES.resolve("data/two_class_train.csv").toString();
        String val = CliTest.EXAMPLES.resolve("data/two_class_val.csv").toString();
        Path whole = tmp.resolve("whole.json");
        Path again = tmp.resolve("again.json");
        Path resumed = tmp.resolve("resumed.json");
        String[] common = {"--data", data, "--validate", val, "--optimizer", "adam", "--lr", "0.02", "--seed", "7"};
        assertEquals(0, losscWith(common, "train", m.toString(), "--epochs", "6", "--out", whole.toString()).code());
        assertEquals(0, losscWith(common, "train", m.toString(), "--epochs", "6", "--out", again.toString()).code());
        assertArrayEquals(Files.readAllBytes(whole), Files.readAllBytes(again));
        assertEquals(0, losscWith(common, "train", m.toString(), "--epochs", "3", "--out", resumed.toString()).code());
        CliTest.Run r = losscWith(common, "train", m.toString(), "--epochs", "6", "--out", resumed.toString(), "--resume");
        assertEquals(0, r.code(), r.err());
        assertArrayEquals(Files.readAllBytes(whole), Files.readAllBytes(resumed));
    }
}
