package dev.lossc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A user's mistakes never end as "internal error" (exit 3): a bad option value is a usage error in
 * one line (exit 2) before anything runs, divergence stops training with exit 1 and keeps the last
 * finite parameters, and a sweep's --out receives its best run.
 */
class UserMistakesTest {
    @TempDir
    Path tmp;

    Path model;
    Path data;

    @BeforeEach
    void files() throws IOException {
        // A linear regression: a large rate makes its loss overflow to infinity.
        model = Files.writeString(tmp.resolve("fit.loss"), "input x[2];\ninput y;\nparam w[2];\nparam b;\nloss (dot(w, x) + b - y) ^ 2;\n");
        StringBuilder csv = new StringBuilder("x[0],x[1],y\n");
        for (int i = 0; i < 40; i++) {
            double a = (i % 7) * 0.3 - 1;
            double c = (i % 5) * 0.4 - 0.8;
            csv.append(a).append(',').append(c).append(',').append(0.7 * a - 0.2 * c + 0.1).append('\n');
        }
        data = Files.writeString(tmp.resolve("data.csv"), csv);
    }

    private CliTest.Run lossc(String... args) {
        return HostileCliTest.lossc(args);
    }

    static Stream<Arguments> badValues() {
        return Stream.of(
                Arguments.of(List.of("--schedule", "step:2:-1"), "Invalid value for option '--schedule': 'step:2:-1' is out of range: GAMMA must be a finite number above 0"),
                Arguments.of(List.of("--schedule", "step:1:NaN"), "Invalid value for option '--schedule': 'NaN' is not a number: NaN is not accepted, only finite numbers; expected step:N:GAMMA with GAMMA a finite number above 0"),
                Arguments.of(List.of("--schedule", "step:0:0.5"), "Invalid value for option '--schedule': '0' is out of range: expected step:N:GAMMA with N a whole number of 1 or more"),
                Arguments.of(List.of("--schedule", "cosine:-1"), "Invalid value for option '--schedule': '-1' is out of range: expected cosine:MIN with MIN a finite number of 0 or more"),
                Arguments.of(List.of("--schedule", "cosine:Infinity"), "Invalid value for option '--schedule': 'Infinity' is not a number: infinities are not accepted, only finite numbers; expected cosine:MIN with MIN a finite number of 0 or more"),
                Arguments.of(List.of("--schedule", "cosine:1e300"), "--schedule cosine:1e300: MIN must be between 0 and the learning rate (0.01), but it is 1e+300"),
                Arguments.of(List.of("--schedule", "step:1:1e200", "--epochs", "4"), "--schedule step:1:1e200: the learning rate would reach Infinity by epoch 4"),
                Arguments.of(List.of("--schedule", "linear"), "Invalid value for option '--schedule': 'linear' is not a schedule; expected constant, step:N:GAMMA, cosine[:MIN] or plateau[:FACTOR[:PATIENCE]]"),
                Arguments.of(List.of("--sweep", "epochs=0"), "Invalid value for option '--sweep' (KEY=V1,V2,…): '0' is out of range: expected a whole number from 1 to 2147483647"),
                Arguments.of(List.of("--sweep", "lr=0.1,NaN"), "Invalid value for option '--sweep' (KEY=V1,V2,…): 'NaN' is not a number: NaN is not accepted, only finite numbers; expected a finite number of 0 or more"),
                Arguments.of(List.of("--sweep", "colour=red"), "Invalid value for option '--sweep' (KEY=V1,V2,…): key 'colour' is not one of lr, batch, optimizer, epochs, momentum, weight-decay"),
                Arguments.of(List.of("--sweep", "lr=0.1", "--sweep", "lr=1"), "--sweep lr is given twice"),
                Arguments.of(List.of("--lr", "-1"), "Invalid value for option '--lr': '-1' is out of range: expected a finite number of 0 or more"),
                Arguments.of(List.of("--lr", "1d"), "Invalid value for option '--lr': '1d' is not a number; expected a finite number of 0 or more"),
                Arguments.of(List.of("--momentum", "2"), "Invalid value for option '--momentum': '2' is out of range: expected a number from 0 to 1"),
                Arguments.of(List.of("--weight-decay", "inf"), "Invalid value for option '--weight-decay': 'inf' is not a number: infinities are not accepted, only finite numbers; expected a finite number of 0 or more"),
                Arguments.of(List.of("--epochs", "0"), "Invalid value for option '--epochs': '0' is out of range: expected a whole number from 1 to 2147483647"),
                Arguments.of(List.of("--epochs", "99999999999"), "Invalid value for option '--epochs': '99999999999' is out of range: expected a whole number from 1 to 2147483647"),
                Arguments.of(List.of("--every", "-3"), "Invalid value for option '--every': '-3' is out of range: expected a whole number from 1 to 2147483647"),
                Arguments.of(List.of("--batch", "0"), "Invalid value for option '--batch': '0' is out of range: expected a number of rows from 1 to 2147483647, or all"),
                Arguments.of(List.of("--holdout", "1.5"), "Invalid value for option '--holdout': '1.5' is out of range: expected a share between 0 and 1 (both excluded)"),
                Arguments.of(List.of("--optimizer", "newton"), "Invalid value for option '--optimizer': unknown optimizer 'newton' (expected sgd, adagrad, rmsprop, adam, adamw or lbfgs)"),
                Arguments.of(List.of("--seed", "x"), "Invalid value for option '--seed': 'x' is not a whole number from -9223372036854775808 to 9223372036854775807"),
                Arguments.of(List.of("--plot", "curve.pdf"), "--plot must name an .svg or .png file, but it is curve.pdf"),
                Arguments.of(List.of("--log", "m.txt"), "--log must name a .jsonl or .csv file, but it is m.txt"),
                Arguments.of(List.of("--betas", "0.9,1"), "Invalid value for option '--betas': '0.9,1' is out of range: expected B1,B2 with each from 0 to 1 (1 excluded)"),
                Arguments.of(List.of("--betas", "0.9,0.99"), "--betas is an option of adam and adamw, not of sgd"),
                Arguments.of(List.of("--eps", "1e-8"), "--eps is an option of adam, adamw, rmsprop and adagrad, not of sgd"),
                Arguments.of(List.of("--warmup", "0"), "Invalid value for option '--warmup': '0' is out of range: expected N[:START] with N a whole number of 1 or more"),
                Arguments.of(List.of("--warmup", "3:0"), "Invalid value for option '--warmup': '3:0' is out of range: START must be above 0 and at most 1"),
                Arguments.of(List.of("--clip-norm", "0"), "Invalid value for option '--clip-norm': '0' is out of range: expected a finite number above 0"),
                Arguments.of(List.of("--keep", "first"), "Invalid value for option '--keep': expected one of [LAST, BEST] (case-insensitive) but was 'first'"),
                Arguments.of(List.of("--early-stop", "0"), "Invalid value for option '--early-stop': '0' is out of range: expected a whole number from 1 to 2147483647"),
                Arguments.of(List.of("--schedule", "plateau:2"), "Invalid value for option '--schedule': 'plateau:2' is out of range: FACTOR must be between 0 and 1 (both excluded)"),
                Arguments.of(List.of("--resume", "--sweep", "lr=0.1,0.2"), "--resume continues one run from its own state: it goes with neither --sweep nor --init"));
    }

    @ParameterizedTest
    @MethodSource("badValues")
    void aBadOptionValueIsOneLineAndExitTwo(List<String> options, String message) {
        List<String> args = new java.util.ArrayList<>(List.of("train", model.toString(), "--data", data.toString(), "--out",
                tmp.resolve("p.json").toString()));
        args.addAll(options);
        CliTest.Run r = lossc(args.toArray(String[]::new));
        assertEquals(Main.USAGE, r.code(), r.err());
        assertEquals("lossc train: error: " + message + "\nTry 'lossc train --help' for more information.\n", r.err());
        assertEquals("", r.out());
        assertFalse(Files.exists(tmp.resolve("p.json")));
    }

    @Test
    void gradcheckValuesAreCheckedToo() {
        for (String[] bad : List.of(new String[] {"--eps", "NaN"}, new String[] {"--atol", "-1"}, new String[] {"--max-per-param", "0"})) {
            CliTest.Run r = lossc("gradcheck", model.toString(), bad[0], bad[1]);
            assertEquals(Main.USAGE, r.code());
            assertEquals(2, r.err().lines().count(), r.err());
            assertTrue(r.err().startsWith("lossc gradcheck: error: Invalid value for option '" + bad[0] + "'"), r.err());
        }
    }

    @Test
    void anUnknownOptionSuggestsAndDoesNotPrintTheUsage() {
        CliTest.Run r = lossc("train", model.toString(), "--data", data.toString(), "--epoch", "3");
        assertEquals(Main.USAGE, r.code());
        assertFalse(r.err().contains("Usage:"), r.err());
        assertTrue(r.err().startsWith("lossc train: error: Unknown options: '--epoch', '3'"), r.err());
        assertTrue(r.err().contains("Possible solutions: ") && r.err().contains("--epochs"), r.err());
        assertTrue(r.err().endsWith("Try 'lossc train --help' for more information.\n"), r.err());
    }

    /** Diverging in the first epoch: exit 1, where it happened, and a params file that was there stays as it was. */
    @Test
    void divergenceStopsTrainingAndKeepsThePreviousFile() throws IOException {
        Path out = Files.writeString(tmp.resolve("p.json"), "{\"w\": [1, 2], \"b\": 3}\n");
        CliTest.Run r = lossc("train", model.toString(), "--data", data.toString(), "--lr", "1e300", "--batch", "4", "--out", out.toString());
        assertEquals(1, r.code(), r.out() + r.err());
        assertEquals(model + ": error: training diverged: the training loss became Infinity at epoch 1, batch 2 of 10 (lr 1e+300); stopped. "
                + out + " was not written. Lower --lr, or give --allow-nonfinite to go on.\n", r.err());
        assertEquals("{\"w\": [1, 2], \"b\": 3}\n", Files.readString(out));
    }

    /**
     * Diverging later: the file holds the last finished epoch's parameters, bit for bit those of a
     * run that stops there.
     */
    @Test
    void divergenceLaterKeepsTheLastFiniteEpoch() throws IOException {
        Path out = tmp.resolve("p.json");
        // The rate is 0.05 for two epochs, then 5e98: epoch 3 overflows.
        CliTest.Run r = lossc("train", model.toString(), "--data", data.toString(), "--lr", "0.05", "--schedule", "step:2:1e100",
                "--batch", "8", "--epochs", "5", "--out", out.toString());
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.err().startsWith(model + ": error: training diverged: the training loss became "), r.err());
        assertTrue(r.err().contains(" at epoch 3, batch "), r.err());
        assertTrue(r.err().contains(out + " holds the parameters of epoch 2."), r.err());
        Path two = tmp.resolve("two.json");
        assertEquals(0, lossc("train", model.toString(), "--data", data.toString(), "--lr", "0.05", "--batch", "8", "--epochs", "2",
                "--out", two.toString()).code());
        assertEquals(Files.readString(two), Files.readString(out));
        CliTest.Run anyway = lossc("train", model.toString(), "--data", data.toString(), "--lr", "0.05", "--schedule", "step:2:1e100",
                "--batch", "8", "--epochs", "5", "--allow-nonfinite");
        assertEquals(0, anyway.code(), anyway.err());
        assertTrue(anyway.out().contains("epoch 5/5  lr 5e+198  train loss NaN"), anyway.out());
    }

    /** A sweep with --out writes the best run's parameters, says which, and a diverged run ranks last. */
    @Test
    void aSweepWritesItsBestRun() throws IOException {
        Path out = tmp.resolve("best.json");
        CliTest.Run r = lossc("train", model.toString(), "--data", data.toString(), "--epochs", "20", "--batch", "4",
                "--sweep", "lr=0.001,0.1,1e300", "--out", out.toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("diverged: the training loss became "), r.out());
        assertTrue(r.out().contains("out: " + out + " holds the parameters of the run ranked 1 (lr=0.1)"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("3    lr=1e+300") && l.endsWith("diverged at epoch 1")), r.out());
        Path single = tmp.resolve("single.json");
        assertEquals(0, lossc("train", model.toString(), "--data", data.toString(), "--epochs", "20", "--batch", "4", "--lr", "0.1",
                "--out", single.toString()).code());
        assertEquals(Files.readString(single), Files.readString(out));
    }

    @Test
    void aSweepWhoseEveryRunDivergesIsAnError() {
        Path out = tmp.resolve("best.json");
        CliTest.Run r = lossc("train", model.toString(), "--data", data.toString(), "--sweep", "lr=1e300,1e301", "--out", out.toString());
        assertEquals(1, r.code());
        assertEquals(model + ": error: every run of the sweep diverged; " + out + " was not written\n", r.err());
        assertFalse(Files.exists(out));
    }

    /** The zero-initialized output weights leave every earlier layer a gradient of exactly 0: a check of nothing fails. */
    @Test
    void gradcheckThatChecksNothingFails() throws IOException {
        Path net = Files.writeString(tmp.resolve("net.loss"), "dim D = 3, H = 4;\ninput x[D];\ninput y;\nparam V[H, D];\n"
                + "param w[H] init zeros;\nloss (dot(w, tanh(V @ x)) - y) ^ 2;\n");
        CliTest.Run r = lossc("gradcheck", net.toString());
        assertEquals(Main.GRADIENT_MISMATCH, r.code(), r.out());
        assertTrue(r.out().contains("12 checked entries were 0 on both sides (analytic and numeric): they test nothing"), r.out());
        assertTrue(r.out().contains("FAILED: every checked entry of V is 0 on both sides, so nothing was checked; "
                + "try another --seed or a values file with other inputs or params (or give --allow-zero)"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("V ") && l.contains("       12       12        0       12  ")), r.out());
        assertEquals(Main.OK, lossc("gradcheck", net.toString(), "--allow-zero").code());
    }
}
