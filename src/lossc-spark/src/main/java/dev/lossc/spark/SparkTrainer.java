package dev.lossc.spark;

import dev.lossc.runtime.DType;
import dev.lossc.runtime.Optimizer;
import dev.lossc.runtime.Parameters;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Synchronous data-parallel mini-batch training of a class lossc generated, on a {@code Dataset<Row>}.
 *
 * <p>The rows are converted once per partition into contiguous primitive arrays ({@link Block},
 * cached). Each epoch shuffles the row indices on the driver with the seed exactly as
 * {@code lossc train} does and cuts them into batches of {@link #batch} rows. For each batch the
 * driver broadcasts the parameters; every partition computes, for the rows of the batch it holds,
 * the sum of their losses and gradients (calls of up to the batch dim's maximum rows to one
 * instance of the class per executor thread); a {@code treeAggregate} gathers those partial sums
 * and the driver adds them <em>in partition order</em> — the tree moves them without adding, so a
 * run is the same for a given seed and partition count — divides by the batch's rows, and steps
 * the optimizer of lossc-runtime. With the same data and seed, the parameters are those of
 * {@code lossc train} up to the order of one sum per batch (the partitions' shares added last).
 *
 * <pre>{@code
 * SparkTrainer.Result r = SparkTrainer.of("lossc.examples.Mnist")
 *         .optimizer(n -> Adam.of(n, 1e-3)).batch(64).epochs(5).seed(1)
 *         .train(train, validation);
 * r.write(Path.of("mnist.safetensors"));
 * }</pre>
 */
public final class SparkTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(SparkTrainer.class);

    /**
     * What one epoch (from 0) measured, at its learning rate: the mean training loss over its batches; with validation data,
     * the mean validation loss (else NaN); with {@link #accuracy}, the share of rows whose output's
     * argmax is their label, on the validation data if any, else on the training data (else NaN).
     */
    public record Epoch(int number, double learningRate, double trainLoss, double validationLoss, double accuracy) {}

    /** The trained parameters, the class's flat array, and each epoch's figures. */
    public record Result(String className, double[] parameters, List<Epoch> epochs) {
        /** Writes the parameters in the format the file's name says ({@code .json}, {@code .safetensors}, {@code .npz}), as {@code lossc train --out} does. */
        public void write(Path file) throws IOException {
            try {
                Object[][] layout = (Object[][]) Class.forName(className, true, Thread.currentThread().getContextClassLoader())
                        .getMethod("parameterLayout").invoke(null);
                Parameters.of(layout).write(file, parameters, DType.F64);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot read the layout of " + className, e);
            }
        }
    }

    private final String className;
    private OptimizerFactory optimizer;
    private int averageEvery;
    private dev.lossc.runtime.Schedule schedule = dev.lossc.runtime.Schedule.constant();
    private double clipNorm;
    private int batch = 32;
    private int epochs = 1;
    private long seed = 0;
    private double[] initial;
    private String accuracyOutput;
    private String accuracyLabels;
    private java.util.function.Consumer<Epoch> listener = e -> { };

    private SparkTrainer(String className) {
        this.className = className;
    }

    /** A trainer of the generated class {@code className}, which must be on the driver's and the executors' classpath. */
    public static SparkTrainer of(String className) {
        return new SparkTrainer(className);
    }

    /** The optimizer, made on the driver from the parameter count ({@code n -> Adam.of(n, 1e-3)}); SGD at 0.01 by default. */
    public SparkTrainer optimizer(OptimizerFactory make) {
        this.optimizer = make;
        return this;
    }

    /** Rows per step, across all partitions (32 by default, as {@code lossc train}). */
    public SparkTrainer batch(int rows) {
        if (rows < 1) {
            throw new IllegalArgumentException("batch must be 1 or more, but it is " + rows);
        }
        this.batch = rows;
        return this;
    }

    public SparkTrainer epochs(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("epochs must be 0 or more, but it is " + n);
        }
        this.epochs = n;
        return this;
    }

    /** The seed of the shuffles and, without {@link #initial}, of {@code initParameters} (as {@code lossc train --seed}). */
    public SparkTrainer seed(long s) {
        this.seed = s;
        return this;
    }

    /** Parameters to start from (the class's flat order), instead of {@code initParameters(seed)}. */
    public SparkTrainer initial(double[] parameters) {
        this.initial = parameters.clone();
        return this;
    }

    /** The learning rate of each epoch from the optimizer's own (lossc-runtime's {@code Schedule}, as {@code lossc train --schedule}). */
    public SparkTrainer schedule(dev.lossc.runtime.Schedule s) {
        this.schedule = java.util.Objects.requireNonNull(s);
        return this;
    }

    /** Scales each step's gradient to a Euclidean norm of at most {@code max} ({@code clip_grad_norm_}, {@code lossc train --clip-norm}); 0: none. */
    public SparkTrainer clipNorm(double max) {
        if (!(max >= 0 && max < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("clipNorm must be 0 or more and finite, but it is " + max);
        }
        this.clipNorm = max;
        return this;
    }

    /**
     * Local steps with periodic parameter averaging (DL4J's strategy) instead of one synchronous step
     * per batch: each partition takes {@code k} steps of its own optimizer on its own rows (its share
     * of a batch, in the epoch's order), then the driver averages the partitions' parameters weighted
     * by the rows each used. One Spark job per {@code k} batches instead of one per batch; each
     * partition keeps its optimizer's state on its executor. 0 (the default): synchronous steps.
     */
    public SparkTrainer averageEvery(int k) {
        if (k < 0) {
            throw new IllegalArgumentException("averageEvery must be 0 or more, but it is " + k);
        }
        this.averageEvery = k;
        return this;
    }

    /** Measures accuracy after every epoch: the argmax of output {@code output} ({@code [B, K]}) against int input {@code labels} ({@code [B]}). */
    public SparkTrainer accuracy(String output, String labels) {
        this.accuracyOutput = output;
        this.accuracyLabels = labels;
        return this;
    }

    /** Called on the driver after every epoch (besides the log line). */
    public SparkTrainer onEpoch(java.util.function.Consumer<Epoch> l) {
        this.listener = l;
        return this;
    }

    /** Trains on {@code data}; {@code validation} (may be null) is measured after every epoch. */
    public Result train(Dataset<Row> data, Dataset<Row> validation) {
        GeneratedModel model = GeneratedModel.load(className);
        Columns columns = Columns.of(model, data.schema());
        int labels = -1;
        if (accuracyOutput != null) {
            for (int i = 0; i < model.inputs.size(); i++) {
                labels = model.inputs.get(i).name().equals(accuracyLabels) ? i : labels;
            }
            if (labels < 0 || !model.inputs.get(labels).integer() || !model.batched) {
                throw new IllegalArgumentException("accuracy: " + accuracyLabels + " is not an int input of the batch model " + className);
            }
        }
        Measure measure = new Measure(accuracyOutput, labels);
        Columns checked = validation == null ? null : Columns.of(model, validation.schema());
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(data.sparkSession().sparkContext());
        JavaRDD<Block> train = blocks(data, columns);
        JavaRDD<Block> held = validation == null ? null : blocks(validation, checked);
        try {
            List<Integer> sizes = train.map(Block::size).collect();
            long counted = sizes.stream().mapToLong(Integer::longValue).sum();
            long heldRows = held == null ? 0 : held.map(Block::size).fold(0, Integer::sum);
            if (counted == 0) {
                throw new DataException("the training data have no rows");
            }
            int rows = Math.toIntExact(counted);
            int partitions = train.getNumPartitions();
            int depth = partitions <= 4 ? 1 : partitions <= 64 ? 2 : 3;
            double[] params = initial != null ? initial.clone() : initialParameters(model);
            if (params.length != model.parameterCount) {
                throw new IllegalArgumentException("initial parameters: " + params.length + " numbers, but " + className + " has " + model.parameterCount);
            }
            Optimizer opt = optimizer != null ? optimizer.apply(params.length) : dev.lossc.runtime.Sgd.of(params.length, 0.01);
            SplittableRandom rnd = new SplittableRandom(seed);
            String run = java.util.UUID.randomUUID().toString();
            int step = Math.min(batch, rows);
            // With parameter averaging: the most local steps a partition takes in an epoch (each takes its share of a batch).
            int localSteps = 0;
            for (int size : sizes) {
                localSteps = Math.max(localSteps, size == 0 ? 0 : (size + share(step, size, rows) - 1) / share(step, size, rows));
            }
            List<Epoch> done = new ArrayList<>();
            double base = opt.learningRate();
            for (int e = 0; e < epochs; e++) {
                double rate = schedule.at(base, e);
                opt.setLearningRate(rate);
                int[] order = dev.lossc.runtime.Shuffle.order(rows, rnd);
                int[] position = new int[rows];
                for (int p = 0; p < rows; p++) {
                    position[order[p]] = p;
                }
                Broadcast<int[]> where = jsc.broadcast(position);
                double total = 0;
                for (int round = 0; averageEvery > 0 && round * (long) averageEvery < localSteps; round++) {
                    // Parameter averaging: k local steps on every partition, then the weighted mean of their parameters.
                    Broadcast<double[]> now = jsc.broadcast(params);
                    int first = round * averageEvery;
                    OptimizerFactory make = optimizer != null ? optimizer : n -> dev.lossc.runtime.Sgd.of(n, 0.01);
                    String name = className;
                    int k = averageEvery;
                    double clip = clipNorm;
                    Parts parts = train.map(b -> Parts.of(localSteps(b, name, where, rows, step, first, k, now, make, run, rate, clip)))
                            .treeAggregate(new Parts(), Parts::merge, Parts::merge, depth);
                    now.destroy();
                    double[] sum = new double[params.length];
                    total += parts.sum(sum);
                    int used = parts.rows();
                    if (used > 0) {
                        for (int j = 0; j < params.length; j++) {
                            params[j] = sum[j] / used;
                        }
                    }
                }
                for (int from = 0; averageEvery == 0 && from < rows; from += step) {
                    int to = Math.min(rows, from + step);
                    Broadcast<double[]> now = jsc.broadcast(params);
                    Parts parts = sums(train, model, where, from, to, now, true, null, depth);
                    now.destroy();
                    double[] gradient = new double[params.length];
                    double loss = parts.sum(gradient);
                    int n = to - from;
                    for (int k = 0; k < gradient.length; k++) {
                        gradient[k] /= n;
                    }
                    if (clipNorm > 0) {
                        dev.lossc.runtime.Gradients.clipNorm(gradient, clipNorm);
                    }
                    opt.step(params, gradient);
                    total += loss;
                }
                where.destroy();
                double validationLoss = Double.NaN;
                double accuracy = Double.NaN;
                Broadcast<double[]> now = jsc.broadcast(params);
                if (held != null && heldRows > 0) {
                    Parts measured = sums(held, model, null, 0, 0, now, false, measure, depth);
                    validationLoss = measured.sum(null) / heldRows;
                    accuracy = accuracyOutput == null ? Double.NaN : (double) measured.correct() / heldRows;
                } else if (accuracyOutput != null) {
                    accuracy = (double) sums(train, model, null, 0, 0, now, false, measure, depth).correct() / rows;
                }
                now.destroy();
                Epoch epoch = new Epoch(e, rate, total / rows, validationLoss, accuracy);
                done.add(epoch);
                LOG.info("{}: epoch {}/{}  lr {}  train loss {}{}{}", className, e + 1, epochs, rate, epoch.trainLoss(),
                        Double.isNaN(validationLoss) ? "" : "  validation loss " + validationLoss,
                        Double.isNaN(accuracy) ? "" : String.format(java.util.Locale.ROOT, "  accuracy %.4f", accuracy));
                listener.accept(epoch);
            }
            return new Result(className, params, List.copyOf(done));
        } catch (DataException | IllegalArgumentException e) {
            throw e;
        } catch (Exception e) {
            // A failed Spark job (a SparkException, undeclared in Java): the executor's exception as the driver's own.
            throw unwrap(e);
        } finally {
            train.unpersist(false);
            if (held != null) {
                held.unpersist(false);
            }
        }
    }

    private double[] initialParameters(GeneratedModel model) {
        try {
            Class<?> type = Class.forName(className, true, Thread.currentThread().getContextClassLoader());
            Object instance = type.getConstructor().newInstance();
            type.getMethod("initParameters", long.class).invoke(instance, seed);
            return ((double[]) type.getMethod("parameters").invoke(instance)).clone();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot initialize " + className, e);
        }
    }

    /** The data, converted once per partition and cached (a bad cell stops here, before training). */
    private static JavaRDD<Block> blocks(Dataset<Row> data, Columns columns) {
        return data.javaRDD().zipWithIndex().mapPartitionsWithIndex((p, it) -> List.of(columns.convert(p, it)).iterator(), true).cache();
    }

    /**
     * Every partition's sums over its rows whose place in the epoch's order is in {@code [from, to)}
     * (all of its rows when {@code where} is null), with the parameters {@code now}: the losses and,
     * when {@code gradient}, the gradients, each summed over the rows (a call's mean times its rows).
     */
    private static Parts sums(JavaRDD<Block> blocks, GeneratedModel driverModel, Broadcast<int[]> where, int from, int to,
                              Broadcast<double[]> now, boolean gradient, Measure measure, int depth) {
        String name = driverModel.className;
        return blocks.map(b -> Parts.of(part(b, name, where, from, to, now, gradient, measure)))
                .treeAggregate(new Parts(), Parts::merge, Parts::merge, depth);
    }

    /** A partition's share of a batch of {@code step} rows: in proportion to its rows, at least 1. */
    private static int share(int step, int size, int rows) {
        return Math.max(1, (int) Math.round((double) step * size / rows));
    }

    /** Each partition's optimizer in a run with parameter averaging, kept on its executor across rounds. */
    private static final java.util.Map<String, Optimizer> LOCAL_OPTIMIZERS = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Local steps {@code first … first + k - 1} of partition {@code b} from the parameters {@code now}:
     * its rows in the epoch's order, in batches of its share of {@code step} rows, each a step of the
     * partition's own optimizer. Returns the rows used, their losses' sum and the parameters times
     * those rows (null when the partition has no rows left for these steps).
     */
    private static Parts.Part localSteps(Block b, String className, Broadcast<int[]> where, int rows, int step, int first, int k,
                                         Broadcast<double[]> now, OptimizerFactory make, String run, double rate, double clip) {
        int[] order = Order.of(b, where).rows;
        int share = share(step, b.size(), rows);
        if ((long) first * share >= order.length) {
            return null;
        }
        GeneratedModel m = GeneratedModel.local(className);
        double[] p = m.parameters();
        System.arraycopy(now.value(), 0, p, 0, m.parameterCount);
        // The map is not changed inside computeIfAbsent (ConcurrentHashMap forbids it): other runs' optimizers are dropped first.
        String key = run + ":" + b.partition;
        Optimizer opt = LOCAL_OPTIMIZERS.get(key);
        if (opt == null) {
            LOCAL_OPTIMIZERS.keySet().removeIf(other -> !other.startsWith(run + ":"));
            opt = LOCAL_OPTIMIZERS.computeIfAbsent(key, unused -> make.apply(m.parameterCount));
        }
        opt.setLearningRate(rate);
        double[] grad = new double[m.parameterCount];
        double loss = 0;
        int used = 0;
        for (int s = first; s < first + k && (long) s * share < order.length; s++) {
            int from = s * share;
            int to = Math.min(order.length, from + share);
            java.util.Arrays.fill(grad, 0);
            loss += throughModel(m, b, order, from, to, grad, null, null);
            for (int j = 0; j < grad.length; j++) {
                grad[j] /= to - from;
            }
            if (clip > 0) {
                dev.lossc.runtime.Gradients.clipNorm(grad, clip);
            }
            opt.step(p, grad);
            used += to - from;
        }
        double[] weighted = new double[p.length];
        for (int j = 0; j < p.length; j++) {
            weighted[j] = p[j] * used;
        }
        return new Parts.Part(b.partition, used, loss, weighted, 0);
    }

    /** What a measuring pass counts besides the loss: the rows whose output's argmax is their label (none when {@code output} is null). */
    private record Measure(String output, int labels) implements java.io.Serializable {}

    /** One partition's share of a batch (null when it holds none of its rows). */
    private static Parts.Part part(Block b, String className, Broadcast<int[]> where, int from, int to, Broadcast<double[]> now, boolean withGradient,
                                   Measure measure) {
        int[] pick = where == null ? identity(b.size()) : picked(b, where, from, to);
        if (pick.length == 0) {
            return null;
        }
        GeneratedModel m = GeneratedModel.local(className);
        System.arraycopy(now.value(), 0, m.parameters(), 0, m.parameterCount);
        double[] grad = withGradient ? new double[m.parameterCount] : null;
        long[] correct = {0};
        double loss = throughModel(m, b, pick, 0, pick.length, grad, measure, correct);
        return new Parts.Part(b.partition, pick.length, loss, grad, correct[0]);
    }

    /**
     * Rows {@code pick[from..to)} of {@code b} through {@code m}, in calls of at most its batch dim's
     * rows: returns the sum of their losses (each call's mean times its rows); with {@code grad}, adds
     * the sum of their gradients into it (likewise), else calls {@code loss} only; with a
     * {@code measure} of an output, adds the rows whose argmax is their label to {@code correct[0]}.
     */
    private static double throughModel(GeneratedModel m, Block b, int[] pick, int from, int to, double[] grad, Measure measure, long[] correct) {
        Columns.Buffers buffers = Columns.Buffers.of(m, m.batched ? m.maxRows : 1);
        int step = m.batched ? m.maxRows : 1;
        double loss = 0;
        for (int i = from; i < to; i += step) {
            int end = Math.min(to, i + step);
            int n = end - i;
            b.gather(pick, i, end, buffers.perRow, buffers.data);
            loss += n * m.run(grad != null, n, buffers.data);
            if (measure != null && measure.output() != null) {
                correct[0] += correct(m, measure, n, buffers);
            }
            if (grad != null) {
                double[] g = m.gradient();
                for (int k = 0; k < grad.length; k++) {
                    grad[k] += n * g[k];
                }
            }
        }
        return loss;
    }

    /** How many of the {@code n} rows in {@code buffers} have their output's argmax equal to their label. */
    private static long correct(GeneratedModel m, Measure measure, int n, Columns.Buffers buffers) {
        double[] out = buffers.output(measure.output(), m);
        m.output(measure.output(), n, buffers.data, out);
        int[] labels = (int[]) buffers.data[measure.labels()];
        int k = out.length / m.maxRows;
        long right = 0;
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int j = 1; j < k; j++) {
                if (out[i * k + j] > out[i * k + best]) {
                    best = j;
                }
            }
            right += best == labels[i] ? 1 : 0;
        }
        return right;
    }

    private static int[] identity(int n) {
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        return all;
    }

    /** The local rows of {@code b} whose place in the epoch's order is in {@code [from, to)}, in that order. */
    private static int[] picked(Block b, Broadcast<int[]> where, int from, int to) {
        Order o = Order.of(b, where);
        int lo = lowerBound(o.places, from);
        int hi = lowerBound(o.places, to);
        return Arrays.copyOfRange(o.rows, lo, hi);
    }

    private static int lowerBound(int[] sorted, int key) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < key) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** A partition's rows sorted by their place in an epoch's order, kept per executor for the epoch's broadcast. */
    private record Order(int[] rows, int[] places) {
        private static final java.util.Map<String, Order> CACHE = new java.util.concurrent.ConcurrentHashMap<>();

        static Order of(Block b, Broadcast<int[]> where) {
            String key = where.id() + ":" + b.partition;
            Order o = CACHE.get(key);
            if (o == null) {
                CACHE.keySet().removeIf(k -> !k.startsWith(where.id() + ":"));
                int[] place = where.value();
                Integer[] idx = new Integer[b.size()];
                for (int i = 0; i < idx.length; i++) {
                    idx[i] = i;
                }
                Arrays.sort(idx, (x, y) -> Integer.compare(place[(int) b.rows[x]], place[(int) b.rows[y]]));
                int[] rows = new int[idx.length];
                int[] places = new int[idx.length];
                for (int i = 0; i < idx.length; i++) {
                    rows[i] = idx[i];
                    places[i] = place[(int) b.rows[idx[i]]];
                }
                o = new Order(rows, places);
                CACHE.put(key, o);
            }
            return o;
        }
    }

    /** A {@link DataException} (or other cause) thrown on an executor, as the driver's own. */
    private static RuntimeException unwrap(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof DataException d) {
                return new DataException(d.getMessage());
            }
            if (t instanceof IllegalArgumentException a) {
                return new IllegalArgumentException(a.getMessage(), e);
            }
        }
        return new IllegalStateException(e.getMessage(), e);
    }
}
