package dev.lossc.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.lossc.LossCompiler;
import dev.lossc.testing.Agreement;
import dev.lossc.testing.Compiled;
import dev.lossc.testing.Json;
import dev.lossc.testing.ProgramGenerator;
import dev.lossc.testing.Repo;
import dev.lossc.testing.Values;
import dev.lossc.types.Precision;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Classes generated with {@code --precision float}: their API is {@code float} throughout, they
 * compile as Java 8, and they compute what the reference evaluator computes in double at the same
 * (float-rounded) values, to float's accuracy: on every example, on seeded random well-typed
 * programs (every primitive the generator reaches), and with {@code --simd} on random product
 * networks. The tolerance is relative to the size of what is compared: a float class rounds every
 * intermediate to 24 bits, so an entry much smaller than its neighbours carries their rounding.
 */
class PrecisionTest {
    private static final LossCompiler.Options FLOAT = LossCompiler.Options.DEFAULT.withPrecision(Precision.FLOAT);

    /** Each value rounded to the nearest float: what a float class holds, given to the reference too. */
    private static Map<String, double[]> rounded(Map<String, double[]> values) {
        Map<String, double[]> out = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            double[] r = new double[v.length];
            for (int i = 0; i < v.length; i++) {
                r[i] = (float) v[i];
            }
            out.put(k, r);
        });
        return out;
    }

    @TestFactory
    Stream<DynamicTest> examplesAgreeWithTheReference() {
        List<Path> models = Repo.exampleModels();
        List<LossCompiler.Result> results = new ArrayList<>();
        models.forEach(m -> results.add(LossCompiler.compile(m.getFileName().toString(), Repo.read(m), FLOAT)));
        List<Compiled> compiled = Compiled.compileAll(results, Compiled.JAVA8);
        List<DynamicTest> tests = new ArrayList<>();
        for (int k = 0; k < models.size(); k++) {
            Path model = models.get(k);
            Compiled c = compiled.get(k);
            tests.add(DynamicTest.dynamicTest(model.getFileName().toString(), () -> {
                Map<String, double[]> v = rounded(c.withInitialParams(Json.values(Repo.read(Path.of(model.toString().replace(".loss", ".json"))))));
                c.setParams(v);
                Agreement.agrees(model.getFileName().toString(), c, Repo.read(model), v, Agreement.Tolerance.scaled(1e-5));
            }));
        }
        return tests.stream();
    }

    /** The public API takes and returns floats; double is left to the helpers' insides. */
    @Test
    void theApiIsFloatThroughout() throws Exception {
        LossCompiler.Result r = LossCompiler.compile("classifier.loss", Repo.read(Repo.examples().resolve("classifier.loss")), FLOAT);
        Compiled c = Compiled.compileAll(List.of(r), Compiled.JAVA8).get(0);
        Class<?> t = c.type();
        assertEquals(float[].class, t.getMethod("parameters").getReturnType());
        assertEquals(float[].class, t.getMethod("gradient").getReturnType());
        Method loss = t.getMethod("lossAndGradient", float[].class, float[].class);
        assertEquals(float.class, loss.getReturnType());
        assertEquals(float[].class, t.getMethod("probs", float[].class, float[].class).getReturnType());
        assertEquals(float.class, t.getMethod("energy", float[].class).getReturnType());
        for (Method m : t.getMethods()) {
            for (Class<?> p : m.getParameterTypes()) {
                assertFalse(p == double.class || p == double[].class, m + " takes a double");
            }
            assertFalse(m.getReturnType() == double.class || m.getReturnType() == double[].class, m + " returns a double");
        }
        String source = r.output().orElseThrow().source();
        assertTrue(source.contains("{@code float[16 * 6]}, row-major"), "the Javadoc gives the float arrays");
        assertFalse(source.contains("private final double[]"), "no double arrays");
        // The same seed gives the double class's initial values, rounded.
        Compiled d = Compiled.compileAll(List.of(LossCompiler.compile("classifier.loss",
                Repo.read(Repo.examples().resolve("classifier.loss")), LossCompiler.Options.DEFAULT))).get(0);
        double[] fp = c.parameters();
        double[] dp = d.parameters();
        for (int i = 0; i < dp.length; i++) {
            assertEquals((float) dp[i], fp[i], 0.0, "initial parameter " + i);
        }
    }

    /**
     * A float class's {@code tanh} is {@code tanhFloat}, and each element it computes is the float
     * of {@code tanh} (the double classes' helper, Math.tanh's bits), bit for bit: at the two floats
     * whose fast result rounds the other way, at zeros of both signs, past 22, at subnormals, and at
     * 400 random floats. The double class of the same program calls {@code tanh}.
     */
    @Test
    void floatTanhIsTheFloatOfTanhBitForBit() {
        SplittableRandom random = new SplittableRandom(400);
        List<Float> xs = new ArrayList<>(List.of(0x1.e83fbp-10f, -0x1.e83fbp-10f, 0x1.f93eaep-10f, -0x1.f93eaep-10f, 0.0f, -0.0f,
                Float.MIN_VALUE, -Float.MIN_NORMAL, 0x1p-10f, 1e-5f, 0.5f, -1.0f, 21.99f, 22.0f, -40.0f, Float.MAX_VALUE));
        while (xs.size() < 416) {
            xs.add(random.nextBoolean() ? (float) random.nextDouble(-6, 6) : Float.intBitsToFloat(random.nextInt()));
        }
        xs.replaceAll(v -> Float.isNaN(v) ? 0.25f : v);
        String program = "model FloatTanh;\nparam A[" + xs.size() + "];\noutput Z = tanh(A);\nloss sum(tanh(A));\n";
        LossCompiler.Result r = LossCompiler.compile("t.loss", program, FLOAT);
        assertTrue(r.output().orElseThrow().source().contains("(float) tanhFloat(params[A_OFFSET"), "the float class calls tanhFloat");
        assertFalse(LossCompiler.compile("t.loss", program, LossCompiler.Options.DEFAULT).output().orElseThrow().source().contains("tanhFloat"),
                "the double class does not");
        Compiled c = Compiled.compileAll(List.of(r), Compiled.JAVA8).get(0);
        double[] a = new double[xs.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = xs.get(i);
        }
        c.setParams(Map.of("A", a));
        double[] z = c.outputs(Map.of()).get("Z");
        for (int i = 0; i < a.length; i++) {
            float want = (float) dev.lossc.prim.ScalarFn.TANH.apply(a[i]);
            assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits((float) z[i]),
                    "tanh(" + Float.toHexString((float) a[i]) + "): " + Float.toHexString((float) z[i]) + ", the float of tanh " + Float.toHexString(want));
        }
    }

    /** Random well-typed programs: every one compiles in float and agrees with the reference. */
    @TestFactory
    Stream<DynamicTest> randomProgramsAgreeWithTheReference() {
        List<DynamicTest> tests = new ArrayList<>();
        for (int b = 0; b < 2; b++) {
            int from = b * 60;
            tests.add(DynamicTest.dynamicTest("programs " + from + ".." + (from + 60), () -> {
                List<Long> seeds = new ArrayList<>();
                List<String> sources = new ArrayList<>();
                List<LossCompiler.Result> results = new ArrayList<>();
                for (int i = from; i < from + 60; i++) {
                    long seed = 7_654_321L * 1_000_003L + i;
                    String source = ProgramGenerator.generate(seed, "Gen" + i);
                    LossCompiler.Result r = LossCompiler.compile("gen" + i + ".loss", source, FLOAT);
                    if (!r.ok()) {
                        fail("seed " + seed + ": generated program rejected:\n" + r.render() + "\n" + source);
                    }
                    seeds.add(seed);
                    sources.add(source);
                    results.add(r);
                }
                List<Compiled> compiled = Compiled.compileAll(results, Compiled.JAVA8);
                for (int k = 0; k < compiled.size(); k++) {
                    long seed = seeds.get(k);
                    Compiled c = compiled.get(k);
                    try {
                        Map<String, double[]> v = rounded(Values.random(c.model(), new SplittableRandom(seed), 1.0));
                        c.setParams(v);
                        Agreement.agrees("seed " + seed, c, sources.get(k), v, Agreement.Tolerance.scaled(1e-4));
                    } catch (AssertionError | RuntimeException e) {
                        throw new AssertionError("seed " + seed + " failed: " + e.getMessage() + "\nprogram:\n" + sources.get(k), e);
                    }
                }
            }));
        }
        return tests.stream();
    }

    /** {@code --simd} in float: the kernel on {@code FloatVector}s, every tile and leftover path. */
    @TestFactory
    Stream<DynamicTest> simdProductNetworksAgreeWithTheReference() {
        LossCompiler.Options simd = FLOAT.withSimd(true);
        List<DynamicTest> tests = new ArrayList<>();
        for (int seed = 1; seed <= 16; seed++) {
            int s = seed;
            tests.add(DynamicTest.dynamicTest("seed " + seed, () -> {
                SplittableRandom rnd = new SplittableRandom(1000 + s);
                int m = 1 + rnd.nextInt(20);
                int n = 16 + rnd.nextInt(s % 4 == 0 ? 400 : 60);
                int k = 16 + rnd.nextInt(80);
                String text = "model P" + s + ";\ndim M = " + m + ", N = " + n + ", K = " + k + ";\n"
                        + "param X[M, N];\ninput R[M, K];\nparam W[N, K];\nparam V[K, K];\n"
                        + "let H = tanh(X @ W);\nlet G = H @ V + H @ transpose(V);\n"
                        + "output g = G;\nloss sum(G * R) + 0.1 * sum(H * H);\n";
                LossCompiler.Result r = LossCompiler.compile("p.loss", text, simd);
                String source = r.output().orElseThrow().source();
                assertTrue(source.contains("gemm(") && source.contains("FloatVector"), "the products use the float kernel");
                Compiled c = Compiled.compileAll(List.of(r), Compiled.SIMD).get(0);
                Map<String, double[]> v = new LinkedHashMap<>();
                v.put("X", rnd.doubles((long) m * n, -1, 1).toArray());
                v.put("R", rnd.doubles((long) m * k, -1, 1).toArray());
                v.put("W", rnd.doubles((long) n * k, -0.2, 0.2).toArray());
                v.put("V", rnd.doubles((long) k * k, -0.5, 0.5).toArray());
                v = rounded(v);
                c.setParams(v);
                Agreement.agrees("seed " + s + " (m " + m + ", n " + n + ", k " + k + ")", c, text, v, Agreement.Tolerance.scaled(1e-5));
            }));
        }
        return tests.stream();
    }
}
