package dev.lossc.rules;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossc.LossCompiler;
import dev.lossc.ModelDriver;
import dev.lossc.testing.Compiled;
import dev.lossc.testing.Json;
import dev.lossc.testing.Repo;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * stop_gradient and a def's own derivatives (language §6): against PyTorch's autograd.Function
 * equivalents (figures recorded by tools/pytorch_rules.py), against the same derivative written
 * without a rule, and the rule used instead of the body.
 */
class CustomRulesTest {
    private static final List<String> PARAMS = List.of("W", "U", "b");
    private static final EnumSet<LossCompiler.Derivative> SECOND = EnumSet.of(LossCompiler.Derivative.HVP, LossCompiler.Derivative.JVP);

    private static ModelDriver compile(String name, String source, EnumSet<LossCompiler.Derivative> derivatives) throws Exception {
        LossCompiler.Result r = LossCompiler.compile(name, source, LossCompiler.Options.DEFAULT.withDerivatives(derivatives));
        if (!r.ok()) {
            throw new AssertionError(r.render());
        }
        return ModelDriver.load(List.of(r), Compiled.JAVA8).get(0);
    }

    private static void close(double[] expected, double[] got, double rel, String what) {
        assertEquals(expected.length, got.length, what);
        double scale = 1;
        for (double e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], got[i], rel * scale, what + "[" + i + "]");
        }
    }

    private static double[] flat(Map<String, double[]> ref, String prefix) {
        List<Double> all = new ArrayList<>();
        for (String p : PARAMS) {
            for (double d : ref.get(prefix + p)) {
                all.add(d);
            }
        }
        return all.stream().mapToDouble(Double::doubleValue).toArray();
    }

    @Test
    void agreesWithPyTorchAutogradFunctions() throws Exception {
        String source = Repo.read(Repo.root().resolve("tools/pytorch_rules.loss"));
        Map<String, double[]> values = Json.values(Repo.read(Repo.root().resolve("tools/pytorch_rules.json")));
        Map<String, double[]> ref = Json.values(Repo.read(Repo.root().resolve("src/lossc-core/src/test/resources/rules/torch_rules.json")));
        double[] direction = flat(ref, "direction_");
        Map<String, double[]> inputs = Map.of("X", values.get("X"), "y", values.get("y"));
        for (String clip : List.of("clip005", "clip5")) {
            String text = clip.equals("clip5") ? source.replace("clamp(dy, -0.05, 0.05)", "clamp(dy, -5.0, 5.0)") : source;
            ModelDriver m = compile("rules.loss", text, SECOND);
            Map<String, double[]> params = new LinkedHashMap<>();
            PARAMS.forEach(p -> params.put(p, values.get(p)));
            m.setParams(params);
            assertEquals(ref.get(clip + "_loss")[0], m.lossAndGradient(inputs), 1e-12);
            close(flat(ref, clip + "_gradient_"), m.gradient(), 1e-12, clip + " gradient");
            assertEquals(ref.get(clip + "_jvp")[0], m.jvp(inputs, direction), 1e-12, clip + " jvp");
            if (clip.equals("clip5")) {
                // Where the clip passes every adjoint, its grad rule is its jvp rule's transpose: double backward agrees.
                close(flat(ref, clip + "_hvp_"), m.hvp(inputs, direction), 1e-12, clip + " hvp");
            }
        }
    }

    @Test
    void theClipSaturatesInTheRecordedGradient() {
        // The recorded figures test the clamp only if it bites: the two bounds must give other gradients.
        Map<String, double[]> ref = Json.values(Repo.read(Repo.root().resolve("src/lossc-core/src/test/resources/rules/torch_rules.json")));
        assertFalse(java.util.Arrays.equals(flat(ref, "clip005_gradient_"), flat(ref, "clip5_gradient_")));
    }

    @Test
    void theRuleReplacesTheBody() throws Exception {
        // The body says x^2, the rule says 3 dy: the gradient is the rule's, the value the body's.
        ModelDriver m = compile("r.loss", "param w[2];\ndef f(x) = x * x grad(dy) = 3 * dy;\nloss sum(f(w));\n", EnumSet.of(LossCompiler.Derivative.GRAD));
        m.restore(new double[] {2, -5});
        assertEquals(4 + 25, m.lossAndGradient(Map.of()), 0);
        assertArrayEquals(new double[] {3, 3}, m.gradient());
    }

    @Test
    void aRuleMayReadTheResultAndTheParameters() throws Exception {
        // exp with its own rule dy * result: the same gradient and Hessian-vector product as the built-in.
        String ruled = "param w[3];\ndef e(x) = exp(x) grad(dy) = dy * result jvp(dx) = dx * result;\nloss sum(e(w) * w);\n";
        String plain = "param w[3];\nloss sum(exp(w) * w);\n";
        double[] at = {0.3, -1.2, 2.0};
        double[] v = {1, -0.5, 0.25};
        ModelDriver a = compile("a.loss", ruled, SECOND);
        ModelDriver b = compile("b.loss", plain, SECOND);
        a.restore(at);
        b.restore(at);
        assertEquals(b.lossAndGradient(Map.of()), a.lossAndGradient(Map.of()), 0);
        close(b.gradient(), a.gradient(), 1e-15, "gradient");
        close(b.hvp(Map.of(), v), a.hvp(Map.of(), v), 1e-15, "hvp");
        assertEquals(b.jvp(Map.of(), v), a.jvp(Map.of(), v), 1e-14);
    }

    @Test
    void aStraightThroughEstimatorIsTheStopGradientTrick() throws Exception {
        // ste(z) with grad(dy) = dy is z - stop_gradient(z) + stop_gradient(step(z)), the trick written without a rule.
        String body = "input x[4];\nparam W[3, 4];\nlet z = W @ x;\nloss sum((%s) * z);\n";
        String ruled = "def ste(v) = where(v > 0, 1, 0) grad(dy) = dy;\n" + body.formatted("ste(z)");
        String trick = body.formatted("z - stop_gradient(z) + stop_gradient(where(z > 0, 1, 0))");
        SplittableRandom rnd = new SplittableRandom(7);
        for (int trial = 0; trial < 20; trial++) {
            double[] params = rnd.doubles(12, -1, 1).toArray();
            Map<String, double[]> in = Map.of("x", rnd.doubles(4, -2, 2).toArray());
            ModelDriver a = compile("a.loss", ruled, EnumSet.of(LossCompiler.Derivative.GRAD));
            ModelDriver b = compile("b.loss", trick, EnumSet.of(LossCompiler.Derivative.GRAD));
            a.restore(params);
            b.restore(params);
            assertEquals(b.lossAndGradient(in), a.lossAndGradient(in), 1e-15, "seed 7, trial " + trial);
            close(b.gradient(), a.gradient(), 1e-15, "seed 7, trial " + trial);
        }
    }

    @Test
    void stopGradientPassesTheValueAndNoDerivative() throws Exception {
        // loss = sum(w * sg(w)) + sum(sg(w)^2): gradient sg(w) = w; the Hessian (tangent of the gradient) is 0.
        ModelDriver m = compile("sg.loss", "param w[3];\nloss sum(w * stop_gradient(w)) + sum(stop_gradient(w) ^ 2);\n", SECOND);
        m.restore(new double[] {1, -2, 3});
        assertEquals(14 + 14, m.lossAndGradient(Map.of()), 0);
        assertArrayEquals(new double[] {1, -2, 3}, m.gradient());
        assertArrayEquals(new double[] {0, 0, 0}, m.hvp(Map.of(), new double[] {1, 1, 1}));
        // Along v, only the first w moves: jvp = sum(v * w).
        assertEquals(1 - 2 + 3, m.jvp(Map.of(), new double[] {1, 1, 1}), 0);
    }

    @Test
    void forwardModeThroughAGradRuleWithoutJvpIsAnError() {
        String source = "param w[2];\ndef ste(v) = where(v > 0, 1, 0) grad(dy) = dy;\nloss sum(ste(w) * w);\n";
        LossCompiler.Result ok = LossCompiler.compile("t.loss", source, LossCompiler.Options.DEFAULT);
        assertTrue(ok.ok(), ok.render());
        LossCompiler.Result r = LossCompiler.compile("t.loss", source, LossCompiler.Options.DEFAULT.withDerivatives(SECOND));
        assertFalse(r.ok());
        assertEquals("t.loss:3:10: error: forward mode (--derivatives hvp,jvp) reaches this call of 'ste', whose def states grad but no jvp: "
                + "add jvp(dv) = … to it [D007]", r.diagnostics().get(0).headline());
        assertTrue(r.output().isEmpty());
    }

    @Test
    void theGeneratedBackwardSaysWhichRuleItApplies() {
        String source = "param w[2];\ndef clip(v) = v grad(dy) = clamp(dy, -1, 1);\nloss sum(clip(w) * w);\n";
        LossCompiler.Result r = LossCompiler.compile("t.loss", source, LossCompiler.Options.DEFAULT);
        String java = r.output().orElseThrow().source();
        assertTrue(java.contains("// d w by the grad rule of clip (its body is not differentiated)"), java);
        assertEquals(java, LossCompiler.compile("t.loss", source, LossCompiler.Options.DEFAULT).output().orElseThrow().source());
    }
}
