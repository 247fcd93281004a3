package dev.lossc.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossc.GradCheck;
import dev.lossc.LossCompiler;
import dev.lossc.ModelDriver;
import dev.lossc.testing.Compiled;
import dev.lossc.testing.Repo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Checkpointed loops (language §4, "Checkpointed loops"): the loss, gradient, Hessian-vector
 * product, jvp and Jacobians of a loop with {@code checkpoint} are bit for bit those of the same
 * loop without it, at every number of snapshots, call after call.
 */
class CheckpointTest {
    static final LossCompiler.Options ALL = LossCompiler.Options.DEFAULT.withDerivatives(
            EnumSet.of(LossCompiler.Derivative.HVP, LossCompiler.Derivative.JVP, LossCompiler.Derivative.JACOBIAN));

    /** The source with {@code clause} after the range of every top-level loop, and its model renamed (two classes load side by side). */
    static String checkpointed(String source, String clause) {
        StringBuilder out = new StringBuilder();
        for (String line : source.split("\n", -1)) {
            if (line.startsWith("model ")) {
                line = line.replace(";", "Checkpointed;");
            }
            if (line.startsWith("for ") && line.endsWith(" {")) {
                line = line.substring(0, line.length() - 2) + " " + clause + " {";
            }
            out.append(line).append('\n');
        }
        return out.substring(0, out.length() - 1);
    }

    static List<ModelDriver> load(LossCompiler.Options options, String... namesAndSources) throws Exception {
        List<LossCompiler.Result> results = new ArrayList<>();
        for (int i = 0; i < namesAndSources.length; i += 2) {
            LossCompiler.Result r = LossCompiler.compile(namesAndSources[i], namesAndSources[i + 1], options);
            if (!r.ok()) {
                throw new AssertionError(r.render());
            }
            results.add(r);
        }
        return ModelDriver.load(results, Compiled.JAVA8);
    }

    /** Every derivative the class has, twice (the second call starts from what the first left), compared to the bit. */
    static void sameBits(ModelDriver plain, ModelDriver ck, Map<String, double[]> in, String what) {
        // Random parameters (an initializer's zeros would hide a wrong recomputation), states as initialized.
        plain.initParameters(7);
        double[] start = plain.snapshot();
        double[] random = direction(plain.parameters().length, 7);
        System.arraycopy(random, 0, start, 0, random.length);
        plain.restore(start);
        ck.restore(start);
        assertTrue(!plain.type().getName().equals(ck.type().getName()), "two classes");
        for (int call = 0; call < 2; call++) {
            String c = what + ", call " + (call + 1);
            plain.setSeed(call);
            ck.setSeed(call);
            assertEquals(plain.lossAndGradient(in), ck.lossAndGradient(in), 0.0, c + ": loss");
            assertArrayEquals(plain.gradient(), ck.gradient(), c + ": gradient");
            assertArrayEquals(plain.states(), ck.states(), c + ": states");
            assertEquals(plain.loss(in), ck.loss(in), 0.0, c + ": loss only");
            double[] v = direction(plain.parameters().length, call);
            if (hasMethod(plain, "hvp")) {
                assertArrayEquals(plain.hvp(in, v), ck.hvp(in, v), c + ": hvp");
                assertArrayEquals(plain.gradient(), ck.gradient(), c + ": hvp's gradient");
            }
            if (hasMethod(plain, "jvp")) {
                assertEquals(plain.jvp(in, v), ck.jvp(in, v), 0.0, c + ": jvp");
            }
            for (var o : plain.layout().outputs()) {
                if (hasMethod(plain, o.name() + "_jacobian")) {
                    assertArrayEquals(plain.jacobian(o.name(), in), ck.jacobian(o.name(), in), c + ": jacobian of " + o.name());
                }
            }
        }
    }

    static boolean hasMethod(ModelDriver m, String name) {
        return java.util.Arrays.stream(m.type().getMethods()).anyMatch(x -> x.getName().equals(name));
    }

    static double[] direction(int n, long seed) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextDouble(-1, 1);
        }
        return v;
    }

    @TestFactory
    Stream<DynamicTest> everyExampleWithALoop() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        try (Stream<Path> s = Files.list(Repo.root().resolve("examples"))) {
            for (Path f : s.filter(p -> p.toString().endsWith(".loss")).sorted().toList()) {
                String source = Files.readString(f);
                if (!source.contains("\nfor ")) {
                    continue;
                }
                for (String clause : List.of("checkpoint", "checkpoint(1)", "checkpoint(2)", "checkpoint(3)")) {
                    String name = f.getFileName().toString();
                    tests.add(DynamicTest.dynamicTest(name + " " + clause, () -> {
                        List<ModelDriver> m = load(ALL, name, source, name, checkpointed(source, clause));
                        Map<String, double[]> in = GradCheck.randomInputs(m.get(0).layout(), 11);
                        sameBits(m.get(0), m.get(1), in, name + " " + clause);
                    }));
                }
            }
        }
        assertTrue(tests.size() >= 12, "examples with a loop: " + tests.size() / 4);
        return tests.stream();
    }

    /** A tanh RNN of {@code T} steps: {@code clause} after its loop's range. */
    static String rnn(int steps, String clause) {
        return """
                model LongRnn%s;
                dim T = %d, X = 3, H = 8;
                input xs[T, X];
                input ys[T];
                param U[H, X];
                param V[H, H];
                param w[H];
                param b[H];
                var h = zeros(H);
                var total = 0;
                for t in 0..T %s {
                    h = tanh(U @ xs[t] + V @ h + b);
                    total = total + (sum(w * h) - ys[t])^2;
                }
                loss total / T;
                """.formatted(clause.replaceAll("[^0-9a-z]", ""), steps, clause);
    }

    @Test
    void longRnnsAreBitIdentical() throws Exception {
        for (int steps : new int[] {1_000, 10_000}) {
            List<ModelDriver> m = load(LossCompiler.Options.DEFAULT, "plain.loss", rnn(steps, ""), "sqrt.loss", rnn(steps, "checkpoint"),
                    "ten.loss", rnn(steps, "checkpoint(10)"));
            Map<String, double[]> in = GradCheck.randomInputs(m.get(0).layout(), steps);
            sameBits(m.get(0), m.get(1), in, "T = " + steps + ", sqrt(T) snapshots");
            sameBits(m.get(0), m.get(2), in, "T = " + steps + ", 10 snapshots");
        }
    }

    @Test
    void dropoutCustomRulesAndVaryingTripCounts() throws Exception {
        String source = """
                model Mixed;
                dim B <= 6, D = 4;
                input xs[B, D];
                param W[D, D];
                param v[D];
                def clip(x) = x grad(dy) = clamp(dy, -0.1, 0.1) jvp(dx) = dx;
                var h = zeros(D);
                var total = 0;
                for t in 0..B {
                    h = clip(tanh(W @ dropout(xs[t], 0.3) + h));
                    total = total + sum(v * h);
                }
                loss total * total;
                """;
        List<ModelDriver> m = load(ALL, "plain.loss", source, "ck.loss", checkpointed(source, "checkpoint(2)"));
        for (int rows : new int[] {6, 3, 1}) {
            Map<String, double[]> in = Map.of("xs", direction(rows * 4, rows));
            sameBits(m.get(0), m.get(1), in, rows + " rows");
        }
    }

    @Test
    void defaultSnapshotsAreTheCeilingOfTheRootAndAtMostOnePerIteration() throws Exception {
        assertTrue(LossCompiler.compile("a.loss", rnn(1000, "checkpoint"), LossCompiler.Options.DEFAULT).output().orElseThrow().source().contains("32 slots"));
        assertTrue(LossCompiler.compile("a.loss", rnn(1000, "checkpoint(10)"), LossCompiler.Options.DEFAULT).output().orElseThrow().source().contains("10 slots"));
        assertTrue(LossCompiler.compile("a.loss", rnn(5, "checkpoint(50)"), LossCompiler.Options.DEFAULT).output().orElseThrow().source().contains("5 slots"));
    }

    /** The bytes the constructor of {@code m}'s class allocates: the instance and every array it owns. */
    static long constructionBytes(ModelDriver m) throws Exception {
        com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        m.type().getConstructor().newInstance();
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            long before = bean.getThreadAllocatedBytes(id);
            Object o = m.type().getConstructor().newInstance();
            least = Math.min(least, bean.getThreadAllocatedBytes(id) - before);
            assertTrue(o != null);
        }
        return least;
    }

    @Test
    void storageGrowsWithTheSnapshotsNotWithTheIterations() throws Exception {
        List<ModelDriver> m = load(LossCompiler.Options.DEFAULT, "a.loss", rnn(1_000, "checkpoint(10)"), "b.loss", rnn(10_000, "checkpoint(10)").replace("LongRnn", "LongRnnB"),
                "c.loss", rnn(10_000, "checkpoint(100)"), "d.loss", rnn(10_000, ""));
        long t1000s10 = constructionBytes(m.get(0));
        long t10000s10 = constructionBytes(m.get(1));
        long t10000s100 = constructionBytes(m.get(2));
        long stored = constructionBytes(m.get(3));
        // The state is h [8] and total: 9 doubles a slot, and an int saying which iteration a slot holds.
        long perSlot = 9 * 8 + 4;
        assertTrue(Math.abs(t10000s10 - t1000s10) <= 16, "10 snapshots: " + t1000s10 + " bytes at T = 1,000, " + t10000s10 + " at T = 10,000");
        assertTrue(Math.abs(t10000s100 - t10000s10 - 90 * perSlot) <= 16, "90 more snapshots: " + (t10000s100 - t10000s10) + " bytes");
        assertTrue(stored > 10_000L * 8 * 8 * 2, "without checkpoint, every step's states: " + stored + " bytes");
        assertTrue(t10000s100 * 20 < stored, "checkpointed " + t10000s100 + " bytes against " + stored);
    }

    @TestFactory
    Stream<DynamicTest> warmedUpCallsAllocateNothing() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path f : dev.lossc.testing.Repo.exampleModels()) {
            String source = Files.readString(f);
            if (!source.contains("\nfor ")) {
                continue;
            }
            tests.add(DynamicTest.dynamicTest(f.getFileName().toString(), () -> {
                LossCompiler.Result r = LossCompiler.compile(f.getFileName().toString(), checkpointed(source, "checkpoint(3)"),
                        new LossCompiler.Options("lossc.examples"));
                LossCompiler.GeneratedClass g = r.output().orElseThrow();
                Map<String, String> sources = Map.of(g.qualifiedName(), g.source(), "lossc.examples.Harness" + g.className(),
                        dev.lossc.examples.AllocationTest.harness(g.className(), r.checked().orElseThrow(), r.layout().orElseThrow()));
                ClassLoader loader = dev.lossc.InMemoryJavaCompiler.compile(sources, Compiled.JAVA8);
                Runnable run = (Runnable) loader.loadClass("lossc.examples.Harness" + g.className()).getConstructor().newInstance();
                assertEquals(0, dev.lossc.examples.AllocationTest.allocatedBy(run, 3_000), "bytes allocated by warmed-up calls");
            }));
        }
        return tests.stream();
    }

    @Test
    void floatAndParallelClassesAreBitIdenticalToo() throws Exception {
        for (LossCompiler.Options o : List.of(LossCompiler.Options.DEFAULT.withPrecision(dev.lossc.types.Precision.FLOAT),
                LossCompiler.Options.DEFAULT.withParallel(true))) {
            List<ModelDriver> m = load(o, "plain.loss", rnn(300, ""), "ck.loss", rnn(300, "checkpoint(4)"));
            Map<String, double[]> in = GradCheck.randomInputs(m.get(0).layout(), 5);
            sameBits(m.get(0), m.get(1), in, o.precision() + (o.parallel() ? ", parallel" : ""));
            m.forEach(ModelDriver::close);
        }
    }

    /** Random programs from the generator with their top-level loops checkpointed: the same bits (the seed is in the test's name). */
    @TestFactory
    Stream<DynamicTest> randomProgramsWithLoops() {
        long base = Long.getLong("lossc.seed", 20261206L);
        List<DynamicTest> tests = new ArrayList<>();
        for (int k = 0; tests.size() < 60 && k < 600; k++) {
            long seed = base + k;
            String plain = dev.lossc.testing.ProgramGenerator.generate(seed, "Gen" + k);
            if (!plain.contains("\nfor ")) {
                continue;
            }
            int snapshots = 1 + (int) Math.floorMod(seed, 4);
            tests.add(DynamicTest.dynamicTest("seed " + seed + ", checkpoint(" + snapshots + ")", () -> {
                String ck = checkpointed(plain, "checkpoint(" + snapshots + ")");
                List<ModelDriver> m = load(LossCompiler.Options.DEFAULT, "gen.loss", plain, "gen.loss", ck);
                Map<String, double[]> in = GradCheck.randomInputs(m.get(0).layout(), seed);
                sameBits(m.get(0), m.get(1), in, "seed " + seed);
            }));
        }
        assertTrue(tests.size() >= 30, "programs with a loop: " + tests.size());
        return tests.stream();
    }
}
