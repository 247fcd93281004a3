package dev.lossc.cli;

import dev.lossc.GeneratedFiles;
import dev.lossc.LossCompiler;
import dev.lossc.diag.Limits;
import dev.lossc.types.Precision;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "compile", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        header = "Compiles .loss files into Java classes, one per model.",
        description = "Writes DIR/<package as path>/<Class>.java for every model. If any file has errors, all of them are "
                + "reported and no file is written; a class file that would replace a directory, a device, a FIFO or one of "
                + "the .loss files is refused before anything is written.")
final class CompileCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Parameters(arity = "1..*", paramLabel = "FILE.loss", description = "The files to compile.")
    List<Path> files;

    @CommandLine.Option(names = "-d", paramLabel = "DIR", description = "Output directory (default: the current one). "
            + "A class in package P goes to DIR/P/as/path/Name.java.")
    Path dir = Path.of(".");

    @CommandLine.Option(names = "--package", paramLabel = "P", description = "Java package of the generated classes (default: none).")
    String packageName = "";

    @CommandLine.Option(names = "--simd", description = "Large matrix products on the incubating Vector API: the classes need "
            + "JDK 17 or later and --add-modules jdk.incubator.vector to compile and run.")
    boolean simd;

    @CommandLine.Option(names = "--parallel", description = "Parallel classes: AutoCloseable, with setThreads(int) (1 by default); "
            + "their large matrix products run split across that many threads, with the same results to the bit.")
    boolean parallel;

    @CommandLine.Option(names = "--derivatives", paramLabel = "LIST", split = ",", description = "The derivatives the classes "
            + "have, of grad (always), hvp (Hessian-vector product), jvp (directional derivatives of the loss and outputs) and "
            + "jacobian (of each output), comma-separated (default: grad).")
    List<String> derivatives = List.of("grad");

    @CommandLine.Option(names = "--precision", paramLabel = "double|float", description = "Element type of the classes: double "
            + "(default) or float (float and float[] in the API, arithmetic in float).")
    String precision = "double";

    @CommandLine.Mixin
    Common.DumpOptions dump = new Common.DumpOptions();

    @Override
    public Integer call() throws IOException {
        if (!LossCompiler.isValidPackage(packageName)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "not a valid Java package name: '" + packageName + "'");
        }
        Precision elements = Precision.named(precision);
        if (elements == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--precision must be double or float, not '" + precision + "'");
        }
        java.util.Set<LossCompiler.Derivative> wanted = java.util.EnumSet.noneOf(LossCompiler.Derivative.class);
        for (String d : derivatives) {
            LossCompiler.Derivative named = LossCompiler.Derivative.named(d.strip());
            if (named == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--derivatives takes grad, hvp, jvp and jacobian, not '" + d + "'");
            }
            wanted.add(named);
        }
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        List<LossCompiler.GeneratedClass> generated = new ArrayList<>();
        Map<String, Path> byClass = new HashMap<>();
        int errors = 0;
        for (Path f : files) {
            byte[] bytes = Common.read(spec, f, Limits.MAX_SOURCE_BYTES);
            if (bytes == null) {
                errors++;
                continue;
            }
            LossCompiler.Result r = LossCompiler.compile(f.toString(), bytes, dump.options(packageName).withSimd(simd).withPrecision(elements)
                    .withParallel(parallel).withDerivatives(wanted));
            dump.print(r, out);
            Common.report(r, err);
            errors += r.diagnostics().size();
            if (r.output().isPresent()) {
                LossCompiler.GeneratedClass c = r.output().get();
                // Case-insensitive: on macOS and Windows, Net.java and NET.java are one file.
                Path previous = byClass.putIfAbsent(c.qualifiedName().toLowerCase(Locale.ROOT), f);
                if (previous != null) {
                    err.println(f + ":1:1: error: model " + c.qualifiedName() + " is also generated from " + previous);
                    errors++;
                } else {
                    generated.add(c);
                }
            }
        }
        out.flush();
        if (errors > 0) {
            err.println(Common.count(errors) + "; nothing written");
            err.flush();
            return Main.INPUT_ERRORS;
        }
        List<dev.lossc.OutputFiles.Role> targets = new ArrayList<>();
        for (LossCompiler.GeneratedClass c : generated) {
            targets.add(new dev.lossc.OutputFiles.Role(dir.resolve(c.relativePath()), "the class " + c.qualifiedName()));
        }
        List<dev.lossc.OutputFiles.Role> sources = files.stream().map(f -> new dev.lossc.OutputFiles.Role(f, "the source " + f)).toList();
        if (!Common.outputsWritable(spec, targets, sources)) {
            err.println("nothing written");
            err.flush();
            return Main.INPUT_ERRORS;
        }
        for (LossCompiler.GeneratedClass c : generated) {
            Path target = dir.resolve(c.relativePath());
            try {
                GeneratedFiles.writeIfChanged(target, c.source().getBytes(StandardCharsets.UTF_8));
            } catch (IOException | java.nio.file.InvalidPathException e) {
                err.println("lossc: error: cannot write " + target + ": " + e.getMessage());
                err.flush();
                return Main.INPUT_ERRORS;
            }
        }
        return Main.OK;
    }

}
