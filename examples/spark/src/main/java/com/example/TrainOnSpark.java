package com.example;

import dev.lossc.runtime.Adam;
import dev.lossc.spark.SparkTrainer;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Trains com.example.nets.Mnist (generated from examples/mnist.loss at build time) on Spark: rows of
 * 784 pixels (one array column "X") and a digit ("labels"), MNIST-shaped digits drawn here (ten
 * stroke patterns, shifted and noised), synchronous mini-batch Adam across the partitions, then the
 * parameters written as lossc train writes them.
 *
 * <p>Arguments: [PARAMS_OUT [ROWS [EPOCHS [AVERAGE_EVERY]]]] (mnist-spark.safetensors, 6000, 3, 0: a
 * synchronous step per batch; k: local steps averaged every k batches). The master is spark-submit's,
 * or local[*] when run on its own.
 */
public final class TrainOnSpark {
    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "mnist-spark.safetensors");
        int rows = args.length > 1 ? Integer.parseInt(args[1]) : 6000;
        int epochs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        int average = args.length > 3 ? Integer.parseInt(args[3]) : 0;
        SparkSession.Builder builder = SparkSession.builder().appName("lossc on Spark: mnist");
        if (!System.getProperties().containsKey("spark.master")) {
            builder.master("local[*]").config("spark.ui.enabled", "false");
        }
        SparkSession spark = builder.getOrCreate();
        try {
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            int partitions = Math.max(2, jsc.defaultParallelism());
            Dataset<Row> train = digits(spark, rows, partitions, 1);
            Dataset<Row> validation = digits(spark, rows / 5, partitions, 2);
            System.out.printf(Locale.ROOT, "training on %d rows in %d partitions, validating on %d%n", rows, partitions, rows / 5);
            SparkTrainer.Result r = SparkTrainer.of("com.example.nets.Mnist")
                    .optimizer(n -> Adam.of(n, 1e-3)).batch(64).epochs(epochs).seed(7).averageEvery(average)
                    .accuracy("probs", "labels")
                    .train(train, validation);
            SparkTrainer.Epoch last = r.epochs().get(r.epochs().size() - 1);
            System.out.printf(Locale.ROOT, "after %d epochs: validation loss %.6f, accuracy %.4f%n", epochs, last.validationLoss(), last.accuracy());
            r.write(out);
            System.out.println("parameters written to " + out);
        } finally {
            spark.stop();
        }
    }

    static final StructType SCHEMA = new StructType(new StructField[] {
        DataTypes.createStructField("X", DataTypes.createArrayType(DataTypes.DoubleType, false), false),
        DataTypes.createStructField("labels", DataTypes.IntegerType, false)});

    /** {@code n} rows drawn where they are kept (each from its index and the seed), in {@code partitions} partitions. */
    static Dataset<Row> digits(SparkSession spark, int n, int partitions, long seed) {
        return spark.range(0, n, 1, partitions).map((MapFunction<Long, Row>) i -> digit(new SplittableRandom(seed * 1_000_003L + i)),
                Encoders.row(SCHEMA));
    }

    /** An MNIST-shaped row: a digit's strokes on a 28 x 28 grid, shifted up to two pixels, with noise; pixels in [0, 1]. */
    static Row digit(SplittableRandom rnd) {
        {
            int digit = rnd.nextInt(10);
            int dx = rnd.nextInt(5) - 2;
            int dy = rnd.nextInt(5) - 2;
            double[] x = new double[784];
            for (int s = 0; s < 4; s++) {
                // Four strokes per digit, each a segment fixed by the digit.
                int x0 = 6 + (digit * 7 + s * 5) % 16;
                int y0 = 6 + (digit * 3 + s * 11) % 16;
                int x1 = 6 + (digit * 5 + s * 13) % 16;
                int y1 = 6 + (digit * 11 + s * 7) % 16;
                for (int t = 0; t <= 20; t++) {
                    int px = Math.min(27, Math.max(0, x0 + (x1 - x0) * t / 20 + dx));
                    int py = Math.min(27, Math.max(0, y0 + (y1 - y0) * t / 20 + dy));
                    x[py * 28 + px] = 1.0;
                }
            }
            for (int p = 0; p < 784; p++) {
                x[p] = Math.min(1, Math.max(0, x[p] + rnd.nextGaussian() * 0.2));
            }
            return RowFactory.create(x, digit);
        }
    }
}
