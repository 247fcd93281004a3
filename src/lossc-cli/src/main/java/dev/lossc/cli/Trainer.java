package dev.lossc.cli;

import dev.lossc.ModelDriver;
import dev.lossc.ModelLayout;
import dev.lossc.runtime.Optimizer;
import dev.lossc.runtime.Schedule;
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
    record Epoch(int number, double learningRate, double trainLoss, double validationLoss, double accuracy) {}

    private final ModelDriver model;
    private final ModelLayout layout;
    private final CsvData train;
    private final CsvData validation;
    private final Optimizer optimizer;
    private final Schedule schedule;
    private final double baseRate;
    private final int batch;
    private final SplittableRandom rnd;
    private final boolean batched;
    private final int maxRows;
    private final double[] sum;
    /** The output and int input that accuracy compares (argmax of the output against the label), or null. */
    private final String accuracyOutput;
    private final String labels;

    Trainer(ModelDriver model, CsvData train, CsvData validation, Optimizer optimizer, Schedule schedule, int batch, long seed) {
        this.model = model;
        this.layout = model.layout();
        this.train = train;
        this.validation = validation;
        this.optimizer = optimizer;
        this.schedule = schedule;
        this.baseRate = optimizer.learningRate();
        this.batched = CsvData.batched(layout);
        this.maxRows = batched ? layout.dims().stream().mapToInt(ModelLayout.VaryingDim::max).min().orElse(1) : Integer.MAX_VALUE;
        this.batch = Math.max(1, Math.min(batch, train.rows));
        this.rnd = new SplittableRandom(seed);
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

    /** Runs epoch {@code number} (0 first) and measures it. */
    Epoch epoch(int number) {
        double rate = schedule.at(baseRate, number);
        optimizer.setLearningRate(rate);
        int[] order = CsvData.shuffled(train.rows, rnd);
        double total = 0;
        for (int from = 0; from < train.rows; from += batch) {
            int to = Math.min(train.rows, from + batch);
            total += (to - from) * batchStep(order, from, to);
        }
        double trainLoss = total / train.rows;
        double validationLoss = validation == null ? Double.NaN : meanLoss(validation);
        double accuracy = accuracyOutput == null ? Double.NaN : accuracy(validation != null ? validation : train);
        return new Epoch(number, rate, trainLoss, validationLoss, accuracy);
    }

    /** One optimizer step on rows {@code order[from..to)}; returns the batch's mean loss. */
    private double batchStep(int[] order, int from, int to) {
        if (batched && to - from <= maxRows) {
            double loss = model.lossAndGradient(train.rows(order, from, to));
            optimizer.step(model.parameters(), model.gradient());
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
        optimizer.step(model.parameters(), g);
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
        for (int i = from; i < to; i += step) {
            int end = Math.min(to, i + step);
            body.run(data.rows(order, i, end), end - i);
        }
    }

    /** The loss over all of {@code data}: per row (weighted by rows for a batch model's calls). */
    double meanLoss(CsvData data) {
        double[] total = {0};
        calls(data, CsvData.inOrder(data.rows), 0, data.rows, (rows, n) -> total[0] += n * model.loss(rows));
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
