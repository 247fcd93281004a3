package dev.lossc;

import dev.lossc.ad.AdjointPrinter;
import dev.lossc.ad.AdjointProgram;
import dev.lossc.ad.ReverseMode;
import dev.lossc.ast.AstPrinter;
import dev.lossc.ast.Program;
import dev.lossc.check.Checker;
import dev.lossc.check.Typed;
import dev.lossc.codegen.ClassWriter;
import dev.lossc.diag.Diagnostic;
import dev.lossc.diag.DiagnosticKind;
import dev.lossc.diag.Pos;
import dev.lossc.diag.Reporter;
import dev.lossc.diag.SourceText;
import dev.lossc.ir.IrPrinter;
import dev.lossc.ir.IrProgram;
import dev.lossc.ir.Lowering;
import dev.lossc.parser.SourceParser;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one entry point of the compiler, used by the CLI, the Maven plugin and the tests. Runs the
 * phases in order and stops after the first phase that reports errors:
 *
 * <ol>
 *   <li>parse: text → AST ({@link SourceParser})
 *   <li>check: names, scopes, shapes, constants, def inlining ({@link Checker})
 *   <li>lower: checked program → normalized primal IR ({@link Lowering})
 *   <li>differentiate: primal IR → adjoint program ({@link ReverseMode})
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

    /** What to look at inside the pipeline ({@code --dump}). */
    public enum Dump { AST, IR, ADJOINT }

    public record Options(String packageName) {
        public static final Options DEFAULT = new Options("");

        public Options {
            if (packageName == null) {
                packageName = "";
            }
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

    /** The outcome of compiling one file; {@code output} is empty exactly when there are errors. */
    public record Result(SourceText source, List<Diagnostic> diagnostics, Optional<GeneratedClass> output,
                         Map<Dump, String> dumps, Optional<Typed.Program> checked) {
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
        return fromBytes(file, bytes, Options.DEFAULT, false);
    }

    private static Result fromBytes(String file, byte[] bytes, Options options, boolean generate) {
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
            return new Result(new SourceText(file, prefix), r.diagnostics(), Optional.empty(), Map.of(), Optional.empty());
        }
    }

    public static Result compile(String file, String text, Options options) {
        return run(file, text, options, true);
    }

    /** Parses and checks only ({@code lossc check}). */
    public static Result check(String file, String text) {
        return run(file, text, Options.DEFAULT, false);
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
        dumps.put(Dump.AST, AstPrinter.print(ast.get()));
        Optional<Typed.Program> checked;
        try {
            checked = Checker.check(ast.get(), endOfFile(source), reporter);
        } catch (StackOverflowError deep) {
            reporter.error(Pos.START, DiagnosticKind.NESTED_TOO_DEEPLY);
            checked = Optional.empty();
        }
        if (checked.isEmpty()) {
            return failed(source, reporter, dumps);
        }
        IrProgram ir = Lowering.lower(checked.get());
        dumps.put(Dump.IR, IrPrinter.print(ir));
        AdjointProgram adjoint = ReverseMode.differentiate(ir);
        dumps.put(Dump.ADJOINT, AdjointPrinter.print(adjoint));
        Optional<GeneratedClass> out = Optional.empty();
        if (generate) {
            String java = ClassWriter.write(ir, adjoint, source, options.packageName());
            out = Optional.of(new GeneratedClass(options.packageName(), ClassWriter.className(ir.className()), java));
        }
        return new Result(source, List.of(), out, dumps, checked);
    }

    private static Result failed(SourceText source, Reporter reporter, Map<Dump, String> dumps) {
        return new Result(source, reporter.diagnostics(), Optional.empty(), dumps, Optional.empty());
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
