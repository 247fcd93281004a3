package dev.lossc.cli;

import static dev.lossc.cli.CliTest.lossc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/** {@code lossc graph}: the computation graph as DOT or SVG, annotated with each node's value and adjoint. */
class GraphCommandTest {
    @TempDir
    Path tmp;

    private static final Path EX = CliTest.EXAMPLES;

    /** The numbers of a node's "f = …" or "g = …" line, by the start of its label. */
    private static double[] note(String dot, String labelStart, String which) {
        Matcher m = Pattern.compile("label=\"" + Pattern.quote(labelStart) + "[^\"]*?\\\\n" + which + " = ([^\"\\\\]*)").matcher(dot);
        assertTrue(m.find(), labelStart + " " + which + " in\n" + dot);
        String[] parts = m.group(1).replaceAll("[\\[\\]…]", "").split("[,;]\\s*");
        List<Double> out = new ArrayList<>();
        for (String p : parts) {
            if (!p.isBlank()) {
                out.add(Double.parseDouble(p.trim()));
            }
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static double[] flat(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\": (\\[\\[[^]]*](?:, \\[[^]]*])*]|\\[[^]]*]|[-0-9.E]+)").matcher(json);
        assertTrue(m.find(), name + " in " + json);
        return Stream.of(m.group(1).replaceAll("[\\[\\]]", "").split(",\\s*")).mapToDouble(Double::parseDouble).toArray();
    }

    private static void close(double[] want, double[] got, String what) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) {
            assertTrue(Math.abs(want[i] - got[i]) <= 1e-5 * Math.max(1e-3, Math.abs(want[i])), what + "[" + i + "]: " + want[i] + " vs " + got[i]);
        }
    }

    /**
     * The 2-2-2 worked example: each param's g is eval's gradient, the loss node's f is eval's loss,
     * and the adjoint of the output layer's pre-activation is the δ-rule's (out - target) out (1 - out),
     * computed here from the f of the output node.
     */
    @Test
    void theWorkedExamplesAdjointsAreEvalsGradientAndTheDeltaRule() throws Exception {
        Path dot = tmp.resolve("worked.dot");
        CliTest.Run r = lossc("graph", EX.resolve("worked_example.loss").toString(), "--values", EX.resolve("worked_example.json").toString(),
                "-o", dot.toString());
        assertEquals(0, r.code(), r.err());
        String text = Files.readString(dot);
        String eval = lossc("eval", EX.resolve("worked_example.loss").toString(), "--values", EX.resolve("worked_example.json").toString()).out();
        for (String p : List.of("W1", "b1", "W2", "b2")) {
            close(flat(eval, p), note(text, p, "g"), "g of " + p);
        }
        close(new double[] {flat(eval, "loss")[0]}, note(text, "loss", "f"), "loss");
        double[] out = note(text, "out = sigmoid", "f");
        double[] target = {0.01, 0.99};
        double[] delta = new double[2];
        for (int i = 0; i < 2; i++) {
            delta[i] = (out[i] - target[i]) * out[i] * (1 - out[i]);
        }
        // The node feeding the output sigmoid: W2 @ hidden + b2, on line 15.
        Matcher pre = Pattern.compile("label=\"\\+\\\\nline 15\\\\nf = [^\\\\]*\\\\ng = \\[([^]]*)]").matcher(text);
        assertTrue(pre.find(), text);
        close(delta, Stream.of(pre.group(1).split(",\\s*")).mapToDouble(Double::parseDouble).toArray(), "delta of the output layer");
        assertDotRenders(dot);
    }

    /** Every example draws, at its values; loops are clusters, a value carried round a loop a dashed edge. */
    @TestFactory
    Stream<DynamicTest> everyExampleDrawsAndItsLossNodeIsEvalsLoss() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        try (Stream<Path> files = Files.list(EX)) {
            for (Path model : files.filter(p -> p.toString().endsWith(".loss")).sorted().toList()) {
                String values = model.toString().replace(".loss", ".json");
                tests.add(DynamicTest.dynamicTest(model.getFileName().toString(), () -> {
                    Path dot = tmp.resolve(model.getFileName() + ".dot");
                    CliTest.Run r = lossc("graph", model.toString(), "--values", values, "--seed", "1", "-o", dot.toString());
                    assertEquals(0, r.code(), r.err());
                    String text = Files.readString(dot);
                    String eval = lossc("eval", model.toString(), "--values", values, "--seed", "1").out();
                    close(new double[] {flat(eval, "loss")[0]}, note(text, "loss", "f"), "loss of " + model.getFileName());
                    if (Files.readString(model).contains("for ")) {
                        assertTrue(text.contains("subgraph cluster_1") && text.contains("next iteration"), text);
                    }
                    assertDotRenders(dot);
                }));
            }
        }
        return tests.stream();
    }

    /** Version 3: an unpacking is one node named for every var it assigns, carried round the loop once; the loss is eval's. */
    @Test
    void anUnpackedCallIsOneNodeForAllItsNames() throws Exception {
        Path model = tmp.resolve("lstm.loss");
        Files.writeString(model, """
                dim B = 2, D = 3, H = 4;
                input X[B, D];
                param W[D, H];
                param U[H, H];
                def cell(x, h, c) {
                  let c2 = c * 0.5 + tanh(x @ W + h @ U);
                  return (tanh(c2), c2);
                }
                var h = zeros(B, H);
                var c = zeros(B, H);
                for t in 0..3 {
                  (h, c) = cell(X * t, h, c);
                }
                loss sum(h * h) + sum(c);
                """);
        Path values = tmp.resolve("lstm.json");
        Files.writeString(values, "{\"X\": [[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]]}");
        Path dot = tmp.resolve("lstm.dot");
        CliTest.Run r = lossc("graph", model.toString(), "--values", values.toString(), "--seed", "3", "-o", dot.toString());
        assertEquals(0, r.code(), r.err());
        String text = Files.readString(dot);
        assertTrue(text.contains("label=\"(h, c) = cell\\nline 12"), text);
        assertEquals(1, text.split("next iteration", -1).length - 1, "one dashed edge for the two vars\n" + text);
        String eval = lossc("eval", model.toString(), "--values", values.toString(), "--seed", "3").out();
        close(new double[] {flat(eval, "loss")[0]}, note(text, "loss", "f"), "loss");
        assertDotRenders(dot);
    }

    @Test
    void svgComesFromGraphvizAndIsDrawn() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/dot")), "Graphviz is not installed");
        Path svg = tmp.resolve("rnn.svg");
        CliTest.Run r = lossc("graph", EX.resolve("rnn.loss").toString(), "--values", EX.resolve("rnn.json").toString(), "-o", svg.toString());
        assertEquals(0, r.code(), r.err());
        TrainCommandTest.assertNotBlank(svg);
    }

    @Test
    void anOutputThatIsNeitherDotNorSvgIsAUsageError() {
        CliTest.Run r = lossc("graph", EX.resolve("rnn.loss").toString(), "-o", tmp.resolve("g.png").toString());
        assertEquals(Main.USAGE, r.code());
        assertTrue(r.err().contains("-o must name a .dot (or .gv) or .svg file"), r.err());
    }

    /** The DOT parses: Graphviz's dot lays it out without a complaint (when it is installed; .ci/run installs it). */
    private static void assertDotRenders(Path dot) throws Exception {
        if (!Files.isExecutable(Path.of("/usr/bin/dot"))) {
            return;
        }
        Process p = new ProcessBuilder("/usr/bin/dot", "-Tsvg", dot.toString(), "-o", dot + ".svg").redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), log);
        assertEquals("", log.strip(), "dot's messages");
    }
}
