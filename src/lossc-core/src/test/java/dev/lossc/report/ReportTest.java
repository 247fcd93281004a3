package dev.lossc.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossc.CostReport;
import dev.lossc.LossCompiler;
import dev.lossc.ModelDriver;
import dev.lossc.testing.Compiled;
import dev.lossc.testing.Repo;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * {@code lossc report}: operations against counts made by hand from the networks' shapes (every
 * scalar operation 1, a multiply-add 2), bytes against the arrays a constructed instance actually
 * holds, and the largest method against the class file.
 */
class ReportTest {
    static CostReport report(String file, String source, LossCompiler.Options options) throws Exception {
        LossCompiler.Report r = LossCompiler.report(file, source.getBytes(java.nio.charset.StandardCharsets.UTF_8), options);
        assertTrue(r.result().ok(), r.result().render());
        return r.costs().orElseThrow();
    }

    static CostReport example(String name) throws Exception {
        return report(name, Files.readString(Repo.root().resolve("examples").resolve(name)), LossCompiler.Options.DEFAULT);
    }

    /** {line: {forward, backward}} of the lines with operations. */
    static Map<Integer, List<Long>> flops(CostReport c) {
        return c.lines().stream().filter(l -> l.forwardFlops() + l.backwardFlops() > 0)
                .collect(Collectors.toMap(CostReport.Line::line, l -> List.of(l.forwardFlops(), l.backwardFlops())));
    }

    @Test
    void twoLayer() throws Exception {
        // H = 4, D = 3: loss (dot(w, sigmoid(V @ x)) - y) ^ 2;
        long forward = 2 * 4 * 3 + 4 + 2 * 4 + 1 + 1;          // matvec, sigmoid, dot, minus, square (a product)
        long backward = 1 + 4 + 4 * 4 + 4 * 3;                  // 2 * e; d w = h * d; d pre = w * d * h * (1 - h); d V = outer
        assertEquals(Map.of(12, List.of(forward, backward)), flops(example("two_layer.loss")));
    }

    @Test
    void fourLayer() throws Exception {
        // D = 4, H1 = 5, H2 = 4, H3 = 3: three sigmoid layers and a squared error.
        assertEquals(Map.of(
                14, List.of(2L * 5 * 4 + 5, 3L * 5 + 5 * 4),                 // d pre1 = dh1 * h1 * (1 - h1); d V1 = outer
                15, List.of(2L * 4 * 5 + 4, 3L * 4 + 4 * 5 + 2 * 4 * 5),     // d pre2; d V2; d h1 = V2^T d pre2
                16, List.of(2L * 3 * 4 + 3, 4L * 3 + 3 * 4 + 2 * 3 * 4),     // d pre3 = w * d * h3 * (1 - h3); d V3; d h2
                17, List.of(2L * 3 + 1 + 1, 1L + 3)), flops(example("four_layer.loss")));
    }

    @Test
    void mnistAtItsLargestBatch() throws Exception {
        // B = 64 (its maximum), P = 784, H = 128, K = 10.
        long b = 64;
        Map<Integer, List<Long>> f = flops(example("mnist.loss"));
        assertEquals(List.of(2 * b * 784 * 128 + b * 128 + b * 128,           // X @ W1^T, + b1, relu
                2 * b * 128 + 2 * 128 * 784 * b + b * 128), f.get(15));       // relu' (compare, select), d W1 = d^T X, d b1
        assertEquals(List.of(2 * b * 128 * 10 + b * 10,                       // hidden @ W2^T, + b2
                2 * b * 10 * 128 + 2 * 10 * 128 * b + b * 10), f.get(16));    // d hidden, d W2, d b2
    }

    @Test
    void theBatchedClassifiersForward() throws Exception {
        // classifier: B = 16, D = 6, H = 12, K = 4: X @ W1, + b1, relu, @ W2, + b2.
        assertEquals(2L * 16 * 6 * 12 + 16 * 12 + 16 * 12 + 2 * 16 * 12 * 4 + 16 * 4, flops(example("classifier.loss")).get(15).get(0));
        // two_class at its largest batch, B = 64, H = 16: X @ W1^T, + b1, tanh, @ W2^T, + b2.
        assertEquals(2L * 64 * 2 * 16 + 64 * 16 + 64 * 16 + 2 * 64 * 16 * 2 + 64 * 2, flops(example("two_class.loss")).get(16).get(0));
        // softmax_batch: B = 8, D = 5, K = 3: X @ W^T, + b.
        assertEquals(2L * 8 * 5 * 3 + 8 * 3, flops(example("softmax_batch.loss")).get(13).get(0));
    }

    @Test
    void aDefsOperationsCountAtItsLineForEveryCall() throws Exception {
        // relu_mlp's linear(W, b, z) = W @ z + b, called for 600 -> 60, 60 -> 40 and 40 -> 10.
        assertEquals(2L * 60 * 600 + 60 + 2 * 40 * 60 + 40 + 2 * 10 * 40 + 10, flops(example("relu_mlp.loss")).get(17).get(0));
        // The relu of each call counts at the line that calls it.
        assertEquals(60L, flops(example("relu_mlp.loss")).get(19).get(0));
    }

    @Test
    void hingeAndTheWorkedExampleInAll() throws Exception {
        // hinge, F = 3: dot, * y, 1 -, max; backward: the max's derivative (two comparisons, two
        // selections, a negation) times y, then d w = phi * d.
        CostReport h = example("hinge.loss");
        assertEquals(2L * 3 + 1 + 1 + 1, h.forwardFlops());
        assertEquals(5L + 1 + 3, h.backwardFlops());
        // worked_example, N = 2: two sigmoid layers W @ v + b, then 0.5 * sum((target - out)^2).
        CostReport w = example("worked_example.loss");
        assertEquals(2 * (2L * 2 * 2 + 2 + 2) + 2 + 2 * 2 + 1, w.forwardFlops());
        // d pre2 (6 operations an element), d b2, d hidden = W2^T d, d W2, d pre1 (3), d b1, d W1.
        assertEquals(6L * 2 + 2 + 2 * 2 * 2 + 4 + 3 * 2 + 2 + 4, w.backwardFlops());
    }

    @Test
    void layerNormRowByRow() throws Exception {
        // B = 32 (its maximum), D = 6, H = 8, K = 3.
        Map<Integer, List<Long>> f = flops(example("layer_norm.loss"));
        long bh = 32 * 8;
        assertEquals(2 * 32 * 6 * 8 + bh, f.get(19).get(0));            // X @ W1^T, + b1
        assertEquals(bh + 32, f.get(20).get(0));                           // each row's sum, divided
        assertEquals(bh, f.get(21).get(0));                                // Z - mu
        assertEquals(bh + bh + 32, f.get(22).get(0));                      // squares, sums, divided
        assertEquals(3 * bh + 2 * 32, f.get(23).get(0));                   // /, *, + per element; + eps and sqrt per row
        assertEquals(bh + 2 * 32 * 8 * 3 + 32 * 3, f.get(24).get(0));      // relu, @ W2^T, + b2
    }

    @Test
    void recurrentCellsPerStep() throws Exception {
        // char_gru: T = 9 steps, D = 6, H = 8.
        Map<Integer, List<Long>> g = flops(example("char_gru.loss"));
        assertEquals(9L * (2 * 8 * 6 + 2 * 8 * 8 + 8 + 8 + 8), g.get(31).get(0));                  // the reset gate
        assertEquals(9L * (2 * 8 * 6 + 8 + 2 * 8 * 8 + 8 + 8 + 8 + 8), g.get(33).get(0));          // the candidate
        assertEquals(9L * 4 * 8, g.get(34).get(0));                                                 // (1 - z) * n + z * h
        // lstm_lm: its cell, a def, called T - 1 = 11 times on B = 32 rows, D = 8, H = 16.
        Map<Integer, List<Long>> l = flops(example("lstm_lm.loss"));
        long rows = 32 * 16;
        assertEquals(11L * (2 * 32 * 8 * 64 + 2 * 32 * 16 * 64 + 3 * 32 * 64), l.get(20).get(0));   // z = x Wi^T + bi + h Wh^T + bh
        assertEquals(11L * rows, l.get(21).get(0));                                                 // a sigmoid gate
        assertEquals(11L * 3 * rows, l.get(25).get(0));                                             // f * c + i * g
        assertEquals(11L * 2 * rows, l.get(26).get(0));                                             // o * tanh(c2)
    }

    @Test
    void attentionAndConvolutions() throws Exception {
        // attention: B = 32 (its maximum), T = 8, D = 16, H = 4 heads of E = 4.
        Map<Integer, List<Long>> a = flops(example("attention.loss"));
        long scores = 32L * 4 * 8 * 8;
        assertEquals(2L * 32 * 8 * 16 * 16, a.get(19).get(0));                          // X @ Wq^T (the reshapes move data only)
        assertEquals(2 * scores * 4 + scores + 5 * scores, a.get(22).get(0));          // q @ k, * 0.5, softmax
        assertEquals(2L * 32 * 4 * 8 * 8 * 4, a.get(23).get(0));                        // att @ v
        // lenet5: B = 64 (its maximum); conv1 is 6 channels of 28 x 28 with 5 x 5 kernels over 1 channel.
        Map<Integer, List<Long>> c = flops(example("lenet5.loss"));
        long conv1 = 64L * 6 * 28 * 28;
        assertEquals(2 * conv1 * 25 + conv1 + conv1 + conv1, c.get(25).get(0));        // conv, + c1, relu, each pooled element compared
        assertEquals(2L * 64 * 400 * 120 + 64 * 120 + 64 * 120, c.get(27).get(0));      // flatten(h2) @ W3^T, + b3, relu
    }

    @Test
    void rnnPerStepTimesItsSteps() throws Exception {
        // T = 6, X = 3, H = 5, O = 4.
        Map<Integer, List<Long>> f = flops(example("rnn.loss"));
        long t = 6;
        assertEquals(t * (2 * 5 * 3 + 2 * 5 * 5 + 5 + 5 + 5), f.get(20).get(0));   // U @ x, V @ h, two adds, tanh
        assertEquals(t * (2 * 4 * 5 + 4), f.get(21).get(0));                       // W @ h + c
    }

    @Test
    void aCheckpointedLoopCountsItsRecomputationAndItsSnapshots() throws Exception {
        String plain = Files.readString(Repo.root().resolve("examples/rnn.loss"));
        String ck = plain.replace("for t in 0..T {", "for t in 0..T checkpoint(2) {");
        CostReport p = report("rnn.loss", plain, LossCompiler.Options.DEFAULT);
        CostReport c = report("rnn.loss", ck, LossCompiler.Options.DEFAULT);
        assertEquals(1, c.checkpointed().size());
        CostReport.Checkpointed k = c.checkpointed().get(0);
        assertEquals(dev.lossc.codegen.Revolve.recomputed(6, 2), k.recomputed());
        assertEquals(k.bound(), k.advances());
        for (int line : new int[] {20, 21, 22}) {
            CostReport.Line pl = p.lines().stream().filter(l -> l.line() == line).findFirst().orElseThrow();
            CostReport.Line cl = c.lines().stream().filter(l -> l.line() == line).findFirst().orElseThrow();
            assertEquals(pl.forwardFlops(), cl.forwardFlops());
            assertEquals(pl.backwardFlops() + pl.forwardFlops() / 6 * k.recomputed(), cl.backwardFlops(), "line " + line);
        }
        // The state is h [5] and total: (2 + 1) slots of 6 doubles, and 2 ints.
        assertEquals(3 * 6 * 8 + 2 * 4, c.bytes().snapshots());
        assertEquals(0, c.bytes().perIteration());
        assertTrue(p.bytes().perIteration() > 0);
    }

    /** Every array and floating-point scalar a new instance holds (not the caller's inputs, which it holds only during a call, a scalar's copy too). */
    static long measuredBytes(Object instance, java.util.Set<String> inputs) throws Exception {
        long bytes = 0;
        for (Field f : instance.getClass().getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) || inputs.contains(f.getName())) {
                continue;
            }
            f.setAccessible(true);
            Object v = f.get(instance);
            Class<?> t = f.getType();
            if (t == double.class) {
                bytes += 8;
            } else if (t == float.class) {
                bytes += 4;
            } else if (v instanceof double[] a) {
                bytes += 8L * a.length;
            } else if (v instanceof float[] a) {
                bytes += 4L * a.length;
            } else if (v instanceof double[][] a) {
                bytes += 8L * a.length * (a.length == 0 ? 0 : a[0].length);
            } else if (v instanceof float[][] a) {
                bytes += 4L * a.length * (a.length == 0 ? 0 : a[0].length);
            } else if (v instanceof int[] a) {
                bytes += 4L * a.length;
            } else if (v instanceof long[] a) {
                bytes += 8L * a.length;
            }
        }
        return bytes;
    }

    @TestFactory
    Stream<DynamicTest> everyExamplesBytesAreWhatItsInstanceHolds() throws Exception {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(Repo.root().resolve("examples"))) {
            s.filter(p -> p.toString().endsWith(".loss")).sorted().forEach(files::add);
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (Path f : files) {
            for (String clause : List.of("", "checkpoint(3)")) {
                String source = Files.readString(f);
                if (!clause.isEmpty() && !source.contains("\nfor ")) {
                    continue;
                }
                String text = clause.isEmpty() ? source : source.replaceAll("(?m)^(for .*) \\{$", "$1 " + clause + " {");
                tests.add(DynamicTest.dynamicTest(f.getFileName() + (clause.isEmpty() ? "" : " " + clause), () -> {
                    CostReport c = report(f.getFileName().toString(), text, LossCompiler.Options.DEFAULT);
                    LossCompiler.Result r = LossCompiler.compile(f.getFileName().toString(), text, LossCompiler.Options.DEFAULT);
                    ModelDriver m = ModelDriver.load(List.of(r), Compiled.JAVA8).get(0);
                    java.util.Set<String> inputs = r.layout().orElseThrow().inputs().stream().map(dev.lossc.ModelLayout.Slot::name).collect(Collectors.toSet());
                    assertEquals(measuredBytes(m.type().getConstructor().newInstance(), inputs), c.bytes().total(), "bytes");
                    assertEquals(c.bytes().total(), c.lines().stream().mapToLong(CostReport.Line::bytes).sum(), "the lines add up");
                    assertEquals(c.bytes().params(), c.bytes().gradient() + 8L * r.layout().orElseThrow().states().stream()
                            .mapToLong(s -> s.shape().size()).sum(), "params and states against the gradient");
                    assertTrue(c.largestMethodBytes() > 0 && c.largestMethodBytes() <= CostReport.JIT_LIMIT, c.largestMethod());
                    assertTrue(c.forwardFlops() > 0 && c.backwardFlops() > 0);
                }));
            }
        }
        return tests.stream();
    }
}
