package dev.lossc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossc.diag.Limits;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inputs near their documented size limits are read in a fresh JVM with a small heap: the values
 * file and the CSV are streamed into arrays of their numbers, not held as text or objects. Each
 * heap is about 1.3 to 1.5 times the numbers' own 8 bytes each; before streaming, a 256 MiB values
 * file needed 6.17 GB and a 200 MB CSV 3.64 GB.
 */
class MemoryLimitsTest {
    @TempDir
    Path tmp;

    /** A number of 17 characters: "0." and 15 digits. */
    private static String number(SplittableRandom rnd) {
        return String.format(java.util.Locale.ROOT, "0.%015d", rnd.nextLong(1_000_000_000_000_000L));
    }

    private static CliTest.Run inFreshJvm(String heap, String... args) throws Exception {
        String launcher = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new java.util.ArrayList<>(List.of(launcher, heap, "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).start();
        // Read both streams while it runs: a full pipe would stop it.
        var out = java.util.concurrent.CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        String err = read(p.getErrorStream());
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "finished");
        return new CliTest.Run(p.exitValue(), out.get(), err);
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A values file just under the 256 MiB limit: 13.7 million numbers (110 MB of doubles), read with a 600 MB heap. */
    @Test
    void aValuesFileNearItsLimitIsReadInASmallHeap() throws Exception {
        int n = 3700;
        Path model = Files.writeString(tmp.resolve("l2.loss"), "dim N = " + n + ";\nparam W[N, N];\nloss l2(W);\n");
        Path values = tmp.resolve("values.json");
        SplittableRandom rnd = new SplittableRandom(1);
        try (BufferedWriter w = Files.newBufferedWriter(values)) {
            w.write("{\"W\": [");
            for (int i = 0; i < n; i++) {
                w.write(i == 0 ? "[" : ",\n[");
                for (int j = 0; j < n; j++) {
                    if (j > 0) {
                        w.write(',');
                    }
                    w.write(number(rnd));
                }
                w.write(']');
            }
            w.write("]}\n");
        }
        long size = Files.size(values);
        assertTrue(size > 0.9 * Limits.MAX_VALUES_BYTES && size <= Limits.MAX_VALUES_BYTES, "size " + size);
        CliTest.Run r = inFreshJvm("-Xmx600m", "gradcheck", model.toString(), "--values", values.toString(), "--max-per-param", "3");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("ok: every checked entry"), r.out());
    }

    /** A CSV file just under the 1 GiB limit: 59.6 million numbers (477 MB of doubles), read and trained on with a 700 MB heap. */
    @Test
    void aCsvFileNearItsLimitIsReadInASmallHeap() throws Exception {
        int d = 100;
        Path model = Files.writeString(tmp.resolve("lin.loss"), "dim D = " + d + ";\ninput x[D];\ninput y;\nparam w[D];\nloss (dot(w, x) - y) ^ 2;\n");
        Path data = tmp.resolve("data.csv");
        SplittableRandom rnd = new SplittableRandom(2);
        StringBuilder row = new StringBuilder();
        for (int j = 0; j <= d; j++) {
            row.append(j == 0 ? "" : ",").append(number(rnd));
        }
        row.append('\n');
        long rows = (Limits.MAX_DATA_BYTES - 2000) / row.length();
        try (BufferedWriter w = Files.newBufferedWriter(data)) {
            for (int j = 0; j < d; j++) {
                w.write("x[" + j + "],");
            }
            w.write("y\n");
            for (long i = 0; i < rows; i++) {
                w.write(row.toString());
            }
        }
        long size = Files.size(data);
        assertTrue(size > 0.99 * Limits.MAX_DATA_BYTES && size <= Limits.MAX_DATA_BYTES, "size " + size);
        CliTest.Run r = inFreshJvm("-Xmx700m", "train", model.toString(), "--data", data.toString(), "--epochs", "1", "--batch", "all");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().startsWith("epoch 1/1  lr 0.01  train loss "), r.out());
        Files.delete(data);
    }

    /** One byte over the limit: refused before it is read. */
    @Test
    void aCsvFileOverItsLimitIsRefusedUnread() throws Exception {
        Path model = Files.writeString(tmp.resolve("m.loss"), "input x;\nparam w;\nloss (w - x) ^ 2;\n");
        Path data = tmp.resolve("data.csv");
        try (var f = new java.io.RandomAccessFile(data.toFile(), "rw")) {
            f.setLength(Limits.MAX_DATA_BYTES + 1);   // sparse: no disk used
        }
        CliTest.Run r = CliTest.lossc("train", model.toString(), "--data", data.toString());
        assertEquals(1, r.code());
        assertEquals(data + ": error: input too large (1,073,741,825 bytes; the limit is 1,073,741,824 bytes) [L006]\n", r.err());
    }
}
