package dev.lossc;

import dev.lossc.ad.AdjointProgram;
import dev.lossc.ad.ReverseMode;
import dev.lossc.ast.AstPrinter;
import dev.lossc.ast.Program;
import dev.lossc.check.Checker;
import dev.lossc.check.Typed;
import dev.lossc.codegen.ClassWriter;
import dev.lossc.diag.Diagnostic;
import dev.lossc.diag.DiagnosticKind;
import dev.lossc.diag.Limits;
import dev.lossc.diag.Pos;
import dev.lossc.diag.Reporter;
import dev.lossc.diag.SourceText;
import dev.lossc.ir.IrPrinter;
import dev.lossc.ir.IrProgram;
import dev.lossc.ir.Lowering;
import dev.lossc.ir.ProductFolding;
import dev.lossc.opt.Passes;
import dev.lossc.opt.Plan;
import dev.lossc.parser.SourceParser;
import dev.lossc.types.Precision;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The one entry point of the compiler, used by the CLI, the Maven plugin and the tests. Runs the
 * phases in order and stops after the first phase that reports errors:
 *
 * <ol>
 *   <li>parse: text → AST ({@link SourceParser})
 *   <li>check: names, scopes, shapes, constants, def inlining ({@link Checker})
 *   <li>lower: checked program → normalized primal IR ({@link Lowering})
 *   <li>differentiate: primal IR → adjoint IR ({@link ReverseMode})
 *   <li>optimize: named passes over both ({@link Passes})
 *   <li>generate: both → one Java class ({@link ClassWriter})
 * </ol>
 */
public final class LossCompiler {
    private LossCompiler() {}

    private static final String VERSION = readVersion();

    /** The compiler's version, e.g. {@code 0.1.0}; part of every incremental build's cache key. */
    public static String version() {
        return VERSION;
    }

    private static String readVersion() {
        java.util.Properties p = new java.util.Properties();
        try (java.io.InputStream in = LossCompiler.class.getResourceAsStream("/dev/lossc/version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return p.getProperty("version", "unknown");
    }

    /**
     * The derivatives a class can have ({@code --derivatives}): the gradient (always), the
     * Hessian-vector product, directional derivatives of the loss and outputs, output Jacobians.
     */
    public enum Derivative {
        GRAD, HVP, JVP, JACOBIAN;

        /** How {@code --derivatives} and the plugin's {@code <derivatives>} spell it. */
        public String spelling() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** The derivative spelled {@code s} ({@code hvp}), or null. */
        public static Derivative named(String s) {
            for (Derivative d : values()) {
                if (d.spelling().equals(s)) {
                    return d;
                }
            }
            return null;
        }
    }

    /** What to look at inside the pipeline ({@code --dump}). */
    public enum Dump { AST, IR, ADJOINT, PASSES }

    /**
     * The package of the generated class, which stages to print (computed only when asked for),
     * whether products use the Vector API, the element type of the class, and whether its large
     * products can run on several threads ({@code --parallel}).
     */
    public record Options(String packageName, Set<Dump> dumps, boolean simd, Precision precision, boolean parallel, Set<Derivative> derivatives) {
        public static final Options DEFAULT = new Options("");

        public Options {
            packageName = packageName == null ? "" : packageName;
            dumps = dumps == null ? Set.of() : Set.copyOf(dumps);
            precision = precision == null ? Precision.DOUBLE : precision;
            derivatives = derivatives == null ? Set.of(Derivative.GRAD) : Set.copyOf(derivatives);
        }

        public Options(String packageName, Set<Dump> dumps, boolean simd, Precision precision, boolean parallel) {
            this(packageName, dumps, simd, precision, parallel, Set.of(Derivative.GRAD));
        }

        public Options(String packageName, Set<Dump> dumps, boolean simd, Precision precision) {
            this(packageName, dumps, simd, precision, false);
        }

        public Options(String packageName, Set<Dump> dumps) {
            this(packageName, dumps, false, Precision.DOUBLE);
        }

        public Options(String packageName) {
            this(packageName, Set.of());
        }

        /**
         * These options with large matrix products on the incubating Vector API
         * ({@code jdk.incubator.vector}, JDK 17 or later): the class then needs
         * {@code --add-modules jdk.incubator.vector} to compile and to run.
         */
        public Options withSimd(boolean on) {
            return new Options(packageName, dumps, on, precision, parallel, derivatives);
        }

        /**
         * These options with {@code precision} as the element type: with {@link Precision#FLOAT} the
         * class takes and returns {@code float}s and {@code float[]}s and computes in {@code float}.
         */
        public Options withPrecision(Precision p) {
            return new Options(packageName, dumps, simd, p, parallel, derivatives);
        }

        /**
         * These options with a parallel class: it implements {@code AutoCloseable}, has
         * {@code setThreads(int)} (1 by default), and splits its large products across that many
         * threads, with the same results to the bit at any thread count.
         */
        public Options withParallel(boolean on) {
            return new Options(packageName, dumps, simd, precision, on, derivatives);
        }

        /**
         * These options with the derivatives beyond the gradient the class has ({@code --derivatives}):
         * {@code hvp}, {@code jvp} and output Jacobians; the gradient is always there.
         */
        public Options withDerivatives(Set<Derivative> wanted) {
            java.util.EnumSet<Derivative> all = java.util.EnumSet.of(Derivative.GRAD);
            all.addAll(wanted);
            return new Options(packageName, dumps, simd, precision, parallel, all);
        }
    }

    /** The generated class: its package, simple name and source text. */
    public record GeneratedClass(String packageName, String className, String source) {
        public String qualifiedName() {
            return packageName.isEmpty() ? className : packageName + "." + className;
        }

        /** Path of the file relative to a source root, e.g. {@code com/acme/TwoLayer.java}. */
        public String relativePath() {
            return (packageName.isEmpty() ? "" : packageName.replace('.', '/') + "/") + className + ".java";
        }
    }

    /**
     * The outcome of compiling one file; {@code output} is empty exactly when there are errors.
     * {@code layout}: the model's inputs, params (shapes, flat offsets) and outputs (with the inputs
     * each takes), when it checked without errors.
     */
    public record Result(SourceText source, List<Diagnostic> diagnostics, Optional<GeneratedClass> output,
                         Map<Dump, String> dumps, Optional<Typed.Program> checked, Optional<ModelLayout> layout) {
        public boolean ok() {
            return diagnostics.isEmpty();
        }

        /** Every diagnostic rendered with its source line and caret. */
        public String render() {
            StringBuilder out = new StringBuilder();
            for (Diagnostic d : diagnostics) {
                out.append(d.render(source));
            }
            return out.toString();
        }
    }

    /** Decodes a file's bytes strictly as UTF-8 (invalid input becomes a diagnostic) and compiles it. */
    public static Result compile(String file, byte[] bytes, Options options) {
        return fromBytes(file, bytes, options, true);
    }

    /** Parses and checks a file's bytes without generating code ({@code lossc check}). */
    public static Result check(String file, byte[] bytes) {
        return check(file, bytes, Options.DEFAULT);
    }

    /** Parses and checks a file's bytes without generating code, with the dumps {@code options} ask for. */
    public static Result check(String file, byte[] bytes, Options options) {
        return fromBytes(file, bytes, options, false);
    }

    private static Result fromBytes(String file, byte[] bytes, Options options, boolean generate) {
        return onLargeStack(file, () -> decodeAndRun(file, bytes, options, generate));
    }

    private static Result decodeAndRun(String file, byte[] bytes, Options options, boolean generate) {
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
            if (text.startsWith("\uFEFF")) {
                text = text.substring(1);
            }
            return run(file, text, options, generate);
        } catch (CharacterCodingException e) {
            int valid = firstBad(bytes);
            String prefix = new String(bytes, 0, valid, StandardCharsets.UTF_8);
            Reporter r = new Reporter(file);
            r.error(SourceText.position(prefix, prefix.length()), DiagnosticKind.NOT_UTF8);
            return new Result(new SourceText(file, prefix), r.diagnostics(), Optional.empty(), Map.of(), Optional.empty(), Optional.empty());
        }
    }

    public static Result compile(String file, String text, Options options) {
        return onLargeStack(file, () -> run(file, text, options, true));
    }

    /**
     * Compiles a program built as an AST (a tool's rewrite of a parsed file, as {@code lossc graph}
     * does); {@code text} is the source its positions point into, for diagnostics.
     */
    public static Result compile(Program ast, String text, Options options) {
        return runParsed(ast, text, options, true);
    }

    /** Checks a program built as an AST, as {@link #check(String, String)} a file: no code is generated. */
    public static Result check(Program ast, String text) {
        return runParsed(ast, text, Options.DEFAULT, false);
    }

    private static Result runParsed(Program ast, String text, Options options, boolean generate) {
        return onLargeStack(ast.file(), () -> {
            SourceText source = new SourceText(ast.file(), text);
            return runParsed(ast, source, new Reporter(ast.file()), new EnumMap<>(Dump.class), options, generate);
        });
    }

    /** Parses and checks only ({@code lossc check}). */
    public static Result check(String file, String text) {
        return onLargeStack(file, () -> run(file, text, Options.DEFAULT, false));
    }

    /**
     * The stack compilations run on. The phases walk expressions recursively; nesting is bounded
     * by {@link Limits#MAX_NESTING}, but a long operator chain ({@code a + b + …}, up to
     * {@link Limits#MAX_OPERATIONS} terms) is a deep left-leaning tree, deeper than a default
     * thread stack holds. Reserved address space only: pages are touched as the stack grows.
     */
    private static final long STACK_BYTES = 256L << 20;

    private static final ExecutorService COMPILER_THREADS = Executors.newCachedThreadPool(task -> {
        Thread t = new Thread(null, task, "lossc-compiler", STACK_BYTES);
        t.setDaemon(true);
        return t;
    });

    /**
     * Runs one compilation on a compiler thread. Running out of memory or stack is a property of
     * the input, so it becomes a diagnostic about the file; any other failure is a bug in the
     * compiler and is rethrown as it is.
     */
    private static Result onLargeStack(String file, Callable<Result> compilation) {
        Future<Result> result = COMPILER_THREADS.submit(() -> {
            try {
                return compilation.call();
            } catch (OutOfMemoryError e) {
                return failedWith(file, DiagnosticKind.OUT_OF_MEMORY, String.valueOf(e.getMessage()));
            } catch (StackOverflowError e) {
                return failedWith(file, DiagnosticKind.OUT_OF_MEMORY, "the program is too deeply nested for the compiler's stack");
            }
        });
        try {
            return result.get();
        } catch (InterruptedException e) {
            result.cancel(true);
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while compiling " + file);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        }
    }

    private static Result failedWith(String file, DiagnosticKind kind, Object... args) {
        Reporter r = new Reporter(file);
        r.fileError(kind, args);
        return new Result(new SourceText(file, ""), r.diagnostics(), Optional.empty(), Map.of(), Optional.empty(), Optional.empty());
    }

    private static Result run(String file, String text, Options options, boolean generate) {
        SourceText source = new SourceText(file, text);
        Reporter reporter = new Reporter(file);
        Map<Dump, String> dumps = new EnumMap<>(Dump.class);
        if (!ClassWriter.isValidPackage(options.packageName())) {
            throw new IllegalArgumentException("not a valid Java package name: " + options.packageName());
        }
        Optional<Program> ast = SourceParser.parse(file, text, reporter);
        if (ast.isEmpty()) {
            return failed(source, reporter, dumps);
        }
        return runParsed(ast.get(), source, reporter, dumps, options, generate);
    }

    private static Result runParsed(Program program, SourceText source, Reporter reporter, Map<Dump, String> dumps, Options options,
                                    boolean generate) {
        Optional<Program> ast = Optional.of(program);
        if (options.dumps().contains(Dump.AST)) {
            dumps.put(Dump.AST, AstPrinter.print(ast.get()));
        }
        Optional<Typed.Program> checked = Checker.check(ast.get(), endOfFile(source), reporter);
        if (checked.isEmpty()) {
            return failed(source, reporter, dumps);
        }
        IrProgram ir = ProductFolding.fold(Lowering.lower(checked.get()));
        if (!forwardModeReaches(ir, options.derivatives(), reporter)) {
            return failed(source, reporter, dumps);
        }
        if (options.dumps().contains(Dump.IR)) {
            dumps.put(Dump.IR, IrPrinter.print(ir));
        }
        AdjointProgram adjoint = ReverseMode.differentiate(ir);
        if (options.dumps().contains(Dump.ADJOINT)) {
            dumps.put(Dump.ADJOINT, IrPrinter.print(adjoint.body()));
        }
        // The passes only serve code generation (and their own dump): `lossc check` skips them.
        boolean passes = generate || options.dumps().contains(Dump.PASSES);
        StringBuilder passLog = options.dumps().contains(Dump.PASSES) ? new StringBuilder() : null;
        Plan optimized = passes ? Passes.run(ir, adjoint, passLog) : null;
        if (passLog != null) {
            dumps.put(Dump.PASSES, passLog.toString());
        }
        Optional<GeneratedClass> out = Optional.empty();
        Object[][] costs = COSTS.get();
        if (generate) {
            List<ClassWriter.OutputPlan> outputs = new java.util.ArrayList<>();
            for (IrProgram.Output o : ir.outputs()) {
                // Each output is planned on its own: forward only, the output as the value returned.
                Plan plan = Passes.run(ir.forOutput(o), new AdjointProgram(List.of()), null);
                outputs.add(new ClassWriter.OutputPlan(o, plan.forward()));
            }
            dev.lossc.codegen.DerivativePlans derivatives = DerivativePlanner.plan(ir, adjoint, options.derivatives());
            ClassWriter.Written written = ClassWriter.written(ir, optimized.forward(), optimized.backward(), outputs, derivatives, source,
                    options.packageName(), options.simd(), options.precision(), options.parallel());
            out = Optional.of(new GeneratedClass(options.packageName(), ClassWriter.className(ir.className()), written.source()));
            if (costs != null) {
                costs[0] = new Object[] {optimized, written.storage()};
            }
        }
        return new Result(source, List.of(), out, dumps, checked, Optional.of(layoutOf(checked.get(), ir)));
    }

    /** Where {@link #report} has the compilation leave its plan and storage: set on the compiler thread for that call only. */
    private static final ThreadLocal<Object[][]> COSTS = new ThreadLocal<>();

    /** A compilation and, when it succeeds, its {@link CostReport} ({@code lossc report}). */
    public record Report(Result result, Optional<CostReport> costs) {}

    /**
     * Compiles a file's bytes and reports the class's costs: operations and storage per line, and its
     * largest method's bytecode size (the class is compiled in memory, so this needs a JDK).
     */
    public static Report report(String file, byte[] bytes, Options options) throws InMemoryJavaCompiler.CompilationFailed {
        Object[][] sink = new Object[1][];
        Result r = onLargeStack(file, () -> {
            COSTS.set(sink);
            try {
                return decodeAndRun(file, bytes, options, true);
            } finally {
                COSTS.remove();
            }
        });
        if (!r.ok() || sink[0] == null) {
            return new Report(r, Optional.empty());
        }
        Plan plan = (Plan) sink[0][0];
        GeneratedClass g = r.output().orElseThrow();
        List<String> javac = options.simd() ? List.of("--add-modules", "jdk.incubator.vector", "-nowarn")
                : List.of("--release", "8", "-Xlint:-options", "-nowarn");
        Map<String, byte[]> classes = InMemoryJavaCompiler.compileToBytes(Map.of(g.qualifiedName(), g.source()), javac);
        return new Report(r, Optional.of(CostReport.of(g.className(), r.source(), plan.forward(), plan.backward(),
                (dev.lossc.codegen.StorageAccount) sink[0][1], classes)));
    }

    /**
     * False after reporting each call of a def with a grad rule but no jvp rule that forward mode
     * would have to go through ({@code hvp}, {@code jvp}, {@code jacobian}).
     */
    private static boolean forwardModeReaches(IrProgram ir, java.util.Set<Derivative> derivatives, Reporter reporter) {
        List<String> forward = derivatives.stream().filter(d -> d != Derivative.GRAD).sorted().map(Derivative::spelling).toList();
        if (forward.isEmpty()) {
            return true;
        }
        boolean ok = true;
        for (dev.lossc.ir.Custom c : ir.customs().values()) {
            if (!c.hasJvp()) {
                reporter.error(c.pos(), dev.lossc.diag.DiagnosticKind.MISSING_JVP, String.join(",", forward), c.function(),
                        String.join(", ", c.params().stream().map(n -> "d" + n).toList()));
                ok = false;
            }
        }
        return ok;
    }

    /**
     * {@code lossc check --verify-rules}: a warning for each def's own gradient that disagrees with
     * central differences of its body ({@link RuleCheck}); {@code checked} must be free of errors.
     */
    public static List<Diagnostic> verifyRules(Result checked, long seed) throws InMemoryJavaCompiler.CompilationFailed {
        String text = checked.source().text();
        Program program = SourceParser.parse(checked.source().name(), text, new Reporter(checked.source().name())).orElseThrow();
        return RuleCheck.verify(program, text, seed);
    }

    /** The inputs and params of the model, with shapes and flat offsets, and its outputs with the inputs each takes. */
    private static ModelLayout layoutOf(Typed.Program p, IrProgram ir) {
        List<ModelLayout.Slot> inputs = new java.util.ArrayList<>();
        for (var in : p.inputs()) {
            inputs.add(new ModelLayout.Slot(in.name(), in.shape(), -1, in.integer(), p.indexLimits().getOrDefault(in, 0)));
        }
        List<ModelLayout.Slot> params = slots(p.params());
        List<ModelLayout.Output> outputs = new java.util.ArrayList<>();
        for (IrProgram.Output o : ir.outputs()) {
            List<dev.lossc.ir.Value> needed = ir.inputsOf(o);
            outputs.add(new ModelLayout.Output(o.name(), o.value().logicalShape(), needed.stream().map(dev.lossc.ir.Value::name).toList(),
                    ir.varyingDims(needed, o.body(), o.value().shape()).stream().map(dev.lossc.check.Symbol.Dim::name).toList()));
        }
        List<ModelLayout.VaryingDim> dims = p.dims().stream().filter(dev.lossc.check.Symbol.Dim::varying)
                .map(d -> new ModelLayout.VaryingDim(d.name(), d.value())).toList();
        List<String> lossDims = ir.varyingDims(ir.inputs(), ir.body(), ir.loss().shape()).stream().map(dev.lossc.check.Symbol.Dim::name).toList();
        return new ModelLayout(p.className(), inputs, params, outputs, dims, lossDims, slots(p.states()));
    }

    /** Params (or states), each at its offset in their flat array, in declaration order. */
    private static List<ModelLayout.Slot> slots(List<? extends dev.lossc.check.Symbol.Stored> stored) {
        List<ModelLayout.Slot> out = new java.util.ArrayList<>();
        int offset = 0;
        for (var s : stored) {
            out.add(new ModelLayout.Slot(s.name(), s.shape(), offset, false, 0, s.key()));
            offset += s.shape().size();
        }
        return out;
    }

    /** True if {@code packageName} is empty or a valid Java package name (the CLI, the plugin and {@link Options} ask here). */
    public static boolean isValidPackage(String packageName) {
        return ClassWriter.isValidPackage(packageName);
    }

    private static Result failed(SourceText source, Reporter reporter, Map<Dump, String> dumps) {
        return new Result(source, reporter.diagnostics(), Optional.empty(), dumps, Optional.empty(), Optional.empty());
    }

    private static Pos endOfFile(SourceText source) {
        int last = source.lineCount();
        String line = source.line(last);
        if (line.isBlank() && last > 1) {
            return new Pos(last - 1, source.line(last - 1).length() + 1);
        }
        return new Pos(last, line.length() + 1);
    }


    private static int firstBad(byte[] bytes) {
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        var in = ByteBuffer.wrap(bytes);
        var out = java.nio.CharBuffer.allocate(bytes.length + 1);
        var result = decoder.decode(in, out, true);
        return result.isError() ? in.position() : bytes.length;
    }
}
