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

    @CommandLine.Mixin
    Common.DumpOptions dump = new Common.DumpOptions();

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        if (paramsFile != null) {
            Weights.format(spec, "--params", paramsFile);
        }
        LossCompiler.Result r = Common.model(spec, file, dump);
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
        // Dropout's masks: from --seed (0 without it), the class's own generator.
        driver.setSeed(seed == null ? 0 : seed);
        double loss = driver.lossAndGradient(inputs);
        double[] gradient = driver.gradient().clone();
        out.println(Json.result(loss, model.params(), gradient, outputs, outputValues, model.states(), driver.states()));
        out.flush();
        return Main.OK;
    }
}
