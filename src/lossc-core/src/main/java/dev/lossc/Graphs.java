package dev.lossc;

import dev.lossc.ast.Expr;
import dev.lossc.ast.Program;
import dev.lossc.check.Typed;
import dev.lossc.diag.Reporter;
import dev.lossc.graph.ComputationGraph;
import dev.lossc.parser.SourceParser;
import dev.lossc.types.Shape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code lossc graph}'s facade: the computation graph of a compiled model ({@link ComputationGraph})
 * as DOT, and its annotations, each node's value f and adjoint g, computed by the generated class
 * of a rewrite of the program (see {@link ComputationGraph#withProbes}).
 */
public final class Graphs {
    private Graphs() {}

    /**
     * The graph of {@code compiled} (a successful compilation) in DOT; with {@code inputs} (and
     * {@code params}, which override {@code initParameters(seed)} when a seed is given), annotated;
     * the seed (0 when null) also draws a dropout model's masks for the training call.
     */
    public static String dot(LossCompiler.Result compiled, Map<String, double[]> inputs, Map<String, double[]> params, Long seed)
            throws InMemoryJavaCompiler.CompilationFailed {
        String file = compiled.source().name();
        String text = compiled.source().text();
        Program program = SourceParser.parse(file, text, new Reporter(file)).orElseThrow();
        ComputationGraph graph = ComputationGraph.of(program);
        Map<Integer, List<String>> notes = new HashMap<>();
        if (inputs != null) {
            annotate(compiled, program, text, graph, inputs, params, seed, notes);
        }
        return graph.dot(compiled.layout().orElseThrow().className(), notes);
    }

    private static void annotate(LossCompiler.Result r, Program program, String text, ComputationGraph graph, Map<String, double[]> inputs,
                                 Map<String, double[]> params, Long seed, Map<Integer, List<String>> notes)
            throws InMemoryJavaCompiler.CompilationFailed {
        ModelLayout model = r.layout().orElseThrow();
        String prefix = prefix(text);
        List<ComputationGraph.Node> probes = graph.probed();
        // Pass 1: lets and outputs only, to learn each probed value's shape.
        LossCompiler.Result first = LossCompiler.check(graph.withProbes(program, prefix, null), text);
        if (!first.ok()) {
            throw new IllegalStateException("the probed program does not compile:\n" + first.render());
        }
        Map<Integer, List<Expr>> shapes = new LinkedHashMap<>();
        for (Typed.Stmt s : first.checked().orElseThrow().statements()) {
            if (s instanceof Typed.Let l && l.symbol().name().startsWith(prefix + "v")) {
                int k = Integer.parseInt(l.symbol().name().substring(prefix.length() + 1));
                Shape shape = l.symbol().shape();
                if (!shape.varies()) {
                    List<Expr> sizes = new ArrayList<>();
                    if (shape.isMatrix()) {
                        sizes.add(number(shape.rows()));
                    }
                    if (!shape.isScalar()) {
                        sizes.add(number(shape.cols()));
                    }
                    shapes.put(k, sizes);
                }
            }
        }
        // Pass 2: with a zero param added to each (fixed-shape) value, whose gradient is the value's adjoint.
        LossCompiler.Result probed = LossCompiler.compile(graph.withProbes(program, prefix, shapes), text, LossCompiler.Options.DEFAULT);
        if (!probed.ok()) {
            throw new IllegalStateException("the probed program does not compile:\n" + probed.render());
        }
        ModelDriver driver = ModelDriver.load(List.of(probed), List.of("-nowarn")).get(0);
        Map<String, double[]> start = new LinkedHashMap<>();
        if (seed != null) {
            // The model's own initParameters (the probes' params would shift its random stream).
            ModelDriver original = ModelDriver.load(List.of(r), List.of("-nowarn")).get(0);
            original.initParameters(seed);
            start.putAll(original.parametersByName());
            start.putAll(original.statesByName());
        }
        start.putAll(params);
        for (ModelLayout.Slot p : driver.layout().params()) {
            if (p.name().startsWith(prefix)) {
                start.put(p.name(), new double[p.shape().size()]);
            }
        }
        driver.setParams(start);
        // Dropout (version 3): the training call's masks from the seed; f comes from the output methods, without masks.
        // States (batch_norm): f is computed first, from the states as given, since the training call moves them.
        boolean dropout = driver.setSeed(seed == null ? 0 : seed);
        Map<String, double[]> outputs = driver.outputs(inputs);
        Map<String, double[]> statesBefore = driver.statesByName();
        double loss = driver.lossAndGradient(inputs);
        Map<String, double[]> gradient = driver.gradientByName();
        double[] flat = driver.parameters();
        for (ModelLayout.Slot p : driver.layout().params()) {
            Integer n = graph.declared.get(p.name());
            if (n != null) {
                double[] v = new double[p.shape().size()];
                System.arraycopy(flat, p.offset(), v, 0, v.length);
                notes.put(n, List.of("f = " + show(v, p.shape()), "g = " + show(gradient.get(p.name()), p.shape())));
            }
        }
        for (ModelLayout.Slot st : driver.layout().states()) {
            notes.put(graph.declared.get(st.name()), List.of("f = " + show(statesBefore.get(st.name()), st.shape())));
        }
        for (ModelLayout.Slot in : model.inputs()) {
            notes.put(graph.declared.get(in.name()), List.of("f = " + show(inputs.get(in.name()), in.shape())));
        }
        List<ModelLayout.Output> probeOutputs = driver.layout().outputs().stream().filter(o -> o.name().startsWith(prefix)).toList();
        for (int k = 0; k < probes.size(); k++) {
            List<String> lines = new ArrayList<>();
            lines.add("f = " + show(outputs.get(prefix + "f" + k), probeOutputs.get(k).shape()));
            double[] g = gradient.get(prefix + "g" + k);
            if (g != null) {
                lines.add("g = " + show(g, probeOutputs.get(k).shape()));
            }
            notes.put(probes.get(k).id(), lines);
        }
        graph.nodes.stream().filter(n -> n.kind() == ComputationGraph.Kind.LOSS)
                .forEach(n -> {
                    List<String> lines = new ArrayList<>(List.of("f = " + fmt(loss), "g = 1"));
                    if (dropout) {
                        lines.add("dropout: g with masks, f of the nodes without");
                    }
                    if (!model.states().isEmpty()) {
                        lines.add("batch_norm: g with the batch's statistics, f of the nodes with the states'");
                    }
                    notes.put(n.id(), lines);
                });
    }

    private static Expr number(int n) {
        return new Expr.Num(n, Integer.toString(n), dev.lossc.diag.Pos.START);
    }

    /** A prefix no name of the program starts with, for the probes' names. */
    private static String prefix(String text) {
        String p = "probe_";
        while (text.contains(p)) {
            p = p + "_";
        }
        return p;
    }

    /** A value as a note: a number, or up to six elements of a vector or matrix (rows separated by ';'). */
    static String show(double[] v, Shape s) {
        if (v.length == 1 && s.isScalar()) {
            return fmt(v[0]);
        }
        StringBuilder b = new StringBuilder("[");
        int cols = s.isMatrix() ? s.cols() : v.length;
        int shown = Math.min(v.length, 6);
        for (int i = 0; i < shown; i++) {
            if (i > 0) {
                b.append(s.isMatrix() && i % cols == 0 ? "; " : ", ");
            }
            b.append(fmt(v[i]));
        }
        return b.append(v.length > shown ? ", …]" : "]").toString();
    }

    /** Six significant digits, without trailing zeros: 0.003, 1.25e-05, 0.175108 (how lossc's tools print a number for people). */
    public static String fmt(double v) {
        String s = String.format(Locale.ROOT, "%.6g", v);
        int e = s.indexOf('e');
        String mantissa = e < 0 ? s : s.substring(0, e);
        if (mantissa.contains(".")) {
            mantissa = mantissa.replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        return e < 0 ? mantissa : mantissa + s.substring(e);
    }
}
