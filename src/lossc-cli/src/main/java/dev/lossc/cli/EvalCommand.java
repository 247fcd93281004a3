package dev.lossc.cli;

import dev.lossc.LossCompiler;
import dev.lossc.ModelDriver;
import dev.lossc.ModelLayout;
import dev.lossc.diag.Limits;
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
                + "if the model has any.")
final class EvalCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Parameters(index = "0", paramLabel = "FILE.loss", description = "The model.")
    Path file;

    @CommandLine.Option(names = "--values", required = true, paramLabel = "VALUES.json",
            description = "One JSON object with a value for every input and param.")
    Path values;

    @CommandLine.Option(names = "--seed", paramLabel = "S",
            description = "Parameters the values file leaves out are filled by initParameters(S); inputs are always required.")
    Long seed;

    @CommandLine.Option(names = "--params", paramLabel = "PARAMS.json",
            description = "Every param's value (as 'lossc train --out' writes them); the values file then needs only the inputs.")
    Path paramsFile;

    @CommandLine.Mixin
    Common.DumpOptions dump = new Common.DumpOptions();

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        byte[] source = Common.read(spec, file, Limits.MAX_SOURCE_BYTES);
        if (source == null) {
            return Main.INPUT_ERRORS;
        }
        LossCompiler.Result r = Common.compileModel(file, source, dump, err);
        if (r == null) {
            return Main.INPUT_ERRORS;
        }
        ModelLayout model = r.layout().orElseThrow();
        Map<String, double[]> inputs = new LinkedHashMap<>();
        Map<String, double[]> params = new LinkedHashMap<>();
        if (!Common.readValues(spec, values, model, inputs, params, seed != null || paramsFile != null)
                || (paramsFile != null && !Common.readParams(spec, paramsFile, model, params, false))) {
            return Main.INPUT_ERRORS;
        }
        ModelDriver driver = ModelDriver.load(List.of(r), List.of("-nowarn")).get(0);
        if (seed != null) {
            driver.initParameters(seed);
        }
        driver.setParams(params);
        double loss = driver.lossAndGradient(inputs);
        double[] gradient = driver.gradient().clone();
        // An output sized by a dim that varies per call is printed at the size the inputs gave it.
        java.util.Map<String, Integer> sizes = driver.sizes(inputs);
        java.util.List<dev.lossc.ModelLayout.Output> outputs = model.outputs().stream()
                .map(o -> new dev.lossc.ModelLayout.Output(o.name(), dev.lossc.ModelDriver.actualShape(o.shape(), sizes), o.inputs(), o.dims()))
                .toList();
        out.println(Json.result(loss, model.params(), gradient, outputs, driver.outputs(inputs)));
        out.flush();
        return Main.OK;
    }
}
