package dev.lossc.spark;

import dev.lossc.LossCompiler;
import dev.lossc.runtime.Adam;
import java.io.BufferedWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Not a test (not run by CI): one epoch over 10^6 rows of a 16-feature, 32-unit, 4-class classifier
 * with lossc train in one JVM and with lossc-spark at local[1] and local[2] (synchronous, and
 * averaging every 16 batches), batch 1024. Run with
 * {@code mvn -Pspark -pl src/lossc-spark test-compile org.codehaus.mojo:exec-maven-plugin:3.5.0:java -Dexec.mainClass=dev.lossc.spark.EpochBenchmark -Dexec.classpathScope=test}
 * (docs/spark.md has its figures).
 */
public final class EpochBenchmark {
    static final String SOURCE = """
            model Wide;
            dim B <= 1024, P = 16, H = 32, K = 4;
            input X[B, P];
            input labels[B]: int;
            param W1[H, P] init he;
            param b1[H];
            param W2[K, H] init xavier;
            param b2[K];
            let logits = relu(X @ transpose(W1) + b1) @ transpose(W2) + b2;
            output probs = softmax(logits);
            loss cross_entropy(logits, labels);
            """;
    static final int ROWS = 1_000_000;
    static final int BATCH = 1024;

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("lossc-spark-bench");
        LossCompiler.Result r = LossCompiler.compile("wide.loss", SOURCE, LossCompiler.Options.DEFAULT);
        Path src = dir.resolve("Wide.java");
        Files.writeString(src, r.output().orElseThrow().source());
        Path classes = Files.createDirectories(dir.resolve("classes"));
        if (javax.tools.ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", classes.toString(), src.toString()) != 0) {
            throw new IllegalStateException("javac failed");
        }
        Thread.currentThread().setContextClassLoader(new URLClassLoader(new URL[] {classes.toUri().toURL()}, EpochBenchmark.class.getClassLoader()));
        Path loss = dir.resolve("wide.loss");
        Files.writeString(loss, SOURCE);
        Path csv = dir.resolve("wide.csv");
        try (BufferedWriter w = Files.newBufferedWriter(csv)) {
            StringBuilder header = new StringBuilder();
            for (int k = 0; k < 16; k++) {
                header.append("X[").append(k).append("],");
            }
            w.write(header.append("labels\n").toString());
            for (int i = 0; i < ROWS; i++) {
                Object[] row = row(i);
                double[] x = (double[]) row[0];
                StringBuilder line = new StringBuilder();
                for (double v : x) {
                    line.append(v).append(',');
                }
                w.write(line.append(row[1]).append('\n').toString());
            }
        }
        long t0 = System.nanoTime();
        StringWriter out = new StringWriter();
        dev.lossc.cli.Main.run(new String[] {"train", loss.toString(), "--data", csv.toString(), "--optimizer", "adam", "--lr", "0.001",
            "--epochs", "1", "--batch", Integer.toString(BATCH), "--seed", "1"}, new PrintWriter(out, true), new PrintWriter(out, true));
        report("lossc train, one JVM (CSV read included)", t0, out.toString().lines().filter(l -> l.startsWith("epoch")).findFirst().orElse(out.toString()));
        for (String master : new String[] {"local[1]", "local[2]"}) {
            SparkSession spark = SparkSession.builder().master(master).config("spark.ui.enabled", "false").getOrCreate();
            spark.sparkContext().setLogLevel("ERROR");
            int partitions = master.equals("local[1]") ? 1 : 2;
            Dataset<Row> data = spark.range(0, ROWS, 1, partitions).map((MapFunction<Long, Row>) i -> RowFactory.create(row(i)), Encoders.row(SCHEMA));
            for (int average : new int[] {0, 16}) {
                for (int epochs : new int[] {1, 2}) {
                    long t = System.nanoTime();
                    SparkTrainer.Result res = SparkTrainer.of("Wide").optimizer(n -> Adam.of(n, 0.001)).batch(BATCH).epochs(epochs).seed(1)
                            .averageEvery(average).train(data, null);
                    report(String.format(Locale.ROOT, "%s, %s, %d epoch(s) (conversion included)", master,
                            average == 0 ? "synchronous" : "averaging every " + average, epochs), t,
                            "last train loss " + res.epochs().get(epochs - 1).trainLoss());
                }
            }
            spark.stop();
        }
    }

    static final StructType SCHEMA = new StructType(new StructField[] {
        DataTypes.createStructField("X", DataTypes.createArrayType(DataTypes.DoubleType, false), false),
        DataTypes.createStructField("labels", DataTypes.IntegerType, false)});

    /** Row {@code i}: four classes around four centres in 16 dimensions. */
    static Object[] row(long i) {
        SplittableRandom rnd = new SplittableRandom(i * 0x9E3779B97F4A7C15L + 17);
        int y = rnd.nextInt(4);
        double[] x = new double[16];
        for (int k = 0; k < 16; k++) {
            x[k] = (k % 4 == y ? 1.0 : 0.0) + rnd.nextGaussian();
        }
        return new Object[] {x, y};
    }

    private static void report(String what, long start, String detail) {
        System.out.printf(Locale.ROOT, "%-70s %8.1f s   %s%n", what, (System.nanoTime() - start) / 1e9, detail);
    }
}
