package dev.lossc.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/**
 * The arguments and options of {@code lossc train}, as picocli fills them in (it reads the
 * annotated fields of a command's superclasses too); {@link TrainCommand} checks their
 * combinations and does the work.
 */
abstract class TrainOptions {
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

    @CommandLine.Option(names = "--optimizer", paramLabel = "NAME", defaultValue = "sgd", converter = TrainValues.OptimizerName.class,
            description = "sgd, adagrad, rmsprop, adam, adamw or lbfgs (default: ${DEFAULT-VALUE}). lbfgs is torch.optim.LBFGS with its "
                    + "strong-Wolfe line search, up to 20 iterations per batch: for full batches (--batch all) or large ones.")
    String optimizer;

    @CommandLine.Option(names = "--lr", paramLabel = "RATE", converter = OptionValues.NonNegative.class,
            description = "The learning rate, a finite number of 0 or more (default: 0.01; 0.001 for adam and adamw, 1 for lbfgs, as torch.optim).")
    Double lr;

    @CommandLine.Option(names = "--momentum", paramLabel = "M", defaultValue = "0", converter = OptionValues.Momentum.class,
            description = "Momentum of sgd and rmsprop, from 0 to 1 (default: ${DEFAULT-VALUE}).")
    double momentum;

    @CommandLine.Option(names = "--nesterov", description = "Nesterov momentum (sgd).")
    boolean nesterov;

    @CommandLine.Option(names = "--weight-decay", paramLabel = "L2", converter = OptionValues.NonNegative.class,
            description = "Weight decay, a finite number of 0 or more (default: 0; 0.01 for adamw).")
    Double weightDecay;

    @CommandLine.Option(names = "--betas", paramLabel = "B1,B2", converter = TrainValues.BetasConverter.class,
            description = "Adam's and AdamW's betas, each from 0 to 1, 1 excluded (default: 0.9,0.999).")
    TrainValues.Betas betas;

    @CommandLine.Option(names = "--eps", paramLabel = "EPS", converter = OptionValues.NonNegative.class,
            description = "The eps of adam, adamw, rmsprop and adagrad, a finite number of 0 or more (default: torch's, 1e-8; 1e-10 "
                    + "for adagrad).")
    Double eps;

    @CommandLine.Option(names = "--schedule", paramLabel = "S", defaultValue = "constant", converter = ScheduleSpec.Converter.class,
            description = "constant, step:N:GAMMA (the rate times GAMMA every N epochs; N of 1 or more, GAMMA above 0), "
                    + "cosine[:MIN] (annealed to MIN over the epochs; MIN from 0 to the rate) or plateau[:FACTOR[:PATIENCE]] (the "
                    + "rate times FACTOR when the validation loss has not improved for more than PATIENCE epochs, as "
                    + "ReduceLROnPlateau; default 0.1 and 10) (default: ${DEFAULT-VALUE}).")
    ScheduleSpec schedule;

    @CommandLine.Option(names = "--warmup", paramLabel = "N[:START]", converter = TrainValues.Warmup.Converter.class,
            description = "A linear warm-up over the first N epochs, from START times the rate to the rate (default START: 1/3, as "
                    + "LinearLR); the schedule starts after it.")
    TrainValues.Warmup warmup;

    @CommandLine.Option(names = "--clip-norm", paramLabel = "MAX", converter = OptionValues.Positive.class,
            description = "Scale each batch's gradient to a Euclidean norm of at most MAX, as clip_grad_norm_.")
    Double clipNorm;

    @CommandLine.Option(names = "--clip-value", paramLabel = "MAX", converter = OptionValues.Positive.class,
            description = "Clamp each element of each batch's gradient to [-MAX, MAX], as clip_grad_value_ (after --clip-norm).")
    Double clipValue;

    @CommandLine.Option(names = "--epochs", paramLabel = "N", defaultValue = "10", converter = OptionValues.AtLeastOne.class,
            description = "Epochs, 1 or more; with --resume, the epochs of the whole run (default: ${DEFAULT-VALUE}).")
    int epochs;

    @CommandLine.Option(names = "--batch", paramLabel = "N|all", defaultValue = "32", converter = TrainValues.BatchSize.class,
            description = "Rows per optimizer step, 1 or more, or all; a last partial batch is used (default: ${DEFAULT-VALUE}).")
    String batch;

    @CommandLine.Option(names = "--threads", paramLabel = "N", defaultValue = "1", converter = OptionValues.Threads.class,
            description = "Threads for the model's large matrix products (default: 1). Above 1 the model is compiled as a "
                    + "parallel class: the same results to the bit, faster on large layers and batches; small networks run "
                    + "on one thread whatever N is.")
    int threads;

    @CommandLine.Option(names = "--seed", paramLabel = "S", defaultValue = "0", converter = OptionValues.Seed.class,
            description = "Seed of initParameters, the shuffles and the hold-out split (default: ${DEFAULT-VALUE}).")
    long seed;

    @CommandLine.Option(names = "--out", paramLabel = "PARAMS", description = "Where to write the trained parameters: a .json, "
            + ".safetensors, .npz or .npy file.")
    Path out;

    @CommandLine.Option(names = "--keep", paramLabel = "last|best", defaultValue = "last",
            description = "Which epoch's parameters --out holds: the last, or the one with the best validation loss (training loss "
                    + "without validation data) (default: ${DEFAULT-VALUE}).")
    TrainValues.Keep keep;

    @CommandLine.Option(names = "--early-stop", paramLabel = "N", converter = OptionValues.AtLeastOne.class,
            description = "Stop when the validation loss (training loss without validation data) has not improved for N epochs.")
    Integer earlyStop;

    @CommandLine.Option(names = "--resume",
            description = "Continue the run whose state --out's state file holds (FILE.state.safetensors beside it), as if it had not "
                    + "stopped: the same options give the same parameters, bit for bit.")
    boolean resume;

    @CommandLine.Option(names = "--init", paramLabel = "PARAMS",
            description = "Start from these parameters (a .json params file or values file whose inputs are skipped, .safetensors, .npz "
                    + "or .npy) instead of initParameters(--seed).")
    Path init;

    @CommandLine.Option(names = "--every", paramLabel = "N", defaultValue = "1", converter = OptionValues.AtLeastOne.class,
            description = "Print every N-th epoch, and the first and the last (default: ${DEFAULT-VALUE}).")
    int every;

    @CommandLine.Option(names = "--plot", paramLabel = "CURVE.svg|CURVE.png",
            description = "Draw the loss per epoch: the training and validation loss, or the curves of a sweep's best runs.")
    Path plot;

    @CommandLine.Option(names = "--log", paramLabel = "METRICS.jsonl|METRICS.csv",
            description = "One line per epoch (loss, validation loss, accuracy, rate, seconds, rows per second), flushed as it is "
                    + "written.")
    Path log;

    @CommandLine.Option(names = "--sweep", paramLabel = "KEY=V1,V2,…", converter = TrainValues.Sweep.Converter.class,
            description = "Train every combination (keys: lr, batch, optimizer, epochs, momentum, weight-decay); repeatable.")
    List<TrainValues.Sweep> sweeps = new ArrayList<>();

    @CommandLine.Option(names = "--allow-nonfinite",
            description = "Go on training when the loss or the parameters stop being finite, instead of stopping with exit code 1.")
    boolean allowNonfinite;
}
