package dev.lossc.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.lossc.CostReport;
import dev.lossc.LossCompiler;
import dev.lossc.diag.Limits;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "report", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        header = "Reports what each line of a .loss file costs in the generated class, before anything runs.",
        description = {"For every line, the floating-point operations of lossAndGradient's forward and backward pass "
                + "(every scalar operation counts 1, a multiply-add 2; loops times their iterations; a checkpointed loop's "
                + "recomputation in the backward pass) and the bytes of storage the class owns for it (params, gradient, work "
                + "arrays, per-iteration slots, checkpoint snapshots); for the class, its largest method's bytecode size against "
                + "HotSpot's 8,000-byte limit on JIT compilation. Writes nothing."})
final class ReportCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Parameters(arity = "1..*", paramLabel = "FILE.loss", description = "The files to report on.")
    List<Path> files;

    @CommandLine.Option(names = "--json", description = "One JSON object per file: \"lines\", a list of {\"line\", \"source\", "
            + "\"forward_flops\", \"backward_flops\", \"bytes\"}, then the totals, the storage by kind, the largest method and the "
            + "checkpointed loops.")
    boolean json;

    @CommandLine.Option(names = "--simd", description = "Report on the --simd class.")
    boolean simd;

    @CommandLine.Option(names = "--parallel", description = "Report on the --parallel class.")
    boolean parallel;

    @CommandLine.Option(names = "--precision", paramLabel = "double|float", description = "Element type (default: double): float halves the bytes.")
    String precision = "double";

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        dev.lossc.types.Precision elements = dev.lossc.types.Precision.named(precision);
        if (elements == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--precision must be double or float, not '" + precision + "'");
        }
        int errors = 0;
        for (Path f : files) {
            byte[] bytes = Common.read(spec, f, Limits.MAX_SOURCE_BYTES);
            if (bytes == null) {
                errors++;
                continue;
            }
            LossCompiler.Report r = LossCompiler.report(f.toString(), bytes,
                    LossCompiler.Options.DEFAULT.withSimd(simd).withParallel(parallel).withPrecision(elements));
            Common.report(r.result(), err);
            errors += r.result().diagnostics().size();
            if (r.costs().isPresent()) {
                out.print(json ? json(f, r.costs().get()) : table(f, r.costs().get()));
            }
        }
        out.flush();
        return errors == 0 ? Main.OK : Main.INPUT_ERRORS;
    }

    static String table(Path file, CostReport c) {
        StringWriter s = new StringWriter();
        PrintWriter out = new PrintWriter(s);
        out.printf(Locale.ROOT, "%s (%s): lossAndGradient%n", c.className(), file.getFileName());
        out.printf(Locale.ROOT, "%6s %16s %16s %14s  %s%n", "line", "forward FLOPs", "backward FLOPs", "bytes", "source");
        for (CostReport.Line l : c.lines()) {
            out.printf(Locale.ROOT, "%6s %,16d %,16d %,14d  %s%n", l.line() == 0 ? "-" : Integer.toString(l.line()), l.forwardFlops(),
                    l.backwardFlops(), l.bytes(), l.source());
        }
        out.printf(Locale.ROOT, "%6s %,16d %,16d %,14d%n", "total", c.forwardFlops(), c.backwardFlops(), c.bytes().total());
        CostReport.Bytes b = c.bytes();
        out.printf(Locale.ROOT, "storage: params %,d B, gradient %,d B, work arrays %,d B, per-iteration slots %,d B, checkpoint snapshots %,d B%n",
                b.params(), b.gradient(), b.work(), b.perIteration(), b.snapshots());
        for (CostReport.Checkpointed k : c.checkpointed()) {
            out.printf(Locale.ROOT, "checkpointed loop at line %d: %,d iterations, %,d snapshots; the backward pass runs %,d iterations' "
                    + "forward code (%.2f per iteration), %,d advances in all against the revolve bound of %,d%n", k.line(), k.iterations(),
                    k.snapshots(), k.recomputed(), (double) k.recomputed() / Math.max(1, k.iterations()), k.advances(), k.bound());
        }
        out.printf(Locale.ROOT, "largest method: %s, %,d bytes of bytecode (HotSpot compiles up to %,d): %s%n", c.largestMethod(),
                c.largestMethodBytes(), CostReport.JIT_LIMIT, c.largestMethodBytes() <= CostReport.JIT_LIMIT ? "compiled" : "NOT compiled by the JIT");
        out.flush();
        return s.toString();
    }

    static String json(Path file, CostReport c) throws IOException {
        StringWriter s = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(s)) {
            g.writeStartObject();
            g.writeStringField("model", c.className());
            g.writeStringField("file", file.toString());
            g.writeArrayFieldStart("lines");
            for (CostReport.Line l : c.lines()) {
                g.writeStartObject();
                g.writeNumberField("line", l.line());
                g.writeStringField("source", l.source());
                g.writeNumberField("forward_flops", l.forwardFlops());
                g.writeNumberField("backward_flops", l.backwardFlops());
                g.writeNumberField("bytes", l.bytes());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeNumberField("forward_flops", c.forwardFlops());
            g.writeNumberField("backward_flops", c.backwardFlops());
            g.writeObjectFieldStart("bytes");
            g.writeNumberField("params", c.bytes().params());
            g.writeNumberField("gradient", c.bytes().gradient());
            g.writeNumberField("work", c.bytes().work());
            g.writeNumberField("per_iteration", c.bytes().perIteration());
            g.writeNumberField("snapshots", c.bytes().snapshots());
            g.writeNumberField("total", c.bytes().total());
            g.writeEndObject();
            g.writeObjectFieldStart("largest_method");
            g.writeStringField("name", c.largestMethod());
            g.writeNumberField("bytecode_bytes", c.largestMethodBytes());
            g.writeNumberField("jit_limit", CostReport.JIT_LIMIT);
            g.writeEndObject();
            g.writeArrayFieldStart("checkpointed_loops");
            for (CostReport.Checkpointed k : c.checkpointed()) {
                g.writeStartObject();
                g.writeNumberField("line", k.line());
                g.writeNumberField("iterations", k.iterations());
                g.writeNumberField("snapshots", k.snapshots());
                g.writeNumberField("recomputed_iterations", k.recomputed());
                g.writeNumberField("advances", k.advances());
                g.writeNumberField("revolve_bound", k.bound());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        return s + System.lineSeparator();
    }
}
