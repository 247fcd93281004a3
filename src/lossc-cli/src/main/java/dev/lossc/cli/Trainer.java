package dev.lossc.cli;

import dev.lossc.ModelDriver;
import dev.lossc.ModelLayout;
import dev.lossc.runtime.Optimizer;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Mini-batch training of a generated class (loaded by {@link ModelDriver}) on {@link CsvData}:
 * each epoch shuffles the rows with the seed, takes batches of {@code batch} rows (the last one
 * partial) and steps the optimizer once per batch. A batch model computes a batch in one call (the
 * loss decides how it averages over the rows); a model of one example per call is called once per
 * row and the optimizer gets the mean of the rows' gradients. A batch larger than a varying dim's
 * maximum is computed in chunks of at most that many rows, whose gradients are averaged weighted by
 * their rows (for a loss that is a mean over the batch, the gradient of the whole batch).
 */
final class Trainer {
    /** What an epoch reports; {@code validationLoss} and {@code accuracy} are NaN when there is nothing to measure. */
    record Epoch(int number, double learningRate, double trainLoss, double validationLoss, double accuracy) {
        /** The epoch's line of {@code lossc train}'s output, of {@code epochs} in all. */
        String line(int epochs) {
            StringBuilder s = new StringBuilder(String.format(java.util.Locale.ROOT, "epoch %d/%d  lr %s  train loss %s", number + 1, epochs,
                    TrainCommand.fmt(learningRate), TrainCommand.fmt(trainLoss)));
            if (!Double.isNaN(validationLoss)) {
                s.append("  validation loss ").append(TrainCommand.fmt(validationLoss));
            }
            if (!Double.isNaN(accuracy)) {
                s.append(String.format(java.util.Locale.ROOT, "  accuracy %.4f", accuracy));
            }
            return s.toString();
        }
    }

    /**
     * Training diverged: a batch's loss, or the parameters after an epoch, stopped being finite. The
     * optimizer did not step on that batch. {@code batch} is 1-based; 0 means the parameters at the
     * end of the epoch.
     */
    static final class Diverged extends RuntimeException {
        final int epoch;
        final int batch;
        final int batches;
        final double loss;

        Diverged(int epoch, int batch, int batches, double loss) {
            super(null, null, false, false);
            this.epoch = epoch;
            this.batch = batch;
            this.batches = batches;
            this.loss = loss;
        }

        /** "the training loss became NaN at epoch 3, batch 7 of 12" or "the parameters became non-finite at the end of epoch 3". */
        String describe() {
            return batch == 0 ? "the parameters stopped being finite at the end of epoch " + (epoch)
                    : "the training loss became " + TrainCommand.fmt(loss) + " at epoch " + epoch + ", batch " + batch + " of " + batches;
        }
    }

    private final ModelDriver model;
    private final ModelLayout layout;
    private final CsvData train;
    private final CsvData validation;
    private final Optimizer optimizer;
    private final int batch;
    private final SplittableRandom rnd;
    private final boolean batched;
    private final int maxRows;
    private final double[] sum;
    /** A batch model with states: batch norm needs two rows or more in every training call. */
    private final boolean pairs;
    /** False with --allow-nonfinite: a non-finite loss does not stop training. */
    private final boolean stopOnDivergence;
    /** Gradient clipping before each step (torch's clip_grad_norm_ and clip_grad_value_), or 0 for none. */
    private final double clipNorm;
    private final double clipValue;
    /** The output and int input that accuracy compares (argmax of the output against the label), or null. */
    private final String accuracyOutput;
    private final String labels;

    /**
     * A trainer whose first epoch is number {@code done} (0 for a new run; a resumed run replays the
     * shuffles of the epochs it has done, so that its batches are those of one uninterrupted run).
     */
    Trainer(ModelDriver model, CsvData train, CsvData validation, Optimizer optimizer, int batch, long seed,
            boolean stopOnDivergence, double clipNorm, double clipValue, int done) {
        this.stopOnDivergence = stopOnDivergence;
        this.clipNorm = clipNorm;
        this.clipValue = clipValue;
        this.model = model;
        this.layout = model.layout();
        this.train = train;
        this.validation = validation;
        this.optimizer = optimizer;
        this.batched = CsvData.batched(layout);
        this.maxRows = batched ? layout.dims().stream().mapToInt(ModelLayout.VaryingDim::max).min().orElse(1) : Integer.MAX_VALUE;
        this.batch = Math.max(1, Math.min(batch, train.rows));
        this.pairs = batched && !layout.states().isEmpty();
        this.rnd = new SplittableRandom(seed);
        this.seed = seed;
        for (int e = 0; e < done; e++) {
            CsvData.shuffled(train.rows, rnd);
        }
        this.sum = new double[model.parameters().length];
        String[] pair = accuracyPair(layout);
        this.accuracyOutput = pair == null ? null : pair[0];
        this.labels = pair == null ? null : pair[1];
    }

    /**
     * The first output that scores classes against int labels: {@code [B, K]} with an int input
     * {@code [B]} in a batch model, {@code [K]} with an int scalar otherwise, where the labels'
     * valid range is {@code 0 … K-1}. Null if there is none.
     */
    static String[] accuracyPair(ModelLayout layout) {
        boolean batched = CsvData.batched(layout);
        for (ModelLayout.Output o : layout.outputs()) {
            for (ModelLayout.Slot in : layout.inputs()) {
                if (!in.integer()) {
                    continue;
                }
                // One score per class: as many columns as the labels have values.
                boolean fits = batched ? o.shape().isMatrix() && in.shape().isVector() && o.shape().rowAxis().equals(in.shape().lengthAxis())
                        : o.shape().isVector() && in.shape().isScalar();
                fits &= in.limit() > 1 && o.shape().cols() == in.limit();
                if (fits) {
                    return new String[] {o.name(), in.name()};
                }
            }
        }
        return null;
    }

    /** Whether accuracy is measured, and by what. */
    String accuracyDescription() {
        return accuracyOutput == null ? null : "argmax of output " + accuracyOutput + " against " + labels;
    }

    private final long seed;

    /**
     * Runs epoch {@code number} (0 first) at learning rate {@code rate} and measures it. A model
     * with dropout draws its masks from a stream of the seed and the epoch's number, so a resumed
     * run draws those of one uninterrupted run.
     */
    Epoch epoch(int number, double rate) {
        optimizer.setLearningRate(rate);
        model.setSeed(seed + (number + 1) * 0x9E3779B97F4A7C15L);
        int[] order = CsvData.shuffled(train.rows, rnd);
        double total = 0;
        int batches = (train.rows + batch - 1) / batch;
        for (int from = 0, to, b = 1; from < train.rows; from = to, b++) {
            to = end(from, batch, train.rows);
            if (optimizer instanceof LbfgsOptimizer lbfgs) {
                // L-BFGS evaluates the batch itself, as often as its line search needs.
                int first = from;
                int last = to;
                double loss = lbfgs.step(model.parameters(), model.gradient(), () -> batchGradient(order, first, last));
                if (stopOnDivergence && !Double.isFinite(loss)) {
                    throw new Diverged(number + 1, b, batches, loss);
                }
                total += (to - from) * loss;
                continue;
            }
            double loss = batchGradient(order, from, to);
            if (stopOnDivergence && !Double.isFinite(loss)) {
                throw new Diverged(number + 1, b, batches, loss);
            }
            if (clipNorm > 0) {
                dev.lossc.runtime.Gradients.clipNorm(gradient, clipNorm);
            }
            if (clipValue > 0) {
                dev.lossc.runtime.Gradients.clipValue(gradient, clipValue);
            }
            optimizer.step(model.parameters(), gradient);
            total += (to - from) * loss;
        }
        if (stopOnDivergence && !finite(model.parameters())) {
            throw new Diverged(number + 1, 0, batches, Double.NaN);
        }
        double trainLoss = total / train.rows;
        double validationLoss = validation == null ? Double.NaN : meanLoss(validation);
        double accuracy = accuracyOutput == null ? Double.NaN : accuracy(validation != null ? validation : train);
        return new Epoch(number, rate, trainLoss, validationLoss, accuracy);
    }

    /** The gradient of the last {@link #batchGradient}: the model's own array, or {@link #sum}'s mean. */
    private double[] gradient;

    private static boolean finite(double[] v) {
        for (double x : v) {
            if (!Double.isFinite(x)) {
                return false;
            }
        }
        return true;
    }

    /** The loss and gradient of rows {@code order[from..to)} (into {@link #gradient}); returns the batch's mean loss. */
    private double batchGradient(int[] order, int from, int to) {
        if (batched && to - from <= maxRows) {
            double loss = model.lossAndGradient(train.rows(order, from, to));
            gradient = model.gradient();
            return loss;
        }
        // One call per row, or per chunk of at most the varying dim's maximum rows: the gradients
        // weighted by their rows, so a mean over the batch is the mean over all of its rows.
        java.util.Arrays.fill(sum, 0.0);
        double[] loss = {0};
        calls(train, order, from, to, (rows, n) -> {
            loss[0] += n * model.lossAndGradient(rows);
            double[] g = model.gradient();
            for (int k = 0; k < sum.length; k++) {
                sum[k] += n * g[k];
            }
        });
        int n = to - from;
        double[] g = model.gradient();
        for (int k = 0; k < sum.length; k++) {
            g[k] = sum[k] / n;
        }
        gradient = g;
        return loss[0] / n;
    }

    /** What runs on the rows of one call of the model: the rows by input, and how many there are. */
    private interface Call {
        void run(Map<String, double[]> rows, int n);
    }

    /**
     * Rows {@code order[from..to)} of {@code data}, in the calls the model takes them in: one row
     * per call, or for a batch model up to its varying dim's maximum rows per call.
     */
    private void calls(CsvData data, int[] order, int from, int to, Call body) {
        int step = batched ? maxRows : 1;
        for (int i = from, end; i < to; i = end) {
            end = end(i, step, to);
            body.run(data.rows(order, i, end), end - i);
        }
    }

    /**
     * Where a batch or call of up to {@code step} rows from {@code from} ends. In a model with
     * states (batch norm over the rows), no call may have one row: a last piece of one row takes
     * one from the piece before it, which then ends a row early (…, step - 1, 2).
     */
    private int end(int from, int step, int to) {
        int end = Math.min(to, from + step);
        if (pairs && to - end == 1 && end - from > 2) {
            end--;
        }
        return end;
    }

    /**
     * The loss over all of {@code data}: per row (weighted by rows for a batch model's calls). A
     * {@code loss} call is a training call, which updates the states (batch norm's running
     * statistics): they are put back after measuring, so the validation data never reach them.
     */
    double meanLoss(CsvData data) {
        double[] total = {0};
        double[] snapshot = model.layout().states().isEmpty() ? null : model.snapshot();
        calls(data, CsvData.inOrder(data.rows), 0, data.rows, (rows, n) -> total[0] += n * model.loss(rows));
        if (snapshot != null) {
            model.restore(snapshot);
        }
        return total[0] / data.rows;
    }

    private double accuracy(CsvData data) {
        int[] right = {0};
        calls(data, CsvData.inOrder(data.rows), 0, data.rows, (rows, n) -> {
            double[] out = model.output(accuracyOutput, rows);
            double[] label = rows.get(labels);
            int k = out.length / n;
            for (int i = 0; i < n; i++) {
                int best = 0;
                for (int j = 1; j < k; j++) {
                    if (out[i * k + j] > out[i * k + best]) {
                        best = j;
                    }
                }
                right[0] += best == (int) label[i] ? 1 : 0;
            }
        });
        return (double) right[0] / data.rows;
    }
}
