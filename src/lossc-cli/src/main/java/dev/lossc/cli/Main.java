package dev.lossc.cli;

import dev.lossc.LossCompiler;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code lossc}: compile, check and evaluate .loss files (LANGUAGE.md section 9). */
@Command(name = "lossc",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Compiles .loss models into allocation-free Java classes that compute a loss and its gradient.",
        subcommands = {CompileCommand.class, CheckCommand.class, EvalCommand.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:the input has errors (nothing is written)", "2:usage error (unknown flag, missing file)"})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static final int OK = 0;
    public static final int INPUT_ERRORS = 1;
    public static final int USAGE = 2;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: compile, check or eval");
    }

    public static void main(String[] args) {
        // A large stack so deeply nested (but valid) expressions parse; deeper ones are diagnosed.
        int[] code = new int[1];
        Thread worker = new Thread(null, () -> code[0] = run(args, new PrintWriter(System.out, true, StandardCharsets.UTF_8),
                new PrintWriter(System.err, true, StandardCharsets.UTF_8)), "lossc", 512L << 20);
        worker.start();
        try {
            worker.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            code[0] = INPUT_ERRORS;
        }
        System.exit(code[0]);
    }

    /** Runs the CLI with the given streams; returns the exit code. Never throws. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            err.println("lossc: internal error: " + e);
            err.flush();
            return INPUT_ERRORS;
        });
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"lossc " + version(), "language version 1"};
        }
    }

    static String version() {
        return LossCompiler.version();
    }
}
