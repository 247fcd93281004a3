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
        description = "Compiles .loss models into allocation-free Java classes that compute a loss and its gradient, "
                + "and evaluates, checks, draws and trains them.",
        subcommands = {CompileCommand.class, CheckCommand.class, EvalCommand.class, GradcheckCommand.class, TrainCommand.class, GraphCommand.class, ReportCommand.class, CommandLine.HelpCommand.class},
        commandListHeading = "%nCommands:%n")
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static final int OK = 0;
    public static final int INPUT_ERRORS = 1;
    public static final int USAGE = 2;
    public static final int INTERNAL_ERROR = 3;
    /** A gradient check that failed ({@code gradcheck}). */
    public static final int GRADIENT_MISMATCH = 4;

    /** Every exit code, as each command's help lists them. */
    private static final java.util.Map<String, String> EXIT_CODES = exitCodes();

    private static java.util.Map<String, String> exitCodes() {
        java.util.Map<String, String> codes = new java.util.LinkedHashMap<>();
        codes.put("0", "Success.");
        codes.put("1", "The input has errors, is over a limit or too large for the heap, an output file cannot be written, "
                + "or training diverged; nothing half-written is left.");
        codes.put("2", "Usage error: an unknown option, a bad option value, a missing file.");
        codes.put("3", "Internal error: a bug in lossc.");
        codes.put("4", "gradcheck: the gradient differs from central differences, or nothing could be checked.");
        return codes;
    }

    /** The first failure of any thread that nothing caught; it decides the exit code. */
    private static volatile Throwable uncaught;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: compile, check, eval, gradcheck, train or graph");
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
            cl.setParameterExceptionHandler(Main::usageError);
            describeExitCodes(cl);
            cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> failed(e, err));
            code = cl.execute(args);
        } catch (Throwable e) {
            code = failed(e, err);
        }
        out.flush();
        err.flush();
        return code;
    }

    /** Every command's help ends with the list of exit codes. */
    private static void describeExitCodes(CommandLine cl) {
        cl.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(EXIT_CODES);
        for (CommandLine sub : cl.getSubcommands().values()) {
            if (!(sub.getCommand() instanceof CommandLine.HelpCommand)) {
                describeExitCodes(sub);
            }
        }
    }

    /**
     * A usage error in one line and a hint, as GNU tools and picocli's own short handler do:
     * {@code lossc train: error: …} then {@code Try 'lossc train --help' for more information.}, not
     * the whole usage text.
     */
    private static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        String name = cmd.getCommandSpec().qualifiedName();
        err.println(name + ": error: " + e.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
        err.println("Try '" + name + " --help' for more information.");
        err.flush();
        return USAGE;
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
