package dev.lossc.cli;

import dev.lossc.LossCompiler;
import dev.lossc.ModelDriver;
import dev.lossc.ModelLayout;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "eval", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        header = "Prints the loss and gradient of a model at the given values, as one JSON object.",
        description = "The model is compiled in memory with the same generator as 'compile' and the generated class is run. "
                + "It prints {\"loss\": …, \"gradient\": {…}} with the params in declaration order, then \"outputs\": {…} "
                + "if the model has any. Params come from the values file, --params (any format lossc-runtime reads) and --seed.")
final class EvalCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Parameters(index = "0", paramLabel = "FILE.loss", description = "The model.")
    Path file;

    @CommandLine.Option(names = "--values", required = true, paramLabel = "VALUES.json",
            description = "One JSON object with a value for every input, and for the params that --params and --seed do not give.")
    Path values;

    @CommandLine.Option(names = "--seed", paramLabel = "S", converter = OptionValues.Seed.class,
            description = "Params that neither the values file nor --params gives are filled by initParameters(S).")
    Long seed;

    @CommandLine.Option(names = "--params", paramLabel = "PARAMS",
            description = "Params from a file: lossc's params JSON (what 'lossc train --out' writes), .safetensors, .npz or .npy; "
                    + "values in the values file win.")
    Path paramsFile;

    @CommandLine.Option(names = "--outputs-only",
            description = "Print only the model's outputs, {\"outputs\": {…}}: the values file then needs only the inputs the outputs use "
                    + "(no labels), and no loss or gradient is computed.")
    boolean outputsOnly;

    @CommandLine.Option(names = "--hvp", paramLabel = "DIRECTION.json",
            description = "Also print \"hvp\": the Hessian of the loss times the direction (one value per param, shaped like it), "
                    + "laid out as the gradient.")
    Path hvp;

    @CommandLine.Option(names = "--jvp", paramLabel = "DIRECTION.json",
            description = "Also print \"jvp\": {\"loss\": the loss's derivative along the direction, \"outputs\": each output's}.")
    Path jvp;

    @CommandLine.Option(names = "--jacobian",
            description = "Also print \"jacobian\": for each output, one row per element (row-major), each the gradient of that element "
                    + "in the flat parameter order.")
    boolean jacobian;

    @CommandLine.Mixin
    Common.DumpOptions dump = new Common.DumpOptions();

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        if (paramsFile != null) {
            Weights.format(spec, "--params", paramsFile);
        }
        java.util.Set<LossCompiler.Derivative> derivatives = java.util.EnumSet.noneOf(LossCompiler.Derivative.class);
        if (hvp != null) {
            derivatives.add(LossCompiler.Derivative.HVP);
        }
        if (jvp != null) {
            derivatives.add(LossCompiler.Derivative.JVP);
        }
        if (jacobian) {
            derivatives.add(LossCompiler.Derivative.JACOBIAN);
        }
        if (outputsOnly && !derivatives.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--outputs-only prints only the outputs: it does not go with --hvp, --jvp or --jacobian");
        }
        LossCompiler.Result r = Common.model(spec, file, dump, derivatives);
        if (r == null) {
            return Main.INPUT_ERRORS;
        }
        ModelLayout model = r.layout().orElseThrow();
        if (outputsOnly && model.outputs().isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--outputs-only: " + file + " declares no output");
        }
        java.util.Set<String> needed = new java.util.HashSet<>();
        model.outputs().forEach(o -> needed.addAll(o.inputs()));
        Map<String, double[]> inputs = new LinkedHashMap<>();
        Map<String, double[]> params = new LinkedHashMap<>();
        if (!Common.readValues(spec, values, model, inputs, params, seed != null || paramsFile != null,
                name -> !outputsOnly || needed.contains(name))) {
            return Main.INPUT_ERRORS;
        }
        double[] hvpDirection = hvp == null ? null : Common.readDirection(spec, hvp, model);
        double[] jvpDirection = jvp == null ? null : Common.readDirection(spec, jvp, model);
        if (hvp != null && hvpDirection == null || jvp != null && jvpDirection == null) {
            return Main.INPUT_ERRORS;
        }
        ModelDriver driver = ModelDriver.load(List.of(r), List.of("-nowarn")).get(0);
        if (!Common.setParameters(spec, driver, values, params, paramsFile, seed)) {
            return Main.INPUT_ERRORS;
        }
        // An output sized by a dim that varies per call is printed at the size the inputs gave it.
        java.util.Map<String, Integer> sizes = driver.sizes(inputs);
        List<ModelLayout.Output> outputs = model.outputs().stream()
                .map(o -> new ModelLayout.Output(o.name(), ModelDriver.actualShape(o.shape(), sizes), o.inputs(), o.dims()))
                .toList();
        if (outputsOnly) {
            out.println(Json.outputs(outputs, driver.outputs(inputs)));
            out.flush();
            return Main.OK;
        }
        // The outputs read the states as given; the training call then updates them.
        Map<String, double[]> outputValues = driver.outputs(inputs);
        // Output derivatives are inference calls too: at the states as given.
        Map<String, double[]> outputJvps = new LinkedHashMap<>();
        Map<String, double[][]> jacobians = new LinkedHashMap<>();
        for (ModelLayout.Output o : model.outputs()) {
            if (jvpDirection != null) {
                outputJvps.put(o.name(), driver.outputJvp(o.name(), inputs, jvpDirection));
            }
            if (jacobian) {
                jacobians.put(o.name(), driver.jacobian(o.name(), inputs));
            }
        }
        double[] states = driver.states();
        long masks = seed == null ? 0 : seed;
        // Each training call draws dropout's masks from --seed (0 without it), and starts from the states as given.
        double lossJvp = 0;
        if (jvpDirection != null) {
            driver.setSeed(masks);
            lossJvp = driver.jvp(inputs, jvpDirection);
            driver.restoreStates(states);
        }
        double[] product = null;
        if (hvpDirection != null) {
            driver.setSeed(masks);
            product = driver.hvp(inputs, hvpDirection);
            driver.restoreStates(states);
        }
        driver.setSeed(masks);
        double loss = driver.lossAndGradient(inputs);
        double[] gradient = driver.gradient().clone();
        String json = Json.result(loss, model.params(), gradient, outputs, outputValues, model.states(), driver.states());
        if (product != null || jvpDirection != null || jacobian) {
            json = json.substring(0, json.length() - 1) + Json.derivatives(model.params(), product, jvpDirection == null ? null : lossJvp,
                    outputs, outputJvps, jacobian ? jacobians : null) + "}";
        }
        out.println(json);
        out.flush();
        return Main.OK;
    }
}
