package dev.lossc.cli;

import dev.lossc.GradCheck;
import dev.lossc.LossCompiler;
import dev.lossc.ModelDriver;
import dev.lossc.ModelLayout;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "gradcheck", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        header = "Checks the generated gradient against central finite differences of the generated loss.",
        description = "Judges every checked entry as torch.autograd.gradcheck does: it passes when |analytic - numeric| <= "
                + "atol + rtol * |numeric|. Prints the worst entry of each param and how many checked entries were 0 on both "
                + "sides; exits 0 when all pass, 4 when one fails or when every checked entry of a param is 0 (such a check "
                + "tests nothing: try another --seed or a values file, or give --allow-zero).")
final class GradcheckCommand implements Callable<Integer> {
    /** The exit code when the check fails (1 stays for bad input). */
    static final int GRADIENT_MISMATCH = Main.GRADIENT_MISMATCH;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Parameters(index = "0", paramLabel = "FILE.loss", description = "The model.")
    Path file;

    @CommandLine.Option(names = "--values", paramLabel = "VALUES.json",
            description = "Inputs and params to check at (params it leaves out come from --params or, with --seed, initParameters). "
                    + "Without it: random inputs (standard normal; ints over their range; varying dims at their maximum) and "
                    + "initParameters(--seed).")
    Path values;

    @CommandLine.Option(names = "--params", paramLabel = "PARAMS",
            description = "Params from a file: lossc's params JSON, .safetensors, .npz or .npy (values in the values file win).")
    Path paramsFile;

    @CommandLine.Option(names = "--seed", paramLabel = "S", converter = OptionValues.Seed.class,
            description = "Seed of the sampled positions and of the random inputs, and initParameters(S) for the params no file gives "
                    + "(default: 0 without --values; with --values, params must then come from the files).")
    Long seedOption;

    long seed;

    @CommandLine.Option(names = "--eps", paramLabel = "H", defaultValue = "1e-6", converter = OptionValues.Positive.class,
            description = "Finite-difference step, a finite number above 0 (default: ${DEFAULT-VALUE}).")
    double eps;

    @CommandLine.Option(names = "--atol", paramLabel = "A", defaultValue = "1e-5", converter = OptionValues.NonNegative.class,
            description = "Absolute tolerance, a finite number of 0 or more (default: ${DEFAULT-VALUE}).")
    double atol;

    @CommandLine.Option(names = "--rtol", paramLabel = "R", defaultValue = "1e-3", converter = OptionValues.NonNegative.class,
            description = "Relative tolerance, a finite number of 0 or more (default: ${DEFAULT-VALUE}).")
    double rtol;

    @CommandLine.Option(names = "--max-per-param", paramLabel = "N", defaultValue = "1000", converter = OptionValues.AtLeastOne.class,
            description = "Check at most N elements of each param, drawn with the seed (default: ${DEFAULT-VALUE}).")
    int maxPerParam;

    @CommandLine.Option(names = "--hvp",
            description = "Check the class's Hessian-vector product instead (compiled with --derivatives hvp): along random directions "
                    + "(drawn with the seed), against central differences of its gradient, (g(p + eps v) - g(p - eps v)) / 2 eps, every "
                    + "entry judged as the gradient's.")
    boolean hvp;

    @CommandLine.Option(names = "--directions", paramLabel = "N", defaultValue = "3", converter = OptionValues.AtLeastOne.class,
            description = "With --hvp, how many random directions (default: ${DEFAULT-VALUE}).")
    int directions;

    @CommandLine.Option(names = "--allow-zero",
            description = "Pass a param whose every checked entry is 0 on both sides, instead of failing.")
    boolean allowZero;

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        seed = seedOption == null ? 0 : seedOption;
        if (paramsFile != null) {
            Weights.format(spec, "--params", paramsFile);
        }
        LossCompiler.Result r = Common.model(spec, file, null,
                hvp ? java.util.Set.of(LossCompiler.Derivative.HVP) : java.util.Set.of());
        if (r == null) {
            return Main.INPUT_ERRORS;
        }
        ModelLayout model = r.layout().orElseThrow();
        Map<String, double[]> inputs = new LinkedHashMap<>();
        Map<String, double[]> params = new LinkedHashMap<>();
        // Random mode: every param from initParameters(seed), as --seed 0 by default.
        Long fill = values == null ? (Long) seed : seedOption;
        if (values != null) {
            if (!Common.readValues(spec, values, model, inputs, params, fill != null || paramsFile != null)) {
                return Main.INPUT_ERRORS;
            }
        } else {
            inputs = GradCheck.randomInputs(model, seed);
        }
        ModelDriver driver = ModelDriver.load(List.of(r), List.of("-nowarn")).get(0);
        if (!Common.setParameters(spec, driver, values, params, paramsFile, fill)) {
            return Main.INPUT_ERRORS;
        }
        GradCheck.Settings settings = new GradCheck.Settings(eps, atol, rtol, maxPerParam, seed);
        List<GradCheck.ParamResult> results = hvp ? GradCheck.runHvp(driver, inputs, settings, directions) : GradCheck.run(driver, inputs, settings);
        out.printf(Locale.ROOT, "gradcheck%s %s at %s, seed %d: eps %s, atol %s, rtol %s%s%n", hvp ? " --hvp" : "", model.className(),
                values == null ? "random inputs" : values.toString(), seed, eps, atol, rtol, hvp ? ", " + directions + " directions" : "");
        out.printf(Locale.ROOT, "%-16s %9s %8s %8s %8s  %-14s %24s %24s %10s %13s%n", "param", "elements", "checked", "failed", "zero",
                "worst at", "analytic", "numeric", "abs error", "of tolerance");
        int failed = 0;
        int zeros = 0;
        List<String> unchecked = new java.util.ArrayList<>();
        for (GradCheck.ParamResult p : results) {
            ModelLayout.Slot slot = model.params().stream().filter(s -> s.name().equals(p.name())).findFirst().orElseThrow();
            out.printf(Locale.ROOT, "%-16s %9d %8d %8d %8d  %-14s %24.17g %24.17g %10.2e %13.2e%n", p.name(), p.elements(), p.checked(),
                    p.failed(), p.zeros(), position(slot, p.worstIndex()), p.analytic(), p.numeric(), p.absError(), p.share());
            failed += p.failed();
            zeros += p.zeros();
            if (p.allZero()) {
                unchecked.add(p.name());
            }
        }
        if (zeros > 0) {
            out.printf(Locale.ROOT, "%d checked %s 0 on both sides (analytic and numeric): %s nothing%n", zeros,
                    zeros == 1 ? "entry was" : "entries were", zeros == 1 ? "it tests" : "they test");
        }
        if (failed > 0) {
            out.printf(Locale.ROOT, "FAILED: %d entries differ from central differences%s by more than atol + rtol * |numeric|%n", failed,
                    hvp ? " of the gradient" : "");
            out.flush();
            return GRADIENT_MISMATCH;
        }
        if (!unchecked.isEmpty() && !allowZero) {
            out.printf(Locale.ROOT, "FAILED: every checked entry of %s is 0 on both sides, so nothing was checked; "
                    + "try another --seed or a values file with other inputs or params (or give --allow-zero)%n", String.join(", ", unchecked));
            out.flush();
            return GRADIENT_MISMATCH;
        }
        out.println("ok: every checked entry is within atol + rtol * |numeric|");
        out.flush();
        return Main.OK;
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
        int[] at = slot.shape().position(k);
        return slot.name() + java.util.Arrays.toString(at);
    }
}
