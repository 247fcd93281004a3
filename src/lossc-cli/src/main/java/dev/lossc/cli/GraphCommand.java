package dev.lossc.cli;

import dev.lossc.Graphs;
import dev.lossc.LossCompiler;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "graph", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        header = "Draws the computation graph of a model, as DOT or as SVG.",
        description = "Inputs, parameters and operations are nodes and data flow is edges, each operation with its .loss line. "
                + "With --values, every node outside loops and functions is annotated with its forward value f and its adjoint "
                + "g = d loss / d f, as the generated class computes them. Writes DOT (-o FILE.dot), or SVG (-o FILE.svg) "
                + "through Graphviz's dot.")
final class GraphCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Parameters(index = "0", paramLabel = "FILE.loss", description = "The model.")
    Path file;

    @CommandLine.Option(names = {"-o", "--output"}, required = true, paramLabel = "GRAPH.dot|GRAPH.svg", description = "Where to write the graph.")
    Path output;

    @CommandLine.Option(names = "--values", paramLabel = "VALUES.json", description = "Inputs and params to annotate the graph at.")
    Path values;

    @CommandLine.Option(names = "--seed", paramLabel = "S", converter = OptionValues.Seed.class,
            description = "Params that neither the values file nor --params gives come from initParameters(S).")
    Long seed;

    @CommandLine.Option(names = "--params", paramLabel = "PARAMS",
            description = "Params from a file: lossc's params JSON, .safetensors, .npz or .npy (values in the values file win).")
    Path paramsFile;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        String name = output.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean svg = name.endsWith(".svg");
        if (!svg && !name.endsWith(".dot") && !name.endsWith(".gv")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "-o must name a .dot (or .gv) or .svg file, but it is " + output);
        }
        List<dev.lossc.OutputFiles.Role> read = new java.util.ArrayList<>(List.of(new dev.lossc.OutputFiles.Role(file, "the model")));
        if (values != null) {
            read.add(new dev.lossc.OutputFiles.Role(values, "the values (--values)"));
        }
        if (paramsFile != null) {
            Weights.format(spec, "--params", paramsFile);
            if (values == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--params annotates the graph at values: give --values too");
            }
            read.add(new dev.lossc.OutputFiles.Role(paramsFile, "the params (--params)"));
        }
        if (!Common.outputsWritable(spec, List.of(new dev.lossc.OutputFiles.Role(output, "the graph (-o)")), read)) {
            return Main.INPUT_ERRORS;
        }
        LossCompiler.Result r = Common.model(spec, file, null);
        if (r == null) {
            return Main.INPUT_ERRORS;
        }
        Map<String, double[]> inputs = null;
        Map<String, double[]> params = new LinkedHashMap<>();
        if (values != null) {
            inputs = new LinkedHashMap<>();
            if (!Common.readValues(spec, values, r.layout().orElseThrow(), inputs, params, seed != null || paramsFile != null)) {
                return Main.INPUT_ERRORS;
            }
            // Every param as every command takes them: --seed, then --params, then the values file.
            dev.lossc.ModelDriver driver = dev.lossc.ModelDriver.load(List.of(r), List.of("-nowarn")).get(0);
            if (!Common.setParameters(spec, driver, values, params, paramsFile, seed)) {
                return Main.INPUT_ERRORS;
            }
            params = new LinkedHashMap<>(driver.parametersByName());
            params.putAll(driver.statesByName());
        }
        // Every param and state is in params already; the seed also draws dropout's masks (version 3).
        String dot = Graphs.dot(r, inputs, params, inputs == null ? null : seed);
        byte[] bytes = dot.getBytes(StandardCharsets.UTF_8);
        if (svg) {
            bytes = render(dot, err);
            if (bytes == null) {
                return Main.INPUT_ERRORS;
            }
        }
        dev.lossc.GeneratedFiles.writeIfChanged(output, bytes);
        return Main.OK;
    }

    /** SVG from DOT through Graphviz's dot, or null (after a message) when it is not installed or fails. */
    private byte[] render(String dot, PrintWriter err) throws IOException, InterruptedException {
        Path exe = Path.of("/usr/bin/dot");
        String command = Files.isExecutable(exe) ? exe.toString() : "dot";
        Process p;
        try {
            p = new ProcessBuilder(command, "-Tsvg").start();
        } catch (IOException e) {
            err.println(output + ": error: SVG needs Graphviz's dot, which is not installed (Debian: apt-get install graphviz); "
                    + "write a .dot file instead and render it elsewhere");
            err.flush();
            return null;
        }
        p.getOutputStream().write(dot.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        byte[] svg = p.getInputStream().readAllBytes();
        String log = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            err.println(output + ": error: Graphviz's dot failed: " + log.strip());
            err.flush();
            return null;
        }
        return svg;
    }
}
