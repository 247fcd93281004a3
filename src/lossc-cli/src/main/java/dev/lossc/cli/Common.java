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
     * Reads and compiles the model a command runs: the preamble every command that runs one
     * shares. The result, or null once the problem with the file or its diagnostics (after the
     * dumps {@code dump} asks for, if any) are printed.
     */
    static LossCompiler.Result model(CommandLine.Model.CommandSpec spec, Path file, DumpOptions dump) {
        return model(spec, file, dump, java.util.Set.of());
    }

    /** As {@link #model(CommandLine.Model.CommandSpec, Path, DumpOptions)}, the class with these derivatives beyond the gradient. */
    static LossCompiler.Result model(CommandLine.Model.CommandSpec spec, Path file, DumpOptions dump, java.util.Set<LossCompiler.Derivative> derivatives) {
        byte[] source = read(spec, file, dev.lossc.diag.Limits.MAX_SOURCE_BYTES);
        return source == null ? null : compileModel(file, source, dump, spec.commandLine().getErr(), false, derivatives);
    }

    /**
     * A direction ({@code eval --hvp}/{@code --jvp}, {@code gradcheck --hvp}): a JSON object with one
     * value per param, shaped like it, as a params file; flat in parameter order, or null after the
     * problems are printed.
     */
    static double[] readDirection(CommandLine.Model.CommandSpec spec, Path file, dev.lossc.ModelLayout model) {
        java.util.Map<String, double[]> values = new java.util.LinkedHashMap<>();
        if (!readParams(spec, file, model, values, false)) {
            return null;
        }
        int n = 0;
        for (dev.lossc.ModelLayout.Slot p : model.params()) {
            n += p.shape().size();
        }
        double[] flat = new double[n];
        for (dev.lossc.ModelLayout.Slot p : model.params()) {
            System.arraycopy(values.get(p.name()), 0, flat, p.offset(), p.shape().size());
        }
        return flat;
    }

    /**
     * Compiles the model a command runs: the result, or null once its diagnostics (after the
     * dumps {@code dump} asks for, if any) are printed to {@code err}.
     */
    static LossCompiler.Result compileModel(Path file, byte[] source, DumpOptions dump, PrintWriter err) {
        return compileModel(file, source, dump, err, false);
    }

    /** As {@link #compileModel(Path, byte[], DumpOptions, PrintWriter)}, the class parallel ({@code --parallel}) if asked. */
    static LossCompiler.Result compileModel(Path file, byte[] source, DumpOptions dump, PrintWriter err, boolean parallel) {
        return compileModel(file, source, dump, err, parallel, java.util.Set.of());
    }

    /** As {@link #compileModel(Path, byte[], DumpOptions, PrintWriter, boolean)}, with the derivatives beyond the gradient a command runs. */
    static LossCompiler.Result compileModel(Path file, byte[] source, DumpOptions dump, PrintWriter err, boolean parallel,
                                            java.util.Set<LossCompiler.Derivative> derivatives) {
        LossCompiler.Options options = dump == null ? LossCompiler.Options.DEFAULT : dump.options("");
        LossCompiler.Result r = LossCompiler.compile(file.toString(), source, options.withParallel(parallel).withDerivatives(derivatives));
        if (dump != null) {
            dump.print(r, err);
        }
        if (!r.ok()) {
            report(r, err);
            return null;
        }
        return r;
    }

    /**
     * Whether every output can be written under lossc's one policy ({@link dev.lossc.OutputFiles}):
     * a new path or a regular file, not one of the command's inputs nor another of its outputs, in a
     * folder that can be written. Each problem is printed as {@code FILE: error: … [Wnnn]}.
     */
    static boolean outputsWritable(CommandLine.Model.CommandSpec spec, List<dev.lossc.OutputFiles.Role> outputs,
                                   List<dev.lossc.OutputFiles.Role> inputs) {
        List<dev.lossc.diag.Diagnostic> problems = dev.lossc.OutputFiles.check(outputs, inputs);
        PrintWriter err = spec.commandLine().getErr();
        problems.forEach(d -> err.println(d.headline()));
        err.flush();
        return problems.isEmpty();
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
        return readValues(spec, file, model, inputs, params, paramsOptional, name -> true);
    }

    /** As {@link #readValues}; an input for which {@code inputRequired} is false may be left out. */
    static boolean readValues(CommandLine.Model.CommandSpec spec, Path file, dev.lossc.ModelLayout model, java.util.Map<String, double[]> inputs,
                              java.util.Map<String, double[]> params, boolean paramsOptional, java.util.function.Predicate<String> inputRequired) {
        return readJson(spec, file, reporter -> dev.lossc.ValuesFile.read(file, model, reporter, inputs, params, paramsOptional, inputRequired));
    }

    /** Reads a params file ({@code eval --params}, {@code train --init}) into {@code params}, as {@link #readValues}. */
    static boolean readParams(CommandLine.Model.CommandSpec spec, Path file, dev.lossc.ModelLayout model, java.util.Map<String, double[]> params,
                              boolean inputsIgnored) {
        return readJson(spec, file, reporter -> dev.lossc.ValuesFile.readParams(file, model, reporter, params, inputsIgnored));
    }

    /**
     * Sets a run's parameters on {@code driver}, in every command the same way: from
     * {@code initParameters(seed)} when a seed is given, then the params file (any format), then the
     * params the values file gave ({@code fromValues}), each later one winning. A param none of them
     * gives is an error (V003) naming the files, unless a seed filled it. Returns false after
     * printing the problems.
     */
    static boolean setParameters(CommandLine.Model.CommandSpec spec, dev.lossc.ModelDriver driver, Path values,
                                 java.util.Map<String, double[]> fromValues, Path paramsFile, Long seed) {
        dev.lossc.ModelLayout model = driver.layout();
        java.util.Map<String, double[]> fromFile = new java.util.LinkedHashMap<>();
        if (paramsFile != null && !Weights.read(spec, "--params", paramsFile, model, fromFile, false, true)) {
            return false;
        }
        if (seed == null) {
            List<String> missing = new ArrayList<>();
            for (dev.lossc.ModelLayout.Slot p : model.params()) {
                if (!fromFile.containsKey(p.name()) && !fromValues.containsKey(p.name())) {
                    missing.add("'" + p.name() + "' " + p.shape());
                }
            }
            if (!missing.isEmpty()) {
                PrintWriter err = spec.commandLine().getErr();
                String where = paramsFile == null ? "the values file" : values == null ? "the params file" : "the values or the params file";
                err.println((paramsFile != null ? paramsFile : values) + ": error: missing value for param " + String.join(", ", missing)
                        + " (in neither " + where + "; --seed S fills the params left out with initParameters(S)) [V003]");
                err.flush();
                return false;
            }
        } else {
            driver.initParameters(seed);
        }
        driver.setParams(fromFile);
        driver.setParams(fromValues);
        return true;
    }

    private interface JsonReader {
        boolean read(dev.lossc.diag.Reporter reporter) throws java.io.IOException;
    }

    /**
     * Whether {@code file} can be read as an input of at most {@code maxBytes}: a missing file or a
     * directory is a usage error; a device, a pipe, a file over the limit is printed as
     * {@code FILE: error: …} (then false).
     */
    static boolean inputFile(CommandLine.Model.CommandSpec spec, Path file, long maxBytes) {
        if (!Files.exists(file)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "no such file: " + file);
        }
        if (Files.isDirectory(file)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "not a file: " + file);
        }
        dev.lossc.diag.Diagnostic problem = SourceFiles.problem(file, file.toString(), maxBytes);
        if (problem != null) {
            PrintWriter err = spec.commandLine().getErr();
            err.println(problem.headline());
            err.flush();
            return false;
        }
        return true;
    }

    /**
     * Checks {@code file} as every input is checked (a regular file within the values files' limit),
     * then streams it through {@code reader}; diagnostics quote their lines from the file.
     */
    private static boolean readJson(CommandLine.Model.CommandSpec spec, Path file, JsonReader reader) {
        if (!inputFile(spec, file, dev.lossc.diag.Limits.MAX_VALUES_BYTES)) {
            return false;
        }
        PrintWriter err = spec.commandLine().getErr();
        dev.lossc.diag.Reporter reporter = new dev.lossc.diag.Reporter(file.toString());
        try {
            if (reader.read(reporter)) {
                return true;
            }
        } catch (java.io.IOException e) {
            err.println(file + ": error: cannot read the file: " + e.getMessage() + " [L007]");
            err.flush();
            return false;
        }
        dev.lossc.diag.FileLines lines = new dev.lossc.diag.FileLines(file);
        reporter.diagnostics().forEach(d -> err.print(d.render(lines)));
        err.flush();
        return false;
    }
}
