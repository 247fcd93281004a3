package dev.lossc.cli;

import dev.lossc.GradCheck;
import dev.lossc.LossCompiler;
import dev.lossc.ModelDriver;
import dev.lossc.ModelLayout;
import dev.lossc.diag.Limits;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "gradcheck", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Checks the generated gradient against central finite differences of the generated loss, as",
                "torch.autograd.gradcheck does: an entry passes when |analytic - numeric| <= atol + rtol * |numeric|.",
                "Prints the worst entry of each param; exits 0 when all pass, 4 when any fails."})
final class GradcheckCommand implements Callable<Integer> {
    /** The exit code when the check fails (1 stays for bad input). */
    static final int GRADIENT_MISMATCH = 4;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Parameters(index = "0", paramLabel = "FILE.loss", description = "The model.")
    Path file;

    @CommandLine.Option(names = "--values", paramLabel = "VALUES.json",
            description = "Inputs and params to check at (params it leaves out come from initParameters(--seed)). "
                    + "Without it: random inputs (standard normal; ints over their range; varying dims at their maximum) and "
                    + "initParameters(--seed).")
    Path values;

    @CommandLine.Option(names = "--seed", paramLabel = "S", defaultValue = "0",
            description = "Seed of the initial parameters, the random inputs and the sampled positions (default: ${DEFAULT-VALUE}).")
    long seed;

    @CommandLine.Option(names = "--eps", paramLabel = "H", defaultValue = "1e-6", description = "Finite-difference step (default: ${DEFAULT-VALUE}).")
    double eps;

    @CommandLine.Option(names = "--atol", defaultValue = "1e-5", description = "Absolute tolerance (default: ${DEFAULT-VALUE}).")
    double atol;

    @CommandLine.Option(names = "--rtol", defaultValue = "1e-3", description = "Relative tolerance (default: ${DEFAULT-VALUE}).")
    double rtol;

    @CommandLine.Option(names = "--max-per-param", paramLabel = "N", defaultValue = "1000",
            description = "Check at most N elements of each param, drawn with the seed (default: ${DEFAULT-VALUE}).")
    int maxPerParam;

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        if (!(eps > 0) || !(atol >= 0) || !(rtol >= 0) || maxPerParam < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--eps must be positive, --atol and --rtol 0 or more, --max-per-param 1 or more");
        }
        byte[] source = Common.read(spec, file, Limits.MAX_SOURCE_BYTES);
        if (source == null) {
            return Main.INPUT_ERRORS;
        }
        LossCompiler.Result r = Common.compileModel(file, source, null, err);
        if (r == null) {
            return Main.INPUT_ERRORS;
        }
        ModelLayout model = r.layout().orElseThrow();
        Map<String, double[]> inputs = new LinkedHashMap<>();
        Map<String, double[]> params = new LinkedHashMap<>();
        if (values != null) {
            if (!Common.readValues(spec, values, model, inputs, params, true)) {
                return Main.INPUT_ERRORS;
            }
        } else {
            inputs = GradCheck.randomInputs(model, seed);
        }
        ModelDriver driver = ModelDriver.load(List.of(r), List.of("-nowarn")).get(0);
        driver.initParameters(seed);
        driver.setParams(params);
        GradCheck.Settings settings = new GradCheck.Settings(eps, atol, rtol, maxPerParam, seed);
        List<GradCheck.ParamResult> results = GradCheck.run(driver, inputs, settings);
        out.printf(Locale.ROOT, "gradcheck %s at %s, seed %d: eps %s, atol %s, rtol %s%n", model.className(),
                values == null ? "random inputs" : values.toString(), seed, eps, atol, rtol);
        out.printf(Locale.ROOT, "%-16s %9s %8s %8s  %-14s %24s %24s %10s %13s%n", "param", "elements", "checked", "failed", "worst at",
                "analytic", "numeric", "abs error", "of tolerance");
        int failed = 0;
        for (GradCheck.ParamResult p : results) {
            ModelLayout.Slot slot = model.params().stream().filter(s -> s.name().equals(p.name())).findFirst().orElseThrow();
            out.printf(Locale.ROOT, "%-16s %9d %8d %8d  %-14s %24.17g %24.17g %10.2e %13.2e%n", p.name(), p.elements(), p.checked(), p.failed(),
                    position(slot, p.worstIndex()), p.analytic(), p.numeric(), p.absError(), p.share());
            failed += p.failed();
        }
        if (failed == 0) {
            out.println("ok: every checked entry is within atol + rtol * |numeric|");
            out.flush();
            return Main.OK;
        }
        out.printf(Locale.ROOT, "FAILED: %d entries differ from central differences by more than atol + rtol * |numeric|%n", failed);
        out.flush();
        return GRADIENT_MISMATCH;
    }

    /** How an element of a param reads: {@code W[1, 2]}, {@code b[3]}, {@code c}. */
    private static String position(ModelLayout.Slot slot, int k) {
        if (k < 0) {
            return "-";
        }
        if (slot.shape().isScalar()) {
            return slot.name();
        }
        if (slot.shape().isVector()) {
            return slot.name() + "[" + k + "]";
        }
        return slot.name() + "[" + k / slot.shape().cols() + ", " + k % slot.shape().cols() + "]";
    }
}
