package dev.lossc.cli;

import dev.lossc.LossCompiler;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code lossc}: compile, check and evaluate .loss files (docs/language.md section 9). */
@Command(name = "lossc",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Compiles .loss models into allocation-free Java classes that compute a loss and its gradient.",
        subcommands = {CompileCommand.class, CheckCommand.class, EvalCommand.class, GradcheckCommand.class, TrainCommand.class, GraphCommand.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:the input has errors, or is too large to compile (nothing is written)",
                "2:usage error (unknown flag, missing file)", "3:internal error: a bug in lossc"})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static final int OK = 0;
    public static final int INPUT_ERRORS = 1;
    public static final int USAGE = 2;
    public static final int INTERNAL_ERROR = 3;

    /** The first failure of any thread that nothing caught; it decides the exit code. */
    private static volatile Throwable uncaught;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: compile, check or eval");
    }

    public static void main(String[] args) {
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        // A failure on any thread (the compiler's, javac's in eval) must reach the exit code.
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> {
            if (uncaught == null) {
                uncaught = e;
            }
        });
        int code = run(args, new PrintWriter(System.out, true, StandardCharsets.UTF_8), err);
        Throwable failure = uncaught;
        if (failure != null && code == OK) {
            code = failed(failure, err);
        }
        System.out.flush();
        err.flush();
        System.exit(code);
    }

    /** Runs the CLI with the given streams; returns the exit code. Never throws. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        int code;
        try {
            CommandLine cl = new CommandLine(new Main());
            cl.setOut(out);
            cl.setErr(err);
            cl.setCaseInsensitiveEnumValuesAllowed(true);
            cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> failed(e, err));
            code = cl.execute(args);
        } catch (Throwable e) {
            code = failed(e, err);
        }
        out.flush();
        err.flush();
        return code;
    }

    /** One line for a failure nothing else handled: out of memory is the input's size, the rest is a bug. */
    private static int failed(Throwable e, PrintWriter err) {
        if (e instanceof OutOfMemoryError) {
            err.println("lossc: error: out of memory: the input is too large for this JVM's heap (raise it with -Xmx)");
            err.flush();
            return INPUT_ERRORS;
        }
        if (e instanceof StackOverflowError) {
            err.println("lossc: error: out of stack: the input is too deeply nested");
            err.flush();
            return INPUT_ERRORS;
        }
        err.println("lossc: internal error: " + e);
        err.flush();
        return INTERNAL_ERROR;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"lossc " + version(), "language versions 1 and 2"};
        }
    }

    static String version() {
        return LossCompiler.version();
    }
}
