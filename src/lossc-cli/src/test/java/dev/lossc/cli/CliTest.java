package dev.lossc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossc.LossCompiler;
import dev.lossc.types.Precision;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line of docs/language.md section 9: commands, output, diagnostics and exit codes. */
class CliTest {
    static final Path EXAMPLES = dev.lossc.testing.Repo.examples();

    record Run(int code, String out, String err) {}

    /** {@code lossc first… common…}: a command and its own arguments, then options several runs share. */
    static Run losscWith(String[] common, String... first) {
        String[] args = java.util.Arrays.copyOf(first, first.length + common.length);
        System.arraycopy(common, 0, args, first.length, common.length);
        return lossc(args);
    }

    static Run lossc(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
        Run r = new Run(code, out.toString(), err.toString());
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception"), "stack trace or exception on stderr:\n" + r.err());
        return r;
    }

    @TempDir
    Path tmp;

    private Path file(String name, String text) throws IOException {
        Path p = tmp.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        return p;
    }

    @Test
    void compileWritesOneClassPerModelUnderItsPackage() throws IOException {
        Path out = tmp.resolve("out");
        Run r = lossc("compile", EXAMPLES.resolve("two_layer.loss").toString(), EXAMPLES.resolve("rnn.loss").toString(),
                "-d", out.toString(), "--package", "com.acme.nets");
        assertEquals(0, r.code(), r.err());
        Path twoLayer = out.resolve("com/acme/nets/TwoLayer.java");
        assertTrue(Files.exists(out.resolve("com/acme/nets/Rnn.java")));
        String expected = LossCompiler.compile(EXAMPLES.resolve("two_layer.loss").toString(), Files.readAllBytes(EXAMPLES.resolve("two_layer.loss")),
                new LossCompiler.Options("com.acme.nets")).output().orElseThrow().source();
        assertEquals(expected, Files.readString(twoLayer));
    }

    @Test
    void compileSimdWritesTheVectorApiClass() throws IOException {
        Path out = tmp.resolve("simd");
        Path mnist = EXAMPLES.resolve("mnist.loss");
        Run r = lossc("compile", "--simd", mnist.toString(), "-d", out.toString());
        assertEquals(0, r.code(), r.err());
        String expected = LossCompiler.compile(mnist.toString(), Files.readAllBytes(mnist), LossCompiler.Options.DEFAULT.withSimd(true))
                .output().orElseThrow().source();
        assertEquals(expected, Files.readString(out.resolve("Mnist.java")));
        assertTrue(expected.contains("gemm(") && expected.contains("import jdk.incubator.vector.DoubleVector;"));
        assertEquals(0, lossc("compile", mnist.toString(), "-d", tmp.resolve("plain").toString()).code());
        assertFalse(Files.readString(tmp.resolve("plain/Mnist.java")).contains("jdk.incubator"), "without --simd: java.base only");
    }

    @Test
    void compilePrecisionFloatWritesTheFloatClass() throws IOException {
        Path out = tmp.resolve("float");
        Path mnist = EXAMPLES.resolve("mnist.loss");
        Run r = lossc("compile", "--precision", "float", "--simd", mnist.toString(), "-d", out.toString());
        assertEquals(0, r.code(), r.err());
        String expected = LossCompiler.compile(mnist.toString(), Files.readAllBytes(mnist),
                LossCompiler.Options.DEFAULT.withSimd(true).withPrecision(Precision.FLOAT)).output().orElseThrow().source();
        assertEquals(expected, Files.readString(out.resolve("Mnist.java")));
        assertTrue(expected.contains("public float[] parameters()") && expected.contains("FloatVector"), "float API, float kernel");
        assertEquals(0, lossc("compile", "--precision=DOUBLE", mnist.toString(), "-d", tmp.resolve("double").toString()).code());
        assertTrue(Files.readString(tmp.resolve("double/Mnist.java")).contains("public double[] parameters()"));
        Run bad = lossc("compile", "--precision", "half", mnist.toString(), "-d", tmp.resolve("half").toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--precision must be double or float, not 'half'"), bad.err());
        assertFalse(Files.exists(tmp.resolve("half")), "nothing written");
    }

    @Test
    void compileWithoutPackageWritesIntoTheDirectory() throws IOException {
        Path src = file("my_net.loss", "param w;\nloss w * w;\n");
        Run r = lossc("compile", src.toString(), "-d", tmp.resolve("gen").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.readString(tmp.resolve("gen/MyNet.java")).contains("public final class MyNet {"));
    }

    @Test
    void unchangedOutputIsNotRewritten() throws IOException {
        Path src = file("n.loss", "param w;\nloss w * w;\n");
        Path out = tmp.resolve("o");
        assertEquals(0, lossc("compile", src.toString(), "-d", out.toString()).code());
        Path gen = out.resolve("N.java");
        FileTime old = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(gen, old);
        assertEquals(0, lossc("compile", src.toString(), "-d", out.toString()).code());
        assertEquals(old, Files.getLastModifiedTime(gen));
    }

    @Test
    void anyErrorMeansNothingIsWrittenAndExitCodeOne() throws IOException {
        Path good = file("good.loss", "param w;\nloss w * w;\n");
        Path bad = file("bad.loss", "param w[2];\nloss w + q;\n");
        Path out = tmp.resolve("o");
        Run r = lossc("compile", good.toString(), bad.toString(), "-d", out.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith(bad + ":2:10: error: unknown name 'q' [N001]\nloss w + q;\n         ^\n"), r.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void everyErrorOfEveryFileIsReported() throws IOException {
        Path a = file("a.loss", "param w;\nloss w + x + y;\n");
        Path b = file("b.loss", "loss 1 +;\n");
        Run r = lossc("check", a.toString(), b.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains(a + ":2:10: error: unknown name 'x'"), r.err());
        assertTrue(r.err().contains(a + ":2:14: error: unknown name 'y'"), r.err());
        assertTrue(r.err().contains(b + ":1:9: error: unexpected ';'"), r.err());
    }

    @Test
    void checkSucceedsQuietly() {
        Run r = lossc("check", EXAMPLES.resolve("rnn.loss").toString());
        assertEquals(0, r.code());
        assertEquals("", r.out());
        assertEquals("", r.err());
    }

    @Test
    void evalPrintsTheWorkedExample() {
        Run r = lossc("eval", EXAMPLES.resolve("worked_example.loss").toString(), "--values", EXAMPLES.resolve("worked_example.json").toString());
        assertEquals(0, r.code(), r.err());
        String json = r.out().strip();
        assertTrue(json.startsWith("{\"loss\": 0.2983711087600027, \"gradient\": {\"W1\": [["), json);
        assertTrue(json.contains("\"W2\": [[0.08216704056423077, "), json);
        assertTrue(json.contains("\"b1\": ") && json.endsWith("}}"), json);
        assertEquals(1, r.out().lines().count(), "exactly one JSON object");
    }

    /** A batch size that varies per call comes from the values file's rows; inputs that disagree are V008. */
    @Test
    void evalTakesAVaryingSizeFromTheInputs(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Path model = dir.resolve("batch.loss");
        Files.writeString(model, "dim B <= 8, D = 2;\ninput X[B, D];\ninput y[B];\nparam w[D];\noutput s = X @ w;\nloss mse(X @ w, y);\n");
        Path good = dir.resolve("good.json");
        Files.writeString(good, "{\"X\": [[1, 2], [3, 4], [5, 6]], \"y\": [1, 0, 2], \"w\": [0.5, -1]}");
        Run r = lossc("eval", model.toString(), "--values", good.toString());
        assertEquals(0, r.code(), r.err());
        // s = X @ w = [-1.5, -2.5, -3.5]; loss = mean((s - y)^2) = (6.25 + 6.25 + 30.25) / 3.
        assertTrue(r.out().contains("\"outputs\": {\"s\": [-1.5, -2.5, -3.5]}"), r.out());
        assertTrue(r.out().startsWith("{\"loss\": " + (6.25 + 6.25 + 30.25) / 3 + ","), r.out());
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"X\": [[1, 2], [3, 4]], \"y\": [1, 0, 2], \"w\": [0.5, -1]}");
        Run e = lossc("eval", model.toString(), "--values", bad.toString());
        assertEquals(1, e.code());
        assertTrue(e.err().startsWith(bad + ":1:25: error: inputs 'X' and 'y' must agree on dim B, which varies per call, but give it 2 and 3"), e.err());
        Path tooMany = dir.resolve("many.json");
        Files.writeString(tooMany, "{\"X\": [[1, 2], [1, 2], [1, 2], [1, 2], [1, 2], [1, 2], [1, 2], [1, 2], [1, 2]], \"y\": [1], \"w\": [0.5, -1]}");
        Run m = lossc("eval", model.toString(), "--values", tooMany.toString());
        assertEquals(1, m.code());
        assertTrue(m.err().contains("error: input 'X' has shape [B, 2], so its value must be an array of 1 to 8 (B) rows of 2 numbers"), m.err());
    }

    /** eval's "outputs" are what the output methods return (the classifier's probs need no targets). */
    @Test
    void evalReportsEveryOutputAsItsMethodComputesIt() throws IOException {
        Path model = EXAMPLES.resolve("classifier.loss");
        Path valuesFile = EXAMPLES.resolve("classifier.json");
        Run r = lossc("eval", model.toString(), "--values", valuesFile.toString());
        assertEquals(0, r.code(), r.err());
        String out = r.out().strip();
        int at = out.indexOf(", \"outputs\": ");
        assertTrue(out.startsWith("{\"loss\": ") && out.indexOf("\"gradient\": {") < at && at > 0 && out.endsWith("}}"), out);
        // The outputs object has the shape of a values file: name → number or (rows of) numbers.
        java.util.Map<String, double[]> reported = dev.lossc.testing.Json.values(out.substring(at + 13, out.length() - 1));
        dev.lossc.testing.Compiled c = dev.lossc.testing.Compiled.compile(model.toString(), Files.readString(model));
        java.util.Map<String, double[]> values = dev.lossc.testing.Json.values(Files.readString(valuesFile));
        c.setParams(values);
        java.util.Map<String, double[]> inputsWithoutTargets = new java.util.HashMap<>(values);
        inputsWithoutTargets.remove("T");
        java.util.Map<String, double[]> outputs = c.outputs(inputsWithoutTargets);
        assertEquals(List.of("probs", "energy"), List.copyOf(outputs.keySet()));
        assertEquals(List.of("probs", "energy"), List.copyOf(reported.keySet()));
        double[] probs = outputs.get("probs");
        assertEquals(64, reported.get("probs").length);
        for (int i = 0; i < 16; i++) {
            double rowSum = 0;
            for (int j = 0; j < 4; j++) {
                assertEquals(probs[i * 4 + j], reported.get("probs")[i * 4 + j], 0.0, "probs[" + i + "][" + j + "]");
                rowSum += probs[i * 4 + j];
            }
            assertEquals(1.0, rowSum, 1e-15);
        }
        assertEquals(outputs.get("energy")[0], reported.get("energy")[0], 0.0);
    }

    /** eval --seed: params the file leaves out come from initParameters(S); the file's own win; inputs stay required. */
    @Test
    void evalSeedFillsMissingParamsFromTheInitializers() throws IOException {
        Path src = file("s.loss", "input x[2];\nparam W[2, 2] init normal(0, 1);\nparam b[2] init ones;\nloss sum(W @ x + b);\n");
        Path onlyInputs = file("s.json", "{\"x\": [1, 2]}");
        Run r = lossc("eval", src.toString(), "--values", onlyInputs.toString());
        assertEquals(1, r.code(), "without --seed every param is required");
        assertTrue(r.err().contains("missing value for param 'W'"), r.err());
        Run a = lossc("eval", src.toString(), "--values", onlyInputs.toString(), "--seed", "7");
        Run b = lossc("eval", src.toString(), "--values", onlyInputs.toString(), "--seed", "7");
        Run c = lossc("eval", src.toString(), "--values", onlyInputs.toString(), "--seed", "8");
        assertEquals(0, a.code(), a.err());
        assertEquals(a.out(), b.out(), "same seed, same parameters");
        assertFalse(a.out().equals(c.out()), "another seed, other parameters");
        // The loss is sum(W @ x) + 2 with W from the seed: check it against the class's own initParameters.
        dev.lossc.testing.Compiled m = dev.lossc.testing.Compiled.compile(src.toString(), Files.readString(src));
        m.driver().initParameters(7);
        double[] w = m.parameters();
        double expected = (w[0] * 1 + w[1] * 2) + (w[2] * 1 + w[3] * 2) + w[4] + w[5];
        double reported = Double.parseDouble(a.out().substring("{\"loss\": ".length(), a.out().indexOf(',')));
        assertEquals(expected, reported, 1e-12, a.out());
        Path withW = file("sw.json", "{\"x\": [1, 2], \"W\": [[1, 0], [0, 1]]}");
        Run d = lossc("eval", src.toString(), "--values", withW.toString(), "--seed", "7");
        assertTrue(d.out().startsWith("{\"loss\": 5.0, "), "the file's W, the seed's b (ones): " + d.out());
        Path noInput = file("sn.json", "{\"W\": [[1, 0], [0, 1]]}");
        Run e = lossc("eval", src.toString(), "--values", noInput.toString(), "--seed", "7");
        assertEquals(1, e.code());
        assertTrue(e.err().contains("missing value for input 'x'"), e.err());
    }

    @Test
    void evalWritesNumbersThatReadBackExactlyAndNonFiniteAsStrings() throws IOException {
        Path src = file("nf.loss", "param a;\nparam b[2];\ninput x;\nloss log(a) + sum(b) * x;\n");
        Path values = file("nf.json", "{\"a\": 0, \"b\": [1, 2], \"x\": 0.1}");
        Run r = lossc("eval", src.toString(), "--values", values.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("{\"loss\": \"-Infinity\", \"gradient\": {\"a\": \"Infinity\", \"b\": [0.1, 0.1]}}\n", r.out());
        Path nan = file("nan.json", "{\"a\": \"NaN\", \"b\": [1, 2], \"x\": 0.30000000000000004}");
        r = lossc("eval", src.toString(), "--values", nan.toString());
        assertEquals("{\"loss\": \"NaN\", \"gradient\": {\"a\": \"NaN\", \"b\": [0.30000000000000004, 0.30000000000000004]}}\n", r.out());
    }

    @Test
    void evalValueErrorsNameTheValue() throws IOException {
        Path src = file("m.loss", "input x[2];\nparam W[2, 2];\nparam b;\nloss sum(W @ x) + b;\n");
        Path values = file("v.json", "{\n  \"x\": [1, 2, 3],\n  \"W\": [[1, 2], [3]],\n  \"z\": 1\n}\n");
        Run r = lossc("eval", src.toString(), "--values", values.toString());
        assertEquals(1, r.code());
        assertEquals(List.of(
                values + ":1:1: error: missing value for param 'b' scalar [V003]",
                values + ":2:3: error: input 'x' has shape [2], so its value must be an array of 2 numbers, but it is an array of 3 numbers [V005]",
                values + ":3:3: error: param 'W' has shape [2, 2], so its value must be an array of 2 rows of 2 numbers, but it is an array of 2 rows of different lengths [V005]",
                values + ":4:3: error: 'z' is not an input or param of model M [V004]"),
                r.err().lines().filter(l -> l.contains(": error: ")).toList());
        assertEquals("", r.out());
    }

    @Test
    void evalInvalidJsonIsADiagnostic() throws IOException {
        Path values = file("bad.json", "{\"x\": [1, 2,, 3]}");
        Run r = lossc("eval", EXAMPLES.resolve("two_layer.loss").toString(), "--values", values.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith(values + ":1:13: error: invalid JSON: "), r.err());
        Path notObject = file("arr.json", "[1, 2]");
        r = lossc("eval", EXAMPLES.resolve("two_layer.loss").toString(), "--values", notObject.toString());
        assertTrue(r.err().startsWith(notObject + ":1:1: error: the values file must hold one JSON object"), r.err());
    }

    @Test
    void evalOfAFileWithErrorsReportsThem() throws IOException {
        Path src = file("e.loss", "loss q;\n");
        Run r = lossc("eval", src.toString(), "--values", EXAMPLES.resolve("two_layer.json").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith(src + ":1:6: error: unknown name 'q'"), r.err());
    }

    @Test
    void usageErrorsExitWithTwo() {
        assertEquals(2, lossc("compile", "--frobnicate", "x.loss").code());
        assertEquals(2, lossc("compile", tmp.resolve("missing.loss").toString()).code());
        assertTrue(lossc("check", tmp.resolve("missing.loss").toString()).err().contains("no such file"));
        assertEquals(2, lossc().code());
        assertEquals(2, lossc("translate", "x.loss").code());
        assertEquals(2, lossc("eval", EXAMPLES.resolve("two_layer.loss").toString()).code(), "--values is required");
        assertEquals(2, lossc("compile", EXAMPLES.resolve("two_layer.loss").toString(), "--package", "com.1bad").code());
        assertEquals(2, lossc("check", tmp.toString()).code(), "a directory is not a file");
    }

    @Test
    void helpAndVersion() {
        Run help = lossc("--help");
        assertEquals(0, help.code());
        for (String cmd : List.of("compile", "check", "eval")) {
            assertTrue(help.out().contains(cmd), help.out());
        }
        Run compileHelp = lossc("compile", "--help");
        assertTrue(compileHelp.out().contains("--package") && compileHelp.out().contains("--dump"), compileHelp.out());
        Run version = lossc("--version");
        assertEquals(0, version.code());
        assertTrue(version.out().startsWith("lossc "), version.out());
        assertFalse(version.out().contains("unknown"), version.out());
    }

    @Test
    void dumpShowsEachPhase() {
        Run r = lossc("check", EXAMPLES.resolve("two_layer.loss").toString(), "--dump", "ast", "--dump", "ir", "--dump", "adjoint");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("== ast: ") && r.out().contains("Loss ((dot(w, sigmoid((V @ x))) - y) ^ 2)"), r.out());
        assertTrue(r.out().contains("== ir: ") && r.out().contains("= matvec(V, x)"), r.out());
        // The backward pass is IR too: V's gradient is the outer product of matvec's rule.
        assertTrue(r.out().contains("== adjoint: ") && r.out().contains("d[V] [4, 3] = outer(d[%"), r.out());
        Run passes = lossc("check", EXAMPLES.resolve("two_layer.loss").toString(), "--dump", "passes");
        assertTrue(passes.out().contains("== before the passes") && passes.out().contains("== after fusion: "), passes.out());
        Run eval = lossc("eval", EXAMPLES.resolve("two_layer.loss").toString(), "--values", EXAMPLES.resolve("two_layer.json").toString(), "--dump", "ir");
        assertEquals(1, eval.out().lines().count(), "eval keeps stdout to one JSON object; dumps go to stderr");
        assertTrue(eval.err().contains("== ir: "));
    }

    @Test
    void binaryAndEmptyInputsGiveDiagnostics() throws IOException {
        Path bin = tmp.resolve("bin.loss");
        Files.write(bin, new byte[] {(byte) 0xCA, (byte) 0xFE, 0, 1, 2, 3});
        Run r = lossc("check", bin.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith(bin + ":1:1: error: file is not UTF-8 text"), r.err());
        Path empty = file("empty.loss", "");
        r = lossc("compile", empty.toString(), "-d", tmp.resolve("o").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith(empty + ":1:1: error: missing 'loss' statement"), r.err());
        assertFalse(Files.exists(tmp.resolve("o")));
    }

}
