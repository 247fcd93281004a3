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
        }
        out.flush();
        return errors == 0 ? Main.OK : Main.INPUT_ERRORS;
    }
}
