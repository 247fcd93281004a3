package dev.lossc.cli;

import dev.lossc.GeneratedFiles;
import dev.lossc.LossCompiler;
import dev.lossc.ModelDriver;
import dev.lossc.ModelLayout;
import dev.lossc.OutputFiles;
import dev.lossc.diag.Limits;
import dev.lossc.runtime.Adagrad;
import dev.lossc.runtime.Adam;
import dev.lossc.runtime.Optimizer;
import dev.lossc.runtime.Plateau;
import dev.lossc.runtime.RmsProp;
import dev.lossc.runtime.Sgd;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
                + "parameters are written after every epoch, atomically, in the format the file's name says (.json, as 'lossc eval "
                + "--params' reads, .safetensors, .npz or .npy), and the state a --resume continues from beside them. With --sweep, "
                + "every combination of the values given is trained and ranked, and --out receives the best run's parameters. "
                + "Training stops with exit code 1 when the loss stops being finite; the parameters of the last finite epoch "
                + "stay in --out.")
final class TrainCommand extends TrainOptions implements Callable<Integer> {
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
     * A finished run: its configuration, its epochs, the parameters --out gets (the last epoch's,
     * or the best's with --keep best), and, if it diverged, where (then its epochs are those that
     * finished).
     */
    record Run(Config config, List<Trainer.Epoch> epochs, double[] parameters, Trainer.Diverged diverged, double best, int bestEpoch) {
        Trainer.Epoch last() {
            return epochs.isEmpty() ? null : epochs.get(epochs.size() - 1);
        }

        /** What a sweep ranks by: the kept epoch's validation loss (training loss without validation data); a diverged run last. */
        double score(boolean validated, TrainValues.Keep keep) {
            Trainer.Epoch e = last();
            if (diverged != null || e == null) {
                return Double.POSITIVE_INFINITY;
            }
            double v = keep == TrainValues.Keep.BEST ? best : validated ? e.validationLoss() : e.trainLoss();
            return Double.isNaN(v) ? Double.POSITIVE_INFINITY : v;
        }
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        checkCombinations();
        List<String> keys = sweepKeys();
        List<Config> configs = configs(keys);
        if (!outputsChecked(configs.size() > 1)) {
            return Main.INPUT_ERRORS;
        }
        // Every output is locked before any work starts: a second run on the same --out fails at once.
        List<OutputFiles.Lock> locks = new ArrayList<>();
        try {
            for (Path p : outputs(configs.size() > 1)) {
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

    /** Options that only mean something together, or not together. */
    private void checkCombinations() {
        if (holdout != null && validate != null) {
            throw usage("--holdout and --validate are alternatives: give one");
        }
        if (out != null) {
            Weights.format(spec, "--out", out);
        }
        if (init != null) {
            Weights.format(spec, "--init", init);
        }
        if (plot != null && !LossPlot.named(plot)) {
            throw usage("--plot must name an .svg or .png file, but it is " + plot);
        }
        if (log != null && !MetricsLog.named(log)) {
            throw usage("--log must name a .jsonl or .csv file, but it is " + log);
        }
        if (resume && out == null) {
            throw usage("--resume continues the run of --out: give --out");
        }
        if (resume && (!sweeps.isEmpty() || init != null)) {
            throw usage("--resume continues one run from its own state: it goes with neither --sweep nor --init");
        }
        boolean sweepsOptimizer = sweeps.stream().anyMatch(s -> s.key().equals("optimizer"));
        if (betas != null && !sweepsOptimizer && !optimizer.startsWith("adam")) {
            throw usage("--betas is an option of adam and adamw, not of " + optimizer);
        }
        if (optimizer.equals("lbfgs") && (clipNorm != null || clipValue != null || eps != null || momentum != 0 || weightDecay != null)) {
            throw usage("--optimizer lbfgs takes none of --clip-norm, --clip-value, --eps, --momentum and --weight-decay");
        }
        if (eps != null && !sweepsOptimizer && optimizer.equals("sgd")) {
            throw usage("--eps is an option of adam, adamw, rmsprop and adagrad, not of sgd");
        }
    }

    /** The files this run writes: --out and its training state (one run only), --plot, --log. */
    private List<Path> outputs(boolean sweeping) {
        List<Path> paths = new ArrayList<>();
        if (out != null) {
            paths.add(out);
            if (!sweeping) {
                paths.add(TrainingState.beside(out));
            }
        }
        if (plot != null) {
            paths.add(plot);
        }
        if (log != null) {
            paths.add(log);
        }
        return paths;
    }

    /** The outputs under lossc's policy, against the inputs this command reads. */
    private boolean outputsChecked(boolean sweeping) {
        List<OutputFiles.Role> outs = new ArrayList<>();
        if (out != null) {
            outs.add(new OutputFiles.Role(out, "the parameters (--out)"));
        }
        if (plot != null) {
            outs.add(new OutputFiles.Role(plot, "the plot (--plot)"));
        }
        if (log != null) {
            outs.add(new OutputFiles.Role(log, "the metrics log (--log)"));
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
        if (!Common.outputsWritable(spec, outs, ins)) {
            return false;
        }
        // The state beside --out, once --out itself is fine (a problem with its folder is said once).
        if (out != null && !sweeping) {
            outs.add(new OutputFiles.Role(TrainingState.beside(out), "the training state beside --out"));
            return Common.outputsWritable(spec, outs, ins);
        }
        return true;
    }

    private int train(List<Config> configs, List<String> keys, PrintWriter o, PrintWriter err) throws Exception {
        byte[] source = Common.read(spec, file, Limits.MAX_SOURCE_BYTES);
        if (source == null) {
            return Main.INPUT_ERRORS;
        }
        // Checked as every command checks its inputs (only regular files, a bounded size); then streamed.
        for (Path p : validate == null ? List.of(data) : List.of(data, validate)) {
            if (!Common.inputFile(spec, p, Limits.MAX_DATA_BYTES)) {
                return Main.INPUT_ERRORS;
            }
        }
        LossCompiler.Result r = Common.compileModel(file, source, null, err, threads > 1);
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
            if (!Weights.read(spec, "--init", init, model, initial, true, false)) {
                return Main.INPUT_ERRORS;
            }
        }
        TrainingState resumed = null;
        if (resume) {
            resumed = resumedState(model, train, validation, configs.get(0), err);
            if (resumed == null) {
                return Main.INPUT_ERRORS;
            }
        }
        ModelDriver driver = ModelDriver.load(List.of(r), List.of("-nowarn")).get(0);
        // Above 1, the class is parallel (compiled so above); its workers end with the command.
        driver.setThreads(threads);
        try {
            boolean sweeping = configs.size() > 1;
            boolean validated = validation != null;
            List<Run> runs = new ArrayList<>();
            Run best = null;
            try (MetricsLog metrics = log == null ? null : MetricsLog.open(log, resume)) {
                for (Config c : configs) {
                    if (sweeping) {
                        o.println("== " + c.describe(keys));
                    }
                    Run run = run(driver, model, c, train, validation, initial, resumed, sweeping, sweeping ? c.describe(keys) : "", metrics, o);
                    runs.add(run);
                    if (run.diverged() != null) {
                        String where = run.diverged().describe() + " (lr " + fmt(rate(c, run.diverged().epoch - 1, Double.NaN)) + ")";
                        if (!sweeping) {
                            o.flush();
                            err.println(file + ": error: training diverged: " + where + "; stopped. "
                                    + (out == null ? "" : run.epochs().isEmpty() && resumed == null ? out + " was not written. "
                                    : out + " holds the parameters of epoch " + keptEpoch(run, resumed) + ". ")
                                    + "Lower --lr, or give --allow-nonfinite to go on.");
                            err.flush();
                            writePlot(model, runs, keys, validated, o);
                            return Main.INPUT_ERRORS;
                        }
                        o.println("diverged: " + where + "; this run stops, the sweep goes on");
                    }
                    // A sweep's --out gets the best run so far: an interrupted sweep keeps the best finished one.
                    if (sweeping && out != null && run.diverged() == null && (best == null || run.score(validated, keep) < best.score(validated, keep))) {
                        best = run;
                        GeneratedFiles.writeIfChanged(out, Weights.bytes(out, model, run.parameters()));
                    }
                }
            }
            if (sweeping) {
                List<Run> ranked = SweepReport.table(runs, keys, validated, keep, o);
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
        } finally {
            driver.close();
        }
    }

    private int keptEpoch(Run run, TrainingState resumed) {
        int done = (resumed == null ? 0 : resumed.epochsDone()) + run.epochs().size();
        return keep == TrainValues.Keep.BEST ? run.bestEpoch() : done;
    }

    private void writePlot(ModelLayout model, List<Run> runs, List<String> keys, boolean validated, PrintWriter o) throws IOException {
        if (plot == null) {
            return;
        }
        int left = SweepReport.leftOut(runs.size());
        String title = model.className() + (runs.size() == 1 ? "" : left == 0 ? ": sweep of " + runs.size() + " runs"
                : ": sweep, the best " + SweepReport.PLOTTED_RUNS + " of " + runs.size() + " runs");
        GeneratedFiles.writeIfChanged(plot, LossPlot.draw(plot, title, SweepReport.curves(runs, keys, validated, keep)));
        o.println("plot: " + plot);
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    // ------------------------------------------------------------------ one run

    /** The rate of epoch {@code epoch} (0 first): the warm-up's, then the schedule's, or the plateau's current one. */
    private double rate(Config c, int epoch, double plateauRate) {
        int w = warmup == null ? 0 : warmup.epochs();
        if (epoch < w) {
            return warmup.rate(c.lr(), epoch);
        }
        if (schedule.plateau()) {
            return Double.isNaN(plateauRate) ? c.lr() : plateauRate;
        }
        return schedule.schedule(c.epochs() - w).at(c.lr(), epoch - w);
    }

    private Run run(ModelDriver driver, ModelLayout model, Config c, CsvData train, CsvData validation, Map<String, double[]> initial,
                    TrainingState resumed, boolean sweeping, String runName, MetricsLog metrics, PrintWriter o) throws IOException {
        driver.initParameters(seed);
        if (initial != null) {
            driver.setParams(initial);
        }
        int n = driver.parameters().length;
        Optimizer opt = optimizer(c, n);
        Plateau plateau = schedule.plateau() ? schedule.newPlateau() : null;
        int done = 0;
        double plateauRate = c.lr();
        double best = Double.POSITIVE_INFINITY;
        int bestEpoch = 0;
        int badEpochs = 0;
        // Snapshots (the best epoch's, a run's result, the resume state) hold the parameters and then the states.
        double[] bestParameters = keep == TrainValues.Keep.BEST ? driver.snapshot() : null;
        if (resumed != null) {
            driver.restore(resumed.parameters());
            opt.setState(resumed.optimizer());
            done = resumed.epochsDone();
            plateauRate = resumed.rate();
            best = resumed.best();
            bestEpoch = resumed.bestEpoch();
            badEpochs = resumed.badEpochs();
            if (plateau != null && resumed.plateau() != null) {
                plateau.setState(resumed.plateau());
            }
            if (bestParameters != null && resumed.bestParameters() != null) {
                bestParameters = resumed.bestParameters().clone();
            }
        }
        int rows = c.batch().equals("all") ? train.rows : Integer.parseInt(c.batch());
        if (!model.states().isEmpty() && CsvData.batched(model)) {
            // Batch norm over the rows: no training call may have one row (Trainer splits the rest so that none has).
            if (Math.min(rows, train.rows) < 2 || (validation != null && validation.rows < 2)) {
                throw usage("the model's batch_norm needs two rows or more in every training call, but "
                        + (rows < 2 ? "--batch is 1" : train.rows < 2 ? "the training data have one row" : "the validation data have one row"));
            }
        }
        Trainer trainer = new Trainer(driver, train, validation, opt, rows, seed, !allowNonfinite, clipNorm == null ? 0 : clipNorm,
                clipValue == null ? 0 : clipValue, done);
        if (trainer.accuracyDescription() != null && !sweeping && done == 0) {
            o.println("accuracy: " + trainer.accuracyDescription() + (validation != null ? ", on the validation data" : ", on the training data"));
        }
        boolean validated = validation != null;
        Map<String, String> options = options(c, model, train, validation);
        List<Trainer.Epoch> finished = new ArrayList<>();
        boolean bar = System.console() != null;
        try (ProgressBar pb = bar ? new ProgressBarBuilder().setTaskName("training").setInitialMax(c.epochs()).startsFrom(done, java.time.Duration.ZERO)
                .setStyle(ProgressBarStyle.ASCII).continuousUpdate().build() : null) {
            for (int e = done; e < c.epochs(); e++) {
                double rate = rate(c, e, plateauRate);
                long started = System.nanoTime();
                Trainer.Epoch ep;
                try {
                    ep = trainer.epoch(e, rate);
                } catch (Trainer.Diverged d) {
                    return new Run(c, finished, keep == TrainValues.Keep.BEST ? bestParameters : driver.snapshot(), d, best, bestEpoch);
                }
                double seconds = (System.nanoTime() - started) / 1e9;
                finished.add(ep);
                double metric = validated ? ep.validationLoss() : ep.trainLoss();
                boolean improved = metric < best;
                if (improved) {
                    best = metric;
                    bestEpoch = e + 1;
                    badEpochs = 0;
                    if (bestParameters != null) {
                        bestParameters = driver.snapshot();
                    }
                } else {
                    badEpochs++;
                }
                if (plateau != null && e >= (warmup == null ? 0 : warmup.epochs())) {
                    // Counted from the first epoch after the warm-up, from the rate it ended at.
                    plateauRate = plateau.step(metric, rate);
                }
                if (out != null && !sweeping) {
                    // After every epoch, atomically: an interrupted run keeps the last finished epoch's parameters
                    // (or the best's), and its state, written first, lets --resume go on from there.
                    TrainingState state = new TrainingState(options, e + 1, plateauRate, best, bestEpoch, badEpochs,
                            plateau == null ? null : plateau.state(), driver.snapshot(), bestParameters, opt.state());
                    GeneratedFiles.writeIfChanged(TrainingState.beside(out), state.bytes());
                    if (keep == TrainValues.Keep.LAST || improved) {
                        GeneratedFiles.writeIfChanged(out, Weights.bytes(out, model, driver.snapshot()));
                    }
                }
                if (metrics != null) {
                    metrics.epoch(runName, e + 1, rate, ep.trainLoss(), validated ? ep.validationLoss() : null,
                            Double.isNaN(ep.accuracy()) ? null : ep.accuracy(), seconds, train.rows / Math.max(seconds, 1e-9));
                }
                boolean stop = earlyStop != null && badEpochs >= earlyStop;
                if (e == done || (e + 1) % every == 0 || e == c.epochs() - 1 || stop) {
                    o.println(ep.line(c.epochs()));
                    o.flush();
                }
                if (pb != null) {
                    pb.stepTo(e + 1);
                    pb.setExtraMessage(String.format(Locale.ROOT, "loss %s, %.0f rows/s", fmt(ep.trainLoss()), train.rows / Math.max(seconds, 1e-9)));
                }
                if (stop) {
                    o.printf(Locale.ROOT, "early stop: the %s loss has not improved for %d epochs; the best was %s at epoch %d%n",
                            validated ? "validation" : "training", earlyStop, fmt(best), bestEpoch);
                    break;
                }
            }
        }
        if (keep == TrainValues.Keep.BEST && !sweeping && out != null && bestEpoch > 0) {
            o.printf(Locale.ROOT, "out: %s holds the parameters of epoch %d, the best (%s loss %s)%n", out, bestEpoch,
                    validated ? "validation" : "training", fmt(best));
        }
        return new Run(c, finished, keep == TrainValues.Keep.BEST ? bestParameters : driver.snapshot(), null, best, bestEpoch);
    }

    /** What a resumed run must share with the run it continues: everything that decides its trajectory. */
    private Map<String, String> options(Config c, ModelLayout model, CsvData train, CsvData validation) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("model", model.className());
        m.put("parameters", Integer.toString(model.params().stream().mapToInt(p -> p.shape().size()).sum()));
        m.put("rows", Integer.toString(train.rows));
        m.put("validation rows", validation == null ? "none" : Integer.toString(validation.rows));
        m.put("--holdout", holdout == null ? "none" : Double.toString(holdout));
        m.put("--optimizer", c.optimizer());
        m.put("--lr", Double.toString(c.lr()));
        m.put("--momentum", Double.toString(c.momentum()));
        m.put("--nesterov", Boolean.toString(nesterov));
        m.put("--weight-decay", c.weightDecay() == null ? "default" : Double.toString(c.weightDecay()));
        m.put("--betas", betas == null ? "default" : betas.toString());
        m.put("--eps", eps == null ? "default" : Double.toString(eps));
        m.put("--batch", c.batch());
        m.put("--seed", Long.toString(seed));
        m.put("--schedule", schedule.text());
        m.put("--warmup", warmup == null ? "none" : warmup.epochs() + ":" + warmup.start());
        m.put("--clip-norm", clipNorm == null ? "none" : Double.toString(clipNorm));
        m.put("--clip-value", clipValue == null ? "none" : Double.toString(clipValue));
        m.put("--keep", keep.name().toLowerCase(Locale.ROOT));
        return m;
    }

    /** The state --resume continues from, checked against this run; null after printing why it cannot be used. */
    private TrainingState resumedState(ModelLayout model, CsvData train, CsvData validation, Config c, PrintWriter err) {
        Path file = TrainingState.beside(out);
        if (!Files.isRegularFile(file)) {
            err.println(file + ": error: no training state to resume from (a run with --out " + out + " writes it after every epoch)");
            err.flush();
            return null;
        }
        TrainingState s;
        try {
            s = TrainingState.read(file);
        } catch (IOException e) {
            err.println(Weights.located(file, e));
            err.flush();
            return null;
        }
        Map<String, String> now = options(c, model, train, validation);
        for (Map.Entry<String, String> e : now.entrySet()) {
            String then = s.options().get(e.getKey());
            if (!e.getValue().equals(then)) {
                err.println(file + ": error: the run was trained with " + e.getKey() + " " + then + ", not " + e.getValue()
                        + "; --resume continues a run with the same options");
                err.flush();
                return null;
            }
        }
        int n = model.params().stream().mapToInt(p -> p.shape().size()).sum() + model.states().stream().mapToInt(p -> p.shape().size()).sum();
        if (s.parameters() == null || s.parameters().length != n) {
            err.println(file + ": error: the state holds no parameters of " + model.className());
            err.flush();
            return null;
        }
        if (s.epochsDone() >= c.epochs()) {
            throw usage("the run in " + file + " has finished " + s.epochsDone() + " epochs already: give --epochs above that to go on");
        }
        return s;
    }

    static String fmt(double v) {
        return dev.lossc.Graphs.fmt(v);
    }

    private Optimizer optimizer(Config c, int n) {
        double wd = c.weightDecay() != null ? c.weightDecay() : c.optimizer().equals("adamw") ? 0.01 : 0;
        return switch (c.optimizer()) {
            case "lbfgs" -> new LbfgsOptimizer(n, c.lr());
            case "sgd" -> Sgd.builder(n).lr(c.lr()).momentum(c.momentum()).weightDecay(wd).nesterov(nesterov).build();
            case "adagrad" -> Adagrad.builder(n).lr(c.lr()).weightDecay(wd).eps(eps == null ? 1e-10 : eps).build();
            case "rmsprop" -> RmsProp.builder(n).lr(c.lr()).eps(eps == null ? 1e-8 : eps).weightDecay(wd).momentum(c.momentum()).build();
            case "adam", "adamw" -> {
                Adam.Builder b = Adam.builder(n).lr(c.lr()).weightDecay(wd).eps(eps == null ? 1e-8 : eps);
                if (betas != null) {
                    b.betas(betas.beta1(), betas.beta2());
                }
                yield (c.optimizer().equals("adamw") ? b.adamW() : b).build();
            }
            default -> throw new IllegalStateException("optimizer " + c.optimizer() + " passed the converter");
        };
    }

    private List<String> sweepKeys() {
        List<String> keys = new ArrayList<>();
        for (TrainValues.Sweep s : sweeps) {
            if (keys.contains(s.key())) {
                throw usage("--sweep " + s.key() + " is given twice");
            }
            keys.add(s.key());
        }
        return keys;
    }

    /** The configurations to train: the options as given, or every combination of the sweeps' values. */
    private List<Config> configs(List<String> keys) {
        Config base = new Config(optimizer, lr != null ? lr : TrainValues.defaultRate(optimizer), batch, epochs, momentum, weightDecay);
        List<Config> all = new ArrayList<>(List.of(base));
        for (TrainValues.Sweep s : sweeps) {
            List<Config> next = new ArrayList<>();
            for (Config c : all) {
                for (String v : s.values()) {
                    next.add(with(c, s.key(), v, keys));
                }
            }
            all = next;
        }
        for (Config c : all) {
            int w = warmup == null ? 0 : warmup.epochs();
            String problem = schedule.problem(c.lr(), Math.max(1, c.epochs() - w));
            if (problem != null) {
                throw usage("--schedule " + schedule + ": " + problem + (all.size() > 1 ? " (with " + c.describe(keys) + ")" : ""));
            }
            if (betas != null && !c.optimizer().startsWith("adam")) {
                throw usage("--betas is an option of adam and adamw, not of " + c.optimizer() + " (with " + c.describe(keys) + ")");
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
                yield new Config(v, rateChosen ? c.lr() : TrainValues.defaultRate(v), c.batch(), c.epochs(), c.momentum(), c.weightDecay());
            }
            case "epochs" -> new Config(c.optimizer(), c.lr(), c.batch(), Integer.parseInt(v), c.momentum(), c.weightDecay());
            case "momentum" -> new Config(c.optimizer(), c.lr(), c.batch(), c.epochs(), Double.parseDouble(v), c.weightDecay());
            case "weight-decay" -> new Config(c.optimizer(), c.lr(), c.batch(), c.epochs(), c.momentum(), Double.parseDouble(v));
            default -> throw new IllegalStateException("sweep key " + key + " passed the converter");
        };
    }
}
