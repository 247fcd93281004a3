package dev.lossc.cli;

import dev.lossc.GeneratedFiles;
import dev.lossc.LossCompiler;
import dev.lossc.ModelDriver;
import dev.lossc.ModelLayout;
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
        description = {"Trains a model on a CSV file with mini-batches and an optimizer of lossc-runtime (torch.optim's rules),",
                "printing the training and validation loss (and accuracy, when the model has an output that scores int labels)",
                "after every epoch. With --out, the parameters are written after every epoch, atomically, in the format",
                "'lossc eval --params' reads; with --sweep, every combination of the values given is trained and ranked."})
final class TrainCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Parameters(index = "0", paramLabel = "FILE.loss", description = "The model.")
    Path file;

    @CommandLine.Option(names = "--data", required = true, paramLabel = "DATA.csv",
            description = "Training data: a header row naming each input's columns (x[0], x[1], label, …), one example per row.")
    Path data;

    @CommandLine.Option(names = "--validate", paramLabel = "VAL.csv", description = "Validation data, in the same columns.")
    Path validate;

    @CommandLine.Option(names = "--holdout", paramLabel = "SHARE",
            description = "Hold out this share of the data (drawn with the seed) for validation instead of --validate.")
    Double holdout;

    @CommandLine.Option(names = "--optimizer", paramLabel = "NAME", defaultValue = "sgd",
            description = "sgd, adagrad, rmsprop, adam or adamw (default: ${DEFAULT-VALUE}).")
    String optimizer;

    @CommandLine.Option(names = "--lr", paramLabel = "RATE",
            description = "Learning rate (default: 0.01; 0.001 for adam and adamw, as torch.optim).")
    Double lr;

    @CommandLine.Option(names = "--momentum", defaultValue = "0", description = "Momentum of sgd and rmsprop (default: ${DEFAULT-VALUE}).")
    double momentum;

    @CommandLine.Option(names = "--nesterov", description = "Nesterov momentum (sgd).")
    boolean nesterov;

    @CommandLine.Option(names = "--weight-decay", paramLabel = "L2", description = "Weight decay (default: 0; 0.01 for adamw).")
    Double weightDecay;

    @CommandLine.Option(names = "--schedule", paramLabel = "S", defaultValue = "constant",
            description = "constant, step:N:GAMMA (the rate times GAMMA every N epochs) or cosine[:MIN] (to MIN over the epochs) (default: ${DEFAULT-VALUE}).")
    String schedule;

    @CommandLine.Option(names = "--epochs", defaultValue = "10", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @CommandLine.Option(names = "--batch", paramLabel = "N|all", defaultValue = "32",
            description = "Rows per optimizer step, 1 to all; a last partial batch is used (default: ${DEFAULT-VALUE}).")
    String batch;

    @CommandLine.Option(names = "--seed", defaultValue = "0",
            description = "Seed of initParameters, the shuffles and the hold-out split (default: ${DEFAULT-VALUE}).")
    long seed;

    @CommandLine.Option(names = "--out", paramLabel = "PARAMS.json", description = "Where to write the trained parameters.")
    Path out;

    @CommandLine.Option(names = "--init", paramLabel = "VALUES.json",
            description = "Start from these parameters (a params file, or a values file whose inputs are skipped) instead of initParameters(--seed).")
    Path init;

    @CommandLine.Option(names = "--every", paramLabel = "N", defaultValue = "1",
            description = "Print every N-th epoch (and the first and last) (default: ${DEFAULT-VALUE}).")
    int every;

    @CommandLine.Option(names = "--plot", paramLabel = "CURVE.svg",
            description = "Draw the loss per epoch as SVG: training and validation loss, or one curve per combination of a sweep.")
    Path plot;

    @CommandLine.Option(names = "--sweep", paramLabel = "KEY=V1,V2,…",
            description = "Train every combination (keys: lr, batch, optimizer, epochs, momentum, weight-decay); repeatable.")
    List<String> sweeps = new ArrayList<>();

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
                    default -> weightDecay == null ? "default" : fmt(weightDecay);
                });
            }
            return String.join(" ", parts);
        }
    }

    /** A finished run: its configuration and its epochs. */
    record Run(Config config, List<Trainer.Epoch> epochs) {
        Trainer.Epoch last() {
            return epochs.get(epochs.size() - 1);
        }
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (epochs < 1) {
            throw usage("--epochs must be 1 or more");
        }
        if (every < 1) {
            throw usage("--every must be 1 or more");
        }
        if (holdout != null && validate != null) {
            throw usage("--holdout and --validate are alternatives: give one");
        }
        if (holdout != null && !(holdout > 0 && holdout < 1)) {
            throw usage("--holdout must be a share between 0 and 1, but it is " + holdout);
        }
        byte[] source = Common.read(spec, file, Limits.MAX_SOURCE_BYTES);
        if (source == null) {
            return Main.INPUT_ERRORS;
        }
        // Read once, as every command reads: only regular files (a pipe or a device is refused at once).
        byte[] dataBytes = Common.read(spec, data, Long.MAX_VALUE >> 1);
        byte[] validateBytes = validate == null ? null : Common.read(spec, validate, Long.MAX_VALUE >> 1);
        if (dataBytes == null || (validate != null && validateBytes == null)) {
            return Main.INPUT_ERRORS;
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
            train = CsvData.read(dataBytes, model);
            if (validate != null) {
                reading = validate;
                validation = CsvData.read(validateBytes, model);
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
        List<Config> configs = configs();
        ModelDriver driver = ModelDriver.load(List.of(r), List.of("-nowarn")).get(0);
        List<String> keys = sweepKeys();
        List<Run> runs = new ArrayList<>();
        for (Config c : configs) {
            if (configs.size() > 1) {
                o.println("== " + c.describe(keys));
            }
            runs.add(train(driver, model, c, train, validation, configs.size() == 1 ? out : null, configs.size() > 1, o));
        }
        if (configs.size() > 1) {
            table(runs, keys, validation != null, o);
        }
        if (plot != null) {
            GeneratedFiles.writeIfChanged(plot, LossPlot.svg(model.className() + (configs.size() > 1 ? ": sweep" : ""),
                    curves(runs, keys, validation != null)));
            o.println("plot: " + plot);
        }
        o.flush();
        return Main.OK;
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
        Trainer trainer = new Trainer(driver, train, validation, opt, schedule(c.epochs()), rows, seed);
        if (trainer.accuracyDescription() != null && !sweeping) {
            o.println("accuracy: " + trainer.accuracyDescription() + (validation != null ? ", on the validation data" : ", on the training data"));
        }
        List<Trainer.Epoch> done = new ArrayList<>();
        boolean bar = System.console() != null;
        try (ProgressBar pb = bar ? new ProgressBarBuilder().setTaskName("training").setInitialMax(c.epochs())
                .setStyle(ProgressBarStyle.ASCII).continuousUpdate().build() : null) {
            for (int e = 0; e < c.epochs(); e++) {
                Trainer.Epoch ep = trainer.epoch(e);
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
        return new Run(c, done);
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
        try {
            return switch (c.optimizer()) {
                case "sgd" -> new Sgd(n, c.lr(), c.momentum(), 0, wd, nesterov);
                case "adagrad" -> new Adagrad(n, c.lr(), 0, wd, 0, 1e-10);
                case "rmsprop" -> new RmsProp(n, c.lr(), 0.99, 1e-8, wd, c.momentum(), false);
                case "adam" -> new Adam(n, c.lr(), 0.9, 0.999, 1e-8, wd, false, false);
                case "adamw" -> new Adam(n, c.lr(), 0.9, 0.999, 1e-8, wd, true, false);
                default -> throw usage("unknown optimizer '" + c.optimizer() + "' (expected sgd, adagrad, rmsprop, adam or adamw)");
            };
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    private Schedule schedule(int epochCount) {
        String[] parts = schedule.split(":");
        try {
            return switch (parts[0]) {
                case "constant" -> Schedule.constant();
                case "step" -> Schedule.step(Integer.parseInt(parts[1]), Double.parseDouble(parts[2]));
                case "cosine" -> Schedule.cosine(epochCount, parts.length > 1 ? Double.parseDouble(parts[1]) : 0);
                default -> throw new IllegalArgumentException("unknown");
            };
        } catch (RuntimeException e) {
            throw usage("--schedule must be constant, step:N:GAMMA or cosine[:MIN], but it is '" + schedule + "'");
        }
    }

    private List<String> sweepKeys() {
        List<String> keys = new ArrayList<>();
        for (String s : sweeps) {
            keys.add(s.substring(0, Math.max(0, s.indexOf('='))));
        }
        return keys;
    }

    /** The configurations to train: the options as given, or every combination of the sweeps' values. */
    private List<Config> configs() {
        String opt = optimizer.toLowerCase(Locale.ROOT);
        Config base = new Config(opt, lr != null ? lr : defaultRate(opt), batch, epochs, momentum, weightDecay);
        checkBatch(batch);
        List<Config> all = new ArrayList<>(List.of(base));
        java.util.Set<String> seenKeys = new java.util.HashSet<>();
        for (String s : sweeps) {
            int eq = s.indexOf('=');
            if (eq <= 0 || eq == s.length() - 1) {
                throw usage("--sweep takes KEY=V1,V2,…, but it is '" + s + "'");
            }
            String key = s.substring(0, eq);
            if (!seenKeys.add(key)) {
                throw usage("--sweep " + key + " is given twice");
            }
            String[] vals = s.substring(eq + 1).split(",");
            if (java.util.Arrays.stream(vals).map(String::trim).distinct().count() != vals.length) {
                throw usage("--sweep " + key + " names a value twice: '" + s + "'");
            }
            List<Config> next = new ArrayList<>();
            for (Config c : all) {
                for (String v : vals) {
                    next.add(with(c, key, v.trim()));
                }
            }
            all = next;
        }
        return all;
    }

    private Config with(Config c, String key, String v) {
        try {
            return switch (key) {
                case "lr" -> new Config(c.optimizer(), Double.parseDouble(v), c.batch(), c.epochs(), c.momentum(), c.weightDecay());
                case "batch" -> {
                    checkBatch(v);
                    yield new Config(c.optimizer(), c.lr(), v, c.epochs(), c.momentum(), c.weightDecay());
                }
                case "optimizer" -> {
                    String name = v.toLowerCase(Locale.ROOT);
                    // Each optimizer's default rate, unless a rate was given or is swept too.
                    boolean rateChosen = lr != null || sweepKeys().contains("lr");
                    yield new Config(name, rateChosen ? c.lr() : defaultRate(name), c.batch(), c.epochs(), c.momentum(), c.weightDecay());
                }
                case "epochs" -> new Config(c.optimizer(), c.lr(), c.batch(), Integer.parseInt(v), c.momentum(), c.weightDecay());
                case "momentum" -> new Config(c.optimizer(), c.lr(), c.batch(), c.epochs(), Double.parseDouble(v), c.weightDecay());
                case "weight-decay" -> new Config(c.optimizer(), c.lr(), c.batch(), c.epochs(), c.momentum(), Double.parseDouble(v));
                default -> throw usage("--sweep key '" + key + "' is not one of lr, batch, optimizer, epochs, momentum, weight-decay");
            };
        } catch (NumberFormatException e) {
            throw usage("--sweep " + key + ": '" + v + "' is not a number");
        }
    }

    private void checkBatch(String b) {
        if (b.equals("all")) {
            return;
        }
        try {
            if (Integer.parseInt(b) >= 1) {
                return;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw usage("--batch must be a number of rows of 1 or more, or all, but it is '" + b + "'");
    }

    private static double defaultRate(String optimizer) {
        return optimizer.equals("adam") || optimizer.equals("adamw") ? 0.001 : 0.01;
    }

    /** The sweep's table, best first: by the last epoch's validation loss (training loss without validation data). */
    private static void table(List<Run> runs, List<String> keys, boolean validated, PrintWriter o) {
        List<Run> sorted = new ArrayList<>(runs);
        Comparator<Run> by = Comparator.comparingDouble(r -> {
            double v = validated ? r.last().validationLoss() : r.last().trainLoss();
            return Double.isNaN(v) ? Double.POSITIVE_INFINITY : v;
        });
        sorted.sort(by);
        o.println();
        o.println("sweep, ranked by " + (validated ? "validation" : "training") + " loss after the last epoch:");
        int width = Math.max(13, sorted.stream().mapToInt(r -> r.config().describe(keys).length()).max().orElse(0));
        o.printf(Locale.ROOT, "%-4s %-" + width + "s %14s %16s%s%n", "rank", "configuration", "train loss", "validation loss",
                sorted.stream().anyMatch(r -> !Double.isNaN(r.last().accuracy())) ? "   accuracy" : "");
        for (int i = 0; i < sorted.size(); i++) {
            Trainer.Epoch e = sorted.get(i).last();
            o.printf(Locale.ROOT, "%-4d %-" + width + "s %14s %16s%s%n", i + 1, sorted.get(i).config().describe(keys), fmt(e.trainLoss()),
                    Double.isNaN(e.validationLoss()) ? "-" : fmt(e.validationLoss()),
                    Double.isNaN(e.accuracy()) ? "" : String.format(Locale.ROOT, "   %.4f", e.accuracy()));
        }
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
}
