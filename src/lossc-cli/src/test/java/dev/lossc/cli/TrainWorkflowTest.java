package dev.lossc.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a PyTorch user reaches for around the training loop: --resume, --keep best, --early-stop,
 * clipping, warm-up and plateau schedules, Adam's betas and eps, and a metrics log.
 */
class TrainWorkflowTest {
    @TempDir
    Path tmp;

    static final Path CLASSIFIER = CliTest.EXAMPLES.resolve("two_class.loss");
    static final Path TRAIN = CliTest.EXAMPLES.resolve("data/two_class_train.csv");
    static final Path VALIDATE = CliTest.EXAMPLES.resolve("data/two_class_val.csv");

    private CliTest.Run train(String... more) {
        List<String> args = new ArrayList<>(List.of("train", CLASSIFIER.toString(), "--data", TRAIN.toString(), "--validate",
                VALIDATE.toString()));
        args.addAll(List.of(more));
        return HostileCliTest.lossc(args.toArray(String[]::new));
    }

    /** Every option that carries state across epochs at once: stopped after 4 epochs and resumed, the run is one run, bit for bit. */
    @Test
    void aResumedRunIsBitForBitOneRun() throws IOException {
        String[] options = {"--optimizer", "adam", "--lr", "0.02", "--betas", "0.85,0.995", "--eps", "1e-7", "--batch", "16",
            "--warmup", "2", "--schedule", "plateau:0.5:1", "--clip-norm", "0.5", "--keep", "best", "--seed", "4"};
        Path whole = tmp.resolve("whole.safetensors");
        CliTest.Run one = train(concat(options, "--epochs", "9", "--out", whole.toString(), "--log", tmp.resolve("whole.csv").toString()));
        assertEquals(0, one.code(), one.err());
        Path parts = tmp.resolve("parts.safetensors");
        CliTest.Run first = train(concat(options, "--epochs", "4", "--out", parts.toString(), "--log", tmp.resolve("parts.csv").toString()));
        assertEquals(0, first.code(), first.err());
        CliTest.Run rest = train(concat(options, "--epochs", "9", "--out", parts.toString(), "--log", tmp.resolve("parts.csv").toString(),
                "--resume"));
        assertEquals(0, rest.code(), rest.err());
        assertArrayEquals(Files.readAllBytes(whole), Files.readAllBytes(parts), "the kept parameters");
        assertArrayEquals(Files.readAllBytes(tmp.resolve("whole.state.safetensors")), Files.readAllBytes(tmp.resolve("parts.state.safetensors")),
                "the training state: parameters, optimizer, counters");
        // The epochs printed after the resume are the uninterrupted run's last five, and the log has every epoch once.
        List<String> wholeLines = one.out().lines().filter(l -> l.startsWith("epoch ")).toList();
        List<String> restLines = rest.out().lines().filter(l -> l.startsWith("epoch ")).toList();
        assertEquals(wholeLines.subList(4, 9), restLines);
        List<String> log = Files.readAllLines(tmp.resolve("parts.csv"));
        assertEquals(10, log.size(), "a header and nine epochs");
        assertEquals(Files.readAllLines(tmp.resolve("whole.csv")).stream().map(TrainWorkflowTest::withoutTimes).toList(),
                log.stream().map(TrainWorkflowTest::withoutTimes).toList());
    }

    private static String withoutTimes(String csvLine) {
        String[] cells = csvLine.split(",", -1);
        return String.join(",", List.of(cells).subList(0, 6));
    }

    private static String[] concat(String[] a, String... b) {
        List<String> all = new ArrayList<>(List.of(a));
        all.addAll(List.of(b));
        return all.toArray(String[]::new);
    }

    @Test
    void resumingAnotherRunIsRefused() throws IOException {
        Path out = tmp.resolve("p.json");
        assertEquals(0, train("--epochs", "2", "--lr", "0.1", "--out", out.toString()).code());
        CliTest.Run r = train("--epochs", "4", "--lr", "0.2", "--out", out.toString(), "--resume");
        assertEquals(1, r.code());
        assertEquals(tmp.resolve("p.state.safetensors") + ": error: the run was trained with --lr 0.1, not 0.2; "
                + "--resume continues a run with the same options\n", r.err());
        CliTest.Run done = train("--epochs", "2", "--lr", "0.1", "--out", out.toString(), "--resume");
        assertEquals(Main.USAGE, done.code());
        assertTrue(done.err().contains("has finished 2 epochs already: give --epochs above that to go on"), done.err());
        CliTest.Run none = train("--epochs", "2", "--out", tmp.resolve("q.json").toString(), "--resume");
        assertEquals(1, none.code());
        assertTrue(none.err().startsWith(tmp.resolve("q.state.safetensors") + ": error: no training state to resume from"), none.err());
    }

    /** --keep best: --out holds the epoch with the best validation loss, bit for bit what a run of that many epochs leaves; --early-stop ends the run. */
    @Test
    void keepBestAndEarlyStop() throws IOException {
        Path best = tmp.resolve("best.json");
        CliTest.Run r = train("--optimizer", "sgd", "--lr", "3", "--epochs", "30", "--keep", "best", "--early-stop", "3", "--out", best.toString());
        assertEquals(0, r.code(), r.err());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("the best was (\\S+) at epoch (\\d+)").matcher(r.out());
        assertTrue(m.find(), r.out());
        int epoch = Integer.parseInt(m.group(2));
        long printed = r.out().lines().filter(l -> l.startsWith("epoch ")).count();
        assertTrue(printed < 30, "stopped early:\n" + r.out());
        assertTrue(r.out().contains("out: " + best + " holds the parameters of epoch " + epoch + ", the best (validation loss "), r.out());
        Path last = tmp.resolve("last.json");
        assertEquals(0, train("--optimizer", "sgd", "--lr", "3", "--epochs", Integer.toString(epoch), "--out", last.toString()).code());
        assertEquals(Files.readString(last), Files.readString(best));
    }

    @Test
    void clippingWarmupAndBetasChangeTheRun() {
        String plain = train("--optimizer", "adam", "--epochs", "3").out();
        assertEquals(plain, train("--optimizer", "adam", "--epochs", "3", "--clip-norm", "1e9", "--clip-value", "1e9").out(),
                "a limit no gradient reaches changes nothing");
        assertNotEquals(plain, train("--optimizer", "adam", "--epochs", "3", "--clip-value", "1e-3").out());
        assertNotEquals(plain, train("--optimizer", "adam", "--epochs", "3", "--betas", "0.5,0.9").out());
        CliTest.Run warm = train("--optimizer", "adam", "--lr", "0.03", "--epochs", "5", "--warmup", "4:0.25");
        List<String> rates = warm.out().lines().filter(l -> l.startsWith("epoch ")).map(l -> l.split("\\s+")[3]).toList();
        assertEquals(List.of("0.0075", "0.013125", "0.01875", "0.024375", "0.03"), rates);
    }

    @Test
    void theMetricsLogIsOneFlushedLinePerEpoch() throws IOException {
        Path jsonl = tmp.resolve("m.jsonl");
        assertEquals(0, train("--epochs", "3", "--log", jsonl.toString()).code());
        List<String> lines = Files.readAllLines(jsonl);
        assertEquals(3, lines.size());
        for (int i = 0; i < 3; i++) {
            assertTrue(lines.get(i).matches("\\{\"run\": \"\", \"epoch\": " + (i + 1) + ", \"lr\": 0\\.01, \"train_loss\": [0-9.eE-]+, "
                    + "\"validation_loss\": [0-9.eE-]+, \"accuracy\": [0-9.]+, \"seconds\": [0-9.eE-]+, \"rows_per_second\": [0-9.eE-]+}"),
                    lines.get(i));
        }
        Path csv = tmp.resolve("m.csv");
        assertEquals(0, HostileCliTest.lossc("train", CLASSIFIER.toString(), "--data", TRAIN.toString(), "--epochs", "2",
                "--sweep", "lr=0.1,0.2", "--log", csv.toString()).code());
        List<String> rows = Files.readAllLines(csv);
        assertEquals("run,epoch,lr,train_loss,validation_loss,accuracy,seconds,rows_per_second", rows.get(0));
        assertEquals(5, rows.size());
        assertTrue(rows.get(1).startsWith("lr=0.1,1,0.1,") && rows.get(4).startsWith("lr=0.2,2,0.2,"), rows.toString());
        assertTrue(rows.get(1).matches("lr=0\\.1,1,0\\.1,[0-9.eE-]+,,[0-9.]+,[0-9.eE-]+,[0-9.eE-]+"), rows.get(1));
    }
}
