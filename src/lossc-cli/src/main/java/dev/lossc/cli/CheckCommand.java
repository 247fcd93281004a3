package dev.lossc.cli;

import dev.lossc.LossCompiler;
import dev.lossc.diag.Limits;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "check", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        header = "Parses and checks .loss files; prints every error and writes nothing.")
final class CheckCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Parameters(arity = "1..*", paramLabel = "FILE.loss", description = "The files to check.")
    List<Path> files;

    @CommandLine.Mixin
    Common.DumpOptions dump = new Common.DumpOptions();

    @CommandLine.Option(names = "--verify-rules", description = "Also check each def's own gradient (grad(dy) = …) against central "
            + "differences of its body, at " + dev.lossc.RuleCheck.POINTS + " random points drawn with --seed, and warn "
            + "(FILE:LINE:COL: warning: …, exit 0) for each that disagrees, with the largest difference: a straight-through "
            + "estimator disagrees on purpose. Rules that agree print nothing.")
    boolean verifyRules;

    @CommandLine.Option(names = "--seed", paramLabel = "S", description = "With --verify-rules, the seed of the random points (default: 0).")
    long seed;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        int errors = 0;
        for (Path f : files) {
            byte[] bytes = Common.read(spec, f, Limits.MAX_SOURCE_BYTES);
            if (bytes == null) {
                errors++;
                continue;
            }
            LossCompiler.Result r = LossCompiler.check(f.toString(), bytes, dump.options(""));
            dump.print(r, out);
            Common.report(r, err);
            errors += r.diagnostics().size();
            if (verifyRules && r.ok()) {
                try {
                    for (var w : LossCompiler.verifyRules(r, seed)) {
                        err.print(w.render(r.source()));
                    }
                } catch (dev.lossc.InMemoryJavaCompiler.CompilationFailed e) {
                    throw new IllegalStateException("javac rejected the generated code", e);
                }
                err.flush();
            }
        }
        out.flush();
        return errors == 0 ? Main.OK : Main.INPUT_ERRORS;
    }
}
