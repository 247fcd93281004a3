package dev.lossc.cli;

import dev.lossc.GeneratedFiles;
import dev.lossc.LossCompiler;
import dev.lossc.ModelDriver;
import dev.lossc.ModelLayout;
import dev.lossc.OutputFiles;
import dev.lossc.SourceFiles;
import dev.lossc.diag.Limits;
import dev.lossc.runtime.Adagrad;
import dev.lossc.runtime.Adam;
import dev.lossc.runtime.Optimizer;
import dev.lossc.runtime.RmsProp;
import dev.lossc.runtime.Schedule;
import dev.lossc.runtime.Sgd;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "train", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        header = "Trains a model on CSV data with mini-batches and an optimizer of lossc-runtime.",
        description = "Trains the model with torch.optim's update rules and prints, after every epoch, the training and "
                + "validation loss (and the accuracy, when the model has an output that scores int labels). With --out, the "
                + "parameters are written after every epoch, atomically, in the format 'lossc eval --params' reads. With --sweep, "
                + "every combination of the values given is trained and ranked, and --out receives the best run's parameters. "
                + "Training stops with exit code 1 when the loss stops being finite; the parameters of the last finite epoch "
                + "stay in --out.")
final class TrainCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Parameters(index = "0", paramLabel = "FILE.loss", description = "The model.")
    Path file;

    @CommandLine.Option(names = "--data", required = true, paramLabel = "DATA.csv",
            description = "Training data: a header row naming each input's columns (x[0], x[1], label, …), then one example per row.")
    Path data;

    @CommandLine.Option(names = "--validate", paramLabel = "VAL.csv", description = "Validation data, in the same columns.")
    Path validate;

    @CommandLine.Option(names = "--holdout", paramLabel = "SHARE", converter = OptionValues.Share.class,
            description = "Hold out this share of the data (drawn with the seed) for validation, instead of --validate.")
    Double holdout;

    @CommandLine.Option(names = "--optimizer", paramLabel = "NAME", defaultValue = "sgd", converter = OptimizerName.class,
            description = "sgd, adagrad, rmsprop, adam or adamw (default: ${DEFAULT-VALUE}).")
    String optimizer;

    @CommandLine.Option(names = "--lr", paramLabel = "RATE", converter = OptionValues.NonNegative.class,
            description = "The learning rate, a finite number of 0 or more (default: 0.01; 0.001 for adam and adamw, as torch.optim).")
    Double lr;

    @CommandLine.Option(names = "--momentum", paramLabel = "M", defaultValue = "0", converter = OptionValues.Momentum.class,
            description = "Momentum of sgd and rmsprop, from 0 to 1 (default: ${DEFAULT-VALUE}).")
    double momentum;

    @CommandLine.Option(names = "--nesterov", description = "Nesterov momentum (sgd).")
    boolean nesterov;

    @CommandLine.Option(names = "--weight-decay", paramLabel = "L2", converter = OptionValues.NonNegative.class,
            description = "Weight decay, a finite number of 0 or more (default: 0; 0.01 for adamw).")
    Double weightDecay;

    @CommandLine.Option(names = "--schedule", paramLabel = "S", defaultValue = "constant", converter = ScheduleSpec.Converter.class,
            description = "constant, step:N:GAMMA (the rate times GAMMA every N epochs; N of 1 or more, GAMMA above 0) or "
                    + "cosine[:MIN] (annealed to MIN over the epochs; MIN from 0 to the rate) (default: ${DEFAULT-VALUE}).")
    ScheduleSpec schedule;

    @CommandLine.Option(names = "--epochs", paramLabel = "N", defaultValue = "10", converter = OptionValues.AtLeastOne.class,
            description = "Epochs, 1 or more (default: ${DEFAULT-VALUE}).")
    int epochs;

    @CommandLine.Option(names = "--batch", paramLabel = "N|all", defaultValue = "32", converter = BatchSize.class,
            description = "Rows per optimizer step, 1 or more, or all; a last partial batch is used (default: ${DEFAULT-VALUE}).")
    String batch;

    @CommandLine.Option(names = "--seed", paramLabel = "S", defaultValue = "0", converter = OptionValues.Seed.class,
            description = "Seed of initParameters, the shuffles and the hold-out split (default: ${DEFAULT-VALUE}).")
    long seed;

    @CommandLine.Option(names = "--out", paramLabel = "PARAMS.json", description = "Where to write the trained parameters.")
    Path out;

    @CommandLine.Option(names = "--init", paramLabel = "VALUES.json",
            description = "Start from these parameters (a params file, or a values file whose inputs are skipped) instead of "
                    + "initParameters(--seed).")
    Path init;

    @CommandLine.Option(names = "--every", paramLabel = "N", defaultValue = "1", converter = OptionValues.AtLeastOne.class,
            description = "Print every N-th epoch, and the first and the last (default: ${DEFAULT-VALUE}).")
    int every;

    @CommandLine.Option(names = "--plot", paramLabel = "CURVE.svg",
            description = "Draw the loss per epoch as SVG: the training and validation loss, or one curve per combination of a sweep.")
    Path plot;

    @CommandLine.Option(names = "--sweep", paramLabel = "KEY=V1,V2,…", converter = Sweep.Converter.class,
            description = "Train every combination (keys: lr, batch, optimizer, epochs, momentum, weight-decay); repeatable.")
    List<Sweep> sweeps = new ArrayList<>();

    @CommandLine.Option(names = "--allow-nonfinite",
            description = "Go on training when the loss or the parameters stop being finite, instead of stopping with exit code 1.")
    boolean allowNonfinite;

    /** One training configuration. */
    record Config(String optimizer, double lr, String batch, int epochs, double momentum, Double weightDecay) {
        String describe(List<String> keys) {
            List<String> parts = new ArrayList<>();
            for (String k : keys) {
                parts.add(k + "=" + switch (k) {
                    case "lr" -> fmt(lr);
                    case "batch" -> batch;
                    case "optimizer" -> optimizer;
                    case "epochs" -> Integer.toString(epochs);
                    case "momentum" -> fmt(momentum);
                    case "weight-decay" -> weightDecay == null ? "default" : fmt(weightDecay);
                    default -> throw new IllegalStateException("sweep key " + k);
                });
            }
            return String.join(" ", parts);
        }
    }

    /**
     * A finished run: its configuration, its epochs, its parameters at the end, and, if it diverged,
     * where (then its epochs are those that finished).
     */
    record Run(Config config, List<Trainer.Epoch> epochs, double[] parameters, Trainer.Diverged diverged) {
        Trainer.Epoch last() {
            return epochs.isEmpty() ? null : epochs.get(epochs.size() - 1);
        }

        /** What the sweep ranks by: the last epoch's validation loss (training loss without validation data); a diverged run last. */
        double score(boolean validated) {
            Trainer.Epoch e = last();
            if (diverged != null || e == null) {
                return Double.POSITIVE_INFINITY;
            }
            double v = validated ? e.validationLoss() : e.trainLoss();
            return Double.isNaN(v) ? Double.POSITIVE_INFINITY : v;
        }
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (holdout != null && validate != null) {
            throw usage("--holdout and --validate are alternatives: give one");
        }
        List<String> keys = sweepKeys();
        List<Config> configs = configs(keys);
        if (!outputsChecked()) {
            return Main.INPUT_ERRORS;
        }
        // Every output is locked before any work starts: a second run on the same --out fails at once.
        List<OutputFiles.Lock> locks = new ArrayList<>();
        try {
            for (Path p : outputs()) {
                try {
                    locks.add(OutputFiles.lock(p));
                } catch (IOException e) {
                    err.println(p + ": error: " + e.getMessage() + (e instanceof OutputFiles.Locked ? " [W006]" : " [W005]"));
                    err.flush();
                    return Main.INPUT_ERRORS;
                }
            }
            return train(configs, keys, o, err);
        } finally {
            for (OutputFiles.Lock l : locks) {
                l.close();
            }
        }
    }

    private List<Path> outputs() {
        List<Path> paths = new ArrayList<>();
        if (out != null) {
            paths.add(out);
        }
        if (plot != null) {
            paths.add(plot);
        }
        return paths;
    }

    /** The outputs under lossc's policy, against the inputs this command reads. */
    private boolean outputsChecked() {
        if (plot != null && !plot.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".svg")) {
            throw usage("--plot must name an .svg file, but it is " + plot);
        }
        List<OutputFiles.Role> outs = new ArrayList<>();
        if (out != null) {
            outs.add(new OutputFiles.Role(out, "the parameters (--out)"));
        }
        if (plot != null) {
            outs.add(new OutputFiles.Role(plot, "the plot (--plot)"));
        }
        List<OutputFiles.Role> ins = new ArrayList<>();
        ins.add(new OutputFiles.Role(file, "the model"));
        ins.add(new OutputFiles.Role(data, "the training data (--data)"));
        if (validate != null) {
            ins.add(new OutputFiles.Role(validate, "the validation data (--validate)"));
        }
        if (init != null) {
            ins.add(new OutputFiles.Role(init, "the initial parameters (--init)"));
        }
        return Common.outputsWritable(spec, outs, ins);
    }

    private int train(List<Config> configs, List<String> keys, PrintWriter o, PrintWriter err) throws Exception {
        byte[] source = Common.read(spec, file, Limits.MAX_SOURCE_BYTES);
        if (source == null) {
            return Main.INPUT_ERRORS;
        }
        // Checked as every command checks its inputs (only regular files, a bounded size); then streamed.
        for (Path p : validate == null ? List.of(data) : List.of(data, validate)) {
            if (!java.nio.file.Files.exists(p)) {
                throw usage("no such file: " + p);
            }
            var problem = SourceFiles.problem(p, p.toString(), Limits.MAX_DATA_BYTES);
            if (problem != null) {
                err.println(problem.headline());
                err.flush();
                return Main.INPUT_ERRORS;
            }
        }
        LossCompiler.Result r = Common.compileModel(file, source, null, err);
        if (r == null) {
            return Main.INPUT_ERRORS;
        }
        ModelLayout model = r.layout().orElseThrow();
        CsvData train;
        CsvData validation = null;
        Path reading = data;
        try {
            train = CsvData.read(data, model);
            if (validate != null) {
                reading = validate;
                validation = CsvData.read(validate, model);
            }
        } catch (CsvData.Problem p) {
            err.println(reading + (p.line > 0 ? ":" + p.line : "") + ": error: " + p.getMessage());
            err.flush();
            return Main.INPUT_ERRORS;
        } catch (java.nio.charset.CharacterCodingException e) {
            err.println(reading + ": error: not UTF-8 text (invalid byte sequence)");
            err.flush();
            return Main.INPUT_ERRORS;
        }
        if (holdout != null) {
            CsvData[] split = train.split(holdout, seed);
            if (split == null) {
                err.println(data + ": error: --holdout " + holdout + " of " + train.rows + " rows leaves no row on one side");
                err.flush();
                return Main.INPUT_ERRORS;
            }
            train = split[0];
            validation = split[1];
        }
        Map<String, double[]> initial = null;
        if (init != null) {
            initial = new LinkedHashMap<>();
            if (!Common.readParams(spec, init, model, initial, true)) {
                return Main.INPUT_ERRORS;
            }
        }
        startFrom = initial;
        ModelDriver driver = ModelDriver.load(List.of(r), List.of("-nowarn")).get(0);
        boolean sweeping = configs.size() > 1;
        boolean validated = validation != null;
        List<Run> runs = new ArrayList<>();
        Run best = null;
        for (Config c : configs) {
            if (sweeping) {
                o.println("== " + c.describe(keys));
            }
            Run run = train(driver, model, c, train, validation, sweeping ? null : out, sweeping, o);
            runs.add(run);
            if (run.diverged() != null) {
                String where = run.diverged().describe() + " (lr " + fmt(schedule.schedule(c.epochs()).at(c.lr(), run.diverged().epoch - 1)) + ")";
                if (!sweeping) {
                    o.flush();
                    err.println(file + ": error: training diverged: " + where + "; stopped. "
                            + (out == null ? "" : run.epochs().isEmpty() ? out + " was not written. "
                            : out + " holds the parameters of epoch " + run.epochs().size() + ". ")
                            + "Lower --lr, or give --allow-nonfinite to go on.");
                    err.flush();
                    writePlot(model, runs, keys, validated, o);
                    return Main.INPUT_ERRORS;
                }
                o.println("diverged: " + where + "; this run stops, the sweep goes on");
            }
            // A sweep's --out gets the best run so far: an interrupted sweep keeps the best finished one.
            if (sweeping && out != null && run.diverged() == null && (best == null || run.score(validated) < best.score(validated))) {
                best = run;
                GeneratedFiles.writeIfChanged(out, Json.params(model.params(), run.parameters()).getBytes(StandardCharsets.UTF_8));
            }
        }
        if (sweeping) {
            List<Run> ranked = table(runs, keys, validated, o);
            if (out != null) {
                if (best == null) {
                    o.flush();
                    err.println(file + ": error: every run of the sweep diverged; " + out + " was not written");
                    err.flush();
                    writePlot(model, runs, keys, validated, o);
                    return Main.INPUT_ERRORS;
                }
                o.println("out: " + out + " holds the parameters of the run ranked 1 (" + ranked.get(0).config().describe(keys) + ")");
            }
        }
        writePlot(model, runs, keys, validated, o);
        o.flush();
        return Main.OK;
    }

    private void writePlot(ModelLayout model, List<Run> runs, List<String> keys, boolean validated, PrintWriter o) throws IOException {
        if (plot == null) {
            return;
        }
        GeneratedFiles.writeIfChanged(plot, LossPlot.svg(model.className() + (runs.size() > 1 ? ": sweep" : ""),
                curves(runs, keys, validated)));
        o.println("plot: " + plot);
    }

    /** The parameters every run starts from (--init), or null for initParameters(--seed). */
    private Map<String, double[]> startFrom;

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    private Run train(ModelDriver driver, ModelLayout model, Config c, CsvData train, CsvData validation, Path outFile, boolean sweeping,
                      PrintWriter o) throws IOException {
        driver.initParameters(seed);
        if (startFrom != null) {
            driver.setParams(startFrom);
        }
        int n = driver.parameters().length;
        Optimizer opt = optimizer(c, n);
        int rows = c.batch().equals("all") ? train.rows : Integer.parseInt(c.batch());
        Trainer trainer = new Trainer(driver, train, validation, opt, schedule.schedule(c.epochs()), rows, seed, !allowNonfinite);
        if (trainer.accuracyDescription() != null && !sweeping) {
            o.println("accuracy: " + trainer.accuracyDescription() + (validation != null ? ", on the validation data" : ", on the training data"));
        }
        List<Trainer.Epoch> done = new ArrayList<>();
        boolean bar = System.console() != null;
        try (ProgressBar pb = bar ? new ProgressBarBuilder().setTaskName("training").setInitialMax(c.epochs())
                .setStyle(ProgressBarStyle.ASCII).continuousUpdate().build() : null) {
            for (int e = 0; e < c.epochs(); e++) {
                Trainer.Epoch ep;
                try {
                    ep = trainer.epoch(e);
                } catch (Trainer.Diverged d) {
                    return new Run(c, done, driver.parameters().clone(), d);
                }
                done.add(ep);
                if (outFile != null) {
                    // After every epoch, atomically: an interrupted run keeps the last finished epoch's parameters.
                    GeneratedFiles.writeIfChanged(outFile, Json.params(model.params(), driver.parameters()).getBytes(StandardCharsets.UTF_8));
                }
                if (e == 0 || (e + 1) % every == 0 || e == c.epochs() - 1) {
                    o.println(line(ep, c.epochs()));
                    o.flush();
                }
                if (pb != null) {
                    pb.step();
                    pb.setExtraMessage("loss " + fmt(ep.trainLoss()));
                }
            }
        }
        return new Run(c, done, driver.parameters().clone(), null);
    }

    private static String line(Trainer.Epoch e, int epochs) {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "epoch %d/%d  lr %s  train loss %s", e.number() + 1, epochs,
                fmt(e.learningRate()), fmt(e.trainLoss())));
        if (!Double.isNaN(e.validationLoss())) {
            s.append("  validation loss ").append(fmt(e.validationLoss()));
        }
        if (!Double.isNaN(e.accuracy())) {
            s.append(String.format(Locale.ROOT, "  accuracy %.4f", e.accuracy()));
        }
        return s.toString();
    }

    static String fmt(double v) {
        return dev.lossc.Graphs.fmt(v);
    }

    private Optimizer optimizer(Config c, int n) {
        double wd = c.weightDecay() != null ? c.weightDecay() : c.optimizer().equals("adamw") ? 0.01 : 0;
        return switch (c.optimizer()) {
            case "sgd" -> new Sgd(n, c.lr(), c.momentum(), 0, wd, nesterov);
            case "adagrad" -> new Adagrad(n, c.lr(), 0, wd, 0, 1e-10);
            case "rmsprop" -> new RmsProp(n, c.lr(), 0.99, 1e-8, wd, c.momentum(), false);
            case "adam" -> new Adam(n, c.lr(), 0.9, 0.999, 1e-8, wd, false, false);
            case "adamw" -> new Adam(n, c.lr(), 0.9, 0.999, 1e-8, wd, true, false);
            default -> throw new IllegalStateException("optimizer " + c.optimizer() + " passed the converter");
        };
    }

    private List<String> sweepKeys() {
        List<String> keys = new ArrayList<>();
        for (Sweep s : sweeps) {
            if (keys.contains(s.key())) {
                throw usage("--sweep " + s.key() + " is given twice");
            }
            keys.add(s.key());
        }
        return keys;
    }

    /** The configurations to train: the options as given, or every combination of the sweeps' values. */
    private List<Config> configs(List<String> keys) {
        Config base = new Config(optimizer, lr != null ? lr : defaultRate(optimizer), batch, epochs, momentum, weightDecay);
        List<Config> all = new ArrayList<>(List.of(base));
        for (Sweep s : sweeps) {
            List<Config> next = new ArrayList<>();
            for (Config c : all) {
                for (String v : s.values()) {
                    next.add(with(c, s.key(), v, keys));
                }
            }
            all = next;
        }
        for (Config c : all) {
            String problem = schedule.problem(c.lr(), c.epochs());
            if (problem != null) {
                throw usage("--schedule " + schedule + ": " + problem + (all.size() > 1 ? " (with " + c.describe(keys) + ")" : ""));
            }
        }
        return all;
    }

    /** {@code c} with one swept value; the value passed its key's converter already. */
    private Config with(Config c, String key, String v, List<String> keys) {
        return switch (key) {
            case "lr" -> new Config(c.optimizer(), Double.parseDouble(v), c.batch(), c.epochs(), c.momentum(), c.weightDecay());
            case "batch" -> new Config(c.optimizer(), c.lr(), v, c.epochs(), c.momentum(), c.weightDecay());
            case "optimizer" -> {
                // Each optimizer's default rate, unless a rate was given or is swept too.
                boolean rateChosen = lr != null || keys.contains("lr");
                yield new Config(v, rateChosen ? c.lr() : defaultRate(v), c.batch(), c.epochs(), c.momentum(), c.weightDecay());
            }
            case "epochs" -> new Config(c.optimizer(), c.lr(), c.batch(), Integer.parseInt(v), c.momentum(), c.weightDecay());
            case "momentum" -> new Config(c.optimizer(), c.lr(), c.batch(), c.epochs(), Double.parseDouble(v), c.weightDecay());
            case "weight-decay" -> new Config(c.optimizer(), c.lr(), c.batch(), c.epochs(), c.momentum(), Double.parseDouble(v));
            default -> throw new IllegalStateException("sweep key " + key + " passed the converter");
        };
    }

    static double defaultRate(String optimizer) {
        return optimizer.equals("adam") || optimizer.equals("adamw") ? 0.001 : 0.01;
    }

    /** The sweep's table, best first: by the last epoch's validation loss (training loss without validation data); returns the ranking. */
    private static List<Run> table(List<Run> runs, List<String> keys, boolean validated, PrintWriter o) {
        List<Run> sorted = new ArrayList<>(runs);
        sorted.sort(Comparator.comparingDouble(r -> r.score(validated)));
        o.println();
        o.println("sweep, ranked by " + (validated ? "validation" : "training") + " loss after the last epoch:");
        int width = Math.max(13, sorted.stream().mapToInt(r -> r.config().describe(keys).length()).max().orElse(0));
        boolean accuracy = sorted.stream().anyMatch(r -> r.last() != null && !Double.isNaN(r.last().accuracy()));
        o.printf(Locale.ROOT, "%-4s %-" + width + "s %14s %16s%s%n", "rank", "configuration", "train loss", "validation loss",
                accuracy ? "   accuracy" : "");
        for (int i = 0; i < sorted.size(); i++) {
            Run run = sorted.get(i);
            Trainer.Epoch e = run.last();
            if (run.diverged() != null) {
                o.printf(Locale.ROOT, "%-4d %-" + width + "s %31s%n", i + 1, run.config().describe(keys),
                        "diverged at epoch " + run.diverged().epoch);
                continue;
            }
            o.printf(Locale.ROOT, "%-4d %-" + width + "s %14s %16s%s%n", i + 1, run.config().describe(keys), fmt(e.trainLoss()),
                    Double.isNaN(e.validationLoss()) ? "-" : fmt(e.validationLoss()),
                    Double.isNaN(e.accuracy()) ? "" : String.format(Locale.ROOT, "   %.4f", e.accuracy()));
        }
        return sorted;
    }

    /**
     * What the plot draws: for one run, its training loss and (if measured) validation loss; for a
     * sweep, one curve per combination, of the validation loss when there is validation data.
     */
    static Map<String, double[]> curves(List<Run> runs, List<String> keys, boolean validated) {
        Map<String, double[]> out = new LinkedHashMap<>();
        if (runs.size() == 1) {
            out.put("training loss", runs.get(0).epochs().stream().mapToDouble(Trainer.Epoch::trainLoss).toArray());
            if (validated) {
                out.put("validation loss", runs.get(0).epochs().stream().mapToDouble(Trainer.Epoch::validationLoss).toArray());
            }
            return out;
        }
        for (Run r : runs) {
            out.put(r.config().describe(keys), r.epochs().stream()
                    .mapToDouble(e -> validated ? e.validationLoss() : e.trainLoss()).toArray());
        }
        return out;
    }

    // ------------------------------------------------------------------ option values

    /** sgd, adagrad, rmsprop, adam or adamw, in any case. */
    static final class OptimizerName implements CommandLine.ITypeConverter<String> {
        static final List<String> NAMES = List.of("sgd", "adagrad", "rmsprop", "adam", "adamw");

        @Override
        public String convert(String value) {
            String name = value.toLowerCase(Locale.ROOT);
            if (!NAMES.contains(name)) {
                throw new CommandLine.TypeConversionException("unknown optimizer '" + dev.lossc.Numbers.quote(value, 40)
                        + "' (expected sgd, adagrad, rmsprop, adam or adamw)");
            }
            return name;
        }
    }

    /** A batch size: a whole number of 1 or more, or all. */
    static final class BatchSize implements CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String value) {
            if (value.equals("all")) {
                return value;
            }
            return Integer.toString(OptionValues.count(value, 1, "a number of rows from 1 to 2147483647, or all"));
        }
    }

    /** One {@code --sweep KEY=V1,V2,…}: every value checked as its option checks it. */
    record Sweep(String key, List<String> values) {
        static final class Converter implements CommandLine.ITypeConverter<Sweep> {
            @Override
            public Sweep convert(String text) {
                int eq = text.indexOf('=');
                if (eq <= 0 || eq == text.length() - 1) {
                    throw new CommandLine.TypeConversionException("'" + dev.lossc.Numbers.quote(text, 60) + "' is not KEY=V1,V2,…");
                }
                String key = text.substring(0, eq);
                List<String> values = new ArrayList<>();
                for (String raw : text.substring(eq + 1).split(",", -1)) {
                    String v = raw.trim();
                    String checked = switch (key) {
                        case "lr", "weight-decay" -> Double.toString(new OptionValues.NonNegative().convert(v));
                        case "momentum" -> Double.toString(new OptionValues.Momentum().convert(v));
                        case "epochs" -> Integer.toString(new OptionValues.AtLeastOne().convert(v));
                        case "batch" -> new BatchSize().convert(v);
                        case "optimizer" -> new OptimizerName().convert(v);
                        default -> throw new CommandLine.TypeConversionException("key '" + dev.lossc.Numbers.quote(key, 40)
                                + "' is not one of lr, batch, optimizer, epochs, momentum, weight-decay");
                    };
                    if (values.contains(checked)) {
                        throw new CommandLine.TypeConversionException(key + " names the value " + v + " twice");
                    }
                    values.add(checked);
                }
                return new Sweep(key, values);
            }
        }
    }
}
