package dev.lossc.cli;

import dev.lossc.InMemoryJavaCompiler;
import dev.lossc.LossCompiler;
import dev.lossc.check.Symbol;
import dev.lossc.check.Typed;
import dev.lossc.diag.DiagnosticKind;
import dev.lossc.diag.Limits;
import dev.lossc.diag.Pos;
import dev.lossc.diag.Reporter;
import dev.lossc.diag.SourceText;
import dev.lossc.types.Shape;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "eval", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Prints the loss and gradient of a model at the given values, as one JSON object.",
                "The model is compiled in memory with the same generator as 'compile' and the generated class is run:",
                "{\"loss\": …, \"gradient\": {…}}, params in declaration order."})
final class EvalCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Parameters(index = "0", paramLabel = "FILE.loss", description = "The model.")
    Path file;

    @CommandLine.Option(names = "--values", required = true, paramLabel = "VALUES.json",
            description = "One JSON object with a value for every input and param.")
    Path values;

    @CommandLine.Mixin
    Common.DumpOptions dump = new Common.DumpOptions();

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        byte[] source = Common.read(spec, file, Limits.MAX_SOURCE_BYTES);
        byte[] json = Common.read(spec, values, Limits.MAX_VALUES_BYTES);
        if (source == null || json == null) {
            return Main.INPUT_ERRORS;
        }
        LossCompiler.Result r = LossCompiler.compile(file.toString(), source, dump.options(""));
        dump.print(r, err);
        if (!r.ok()) {
            Common.report(r, err);
            return Main.INPUT_ERRORS;
        }
        Typed.Program model = r.checked().orElseThrow();
        String jsonText = new String(json, StandardCharsets.UTF_8);
        Reporter reporter = new Reporter(values.toString());
        Map<String, ValuesFile.Entry> entries = ValuesFile.parse(jsonText, reporter);
        List<double[]> inputs = new ArrayList<>();
        List<double[]> params = new ArrayList<>();
        if (entries != null) {
            Set<String> known = new HashSet<>();
            for (Symbol.Input in : model.inputs()) {
                known.add(in.name());
                inputs.add(take(entries, "input", in.name(), in.shape(), reporter));
            }
            for (Symbol.Param p : model.params()) {
                known.add(p.name());
                params.add(take(entries, "param", p.name(), p.shape(), reporter));
            }
            for (ValuesFile.Entry e : entries.values()) {
                if (!known.contains(e.name())) {
                    reporter.error(e.pos(), DiagnosticKind.VALUES_UNKNOWN, e.name(), model.className());
                }
            }
        }
        if (reporter.hasErrors()) {
            SourceText text = new SourceText(values.toString(), jsonText);
            reporter.diagnostics().forEach(d -> err.print(d.render(text)));
            err.flush();
            return Main.INPUT_ERRORS;
        }
        LossCompiler.GeneratedClass generated = r.output().orElseThrow();
        ClassLoader loader = InMemoryJavaCompiler.compile(Map.of(generated.qualifiedName(), generated.source()), List.of("-nowarn"));
        Class<?> cls = loader.loadClass(generated.qualifiedName());
        Object instance = cls.getConstructor().newInstance();
        double[] flat = (double[]) cls.getMethod("parameters").invoke(instance);
        int offset = 0;
        for (double[] p : params) {
            System.arraycopy(p, 0, flat, offset, p.length);
            offset += p.length;
        }
        Class<?>[] types = new Class<?>[inputs.size()];
        Object[] args = new Object[inputs.size()];
        for (int i = 0; i < inputs.size(); i++) {
            boolean scalar = model.inputs().get(i).shape().isScalar();
            types[i] = scalar ? double.class : double[].class;
            args[i] = scalar ? (Object) inputs.get(i)[0] : inputs.get(i);
        }
        Method lossAndGradient = cls.getMethod("lossAndGradient", types);
        double loss;
        try {
            loss = (double) lossAndGradient.invoke(instance, args);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException(e.getCause());
        }
        double[] grad = (double[]) cls.getMethod("gradient").invoke(instance);
        out.println(Json.result(loss, model.params(), grad));
        out.flush();
        return Main.OK;
    }

    private static double[] take(Map<String, ValuesFile.Entry> entries, String kind, String name, Shape shape, Reporter reporter) {
        ValuesFile.Entry e = entries.get(name);
        if (e == null) {
            reporter.error(Pos.START, DiagnosticKind.VALUES_MISSING, kind, name, shape);
            return null;
        }
        double[] v = ValuesFile.flatten(e.value(), shape);
        if (v == null) {
            reporter.error(e.pos(), DiagnosticKind.VALUES_SHAPE, kind, name, shape, ValuesFile.expected(shape), ValuesFile.describe(e.value()));
        }
        return v;
    }
}
