package dev.lossc.cli;

import dev.lossc.LossCompiler;
import dev.lossc.SourceFiles;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/** Options and helpers shared by the subcommands. */
final class Common {
    private Common() {}

    /** {@code --dump ast|ir|adjoint}, repeatable. */
    static final class DumpOptions {
        @CommandLine.Option(names = "--dump", paramLabel = "ast|ir|adjoint|passes",
                description = "Print a pipeline stage: ast, ir (normalized primal program), adjoint (the backward program as IR) "
                        + "or passes (both, before the optimization passes and after each). Repeatable.")
        List<LossCompiler.Dump> dumps = new ArrayList<>();

        /** Compiler options that compute the requested dumps. */
        LossCompiler.Options options(String packageName) {
            return new LossCompiler.Options(packageName, java.util.Set.copyOf(dumps));
        }

        void print(LossCompiler.Result r, PrintWriter to) {
            for (LossCompiler.Dump d : dumps) {
                String text = r.dumps().get(d);
                if (text != null) {
                    to.println("== " + d.name().toLowerCase(java.util.Locale.ROOT) + ": " + r.source().name());
                    to.print(text);
                }
            }
        }
    }

    /**
     * The bytes of an input file, or null when it cannot be used; then its one-line diagnostic
     * ({@code FILE: error: …}) has been printed. A missing file or a directory is a usage error
     * (exit 2); a device, pipe or socket, a file over {@code maxBytes} or an unreadable file is an
     * error in the input (exit 1).
     */
    static byte[] read(CommandLine.Model.CommandSpec spec, Path file, long maxBytes) {
        if (!Files.exists(file)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "no such file: " + file);
        }
        if (Files.isDirectory(file)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "not a file: " + file);
        }
        SourceFiles.Read read = SourceFiles.read(file, file.toString(), maxBytes);
        if (!read.ok()) {
            PrintWriter err = spec.commandLine().getErr();
            err.println(read.problem().headline());
            err.flush();
        }
        return read.bytes();
    }

    /**
     * Compiles the model a command runs: the result, or null once its diagnostics (after the
     * dumps {@code dump} asks for, if any) are printed to {@code err}.
     */
    static LossCompiler.Result compileModel(Path file, byte[] source, DumpOptions dump, PrintWriter err) {
        LossCompiler.Result r = LossCompiler.compile(file.toString(), source, dump == null ? LossCompiler.Options.DEFAULT : dump.options(""));
        if (dump != null) {
            dump.print(r, err);
        }
        if (!r.ok()) {
            report(r, err);
            return null;
        }
        return r;
    }

    static void report(LossCompiler.Result r, PrintWriter err) {
        err.print(r.render());
        err.flush();
    }

    static String count(int errors) {
        return errors == 1 ? "1 error" : errors + " errors";
    }

    /**
     * Reads a values file ({@code eval}, {@code gradcheck}, {@code graph}) into {@code inputs} and
     * {@code params}; on errors prints them with their lines and carets and returns false.
     */
    static boolean readValues(CommandLine.Model.CommandSpec spec, Path file, dev.lossc.ModelLayout model, java.util.Map<String, double[]> inputs,
                              java.util.Map<String, double[]> params, boolean paramsOptional) {
        return readJson(spec, file, (text, reporter) -> dev.lossc.ValuesFile.read(text, model, reporter, inputs, params, paramsOptional));
    }

    /** Reads a params file ({@code eval --params}, {@code train --init}) into {@code params}, as {@link #readValues}. */
    static boolean readParams(CommandLine.Model.CommandSpec spec, Path file, dev.lossc.ModelLayout model, java.util.Map<String, double[]> params,
                              boolean inputsIgnored) {
        return readJson(spec, file, (text, reporter) -> dev.lossc.ValuesFile.readParams(text, model, reporter, params, inputsIgnored));
    }

    private interface JsonReader {
        boolean read(String text, dev.lossc.diag.Reporter reporter);
    }

    private static boolean readJson(CommandLine.Model.CommandSpec spec, Path file, JsonReader reader) {
        byte[] bytes = read(spec, file, dev.lossc.diag.Limits.MAX_VALUES_BYTES);
        if (bytes == null) {
            return false;
        }
        String text = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        dev.lossc.diag.Reporter reporter = new dev.lossc.diag.Reporter(file.toString());
        if (reader.read(text, reporter)) {
            return true;
        }
        dev.lossc.diag.SourceText source = new dev.lossc.diag.SourceText(file.toString(), text);
        PrintWriter err = spec.commandLine().getErr();
        reporter.diagnostics().forEach(d -> err.print(d.render(source)));
        err.flush();
        return false;
    }
}
