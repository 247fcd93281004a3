package dev.lossc.cli;

import dev.lossc.LossCompiler;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/** Options and helpers shared by the subcommands. */
final class Common {
    private Common() {}

    /** {@code --dump ast|ir|adjoint}, repeatable. */
    static final class DumpOptions {
        @CommandLine.Option(names = "--dump", paramLabel = "ast|ir|adjoint",
                description = "Print a pipeline stage: ast, ir (normalized primal program) or adjoint (the backward program). Repeatable.")
        List<LossCompiler.Dump> dumps = new ArrayList<>();

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

    /** A usage error (exit 2): the file is missing or unreadable. */
    static byte[] read(CommandLine.Model.CommandSpec spec, Path file) {
        try {
            if (Files.isDirectory(file)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "not a file: " + file);
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "no such file: " + file);
        } catch (IOException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "cannot read " + file + ": " + e.getMessage());
        }
    }

    static void report(LossCompiler.Result r, PrintWriter err) {
        err.print(r.render());
        err.flush();
    }

    static String count(int errors) {
        return errors == 1 ? "1 error" : errors + " errors";
    }
}
