package dev.lossc.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossc.LossCompiler;
import dev.lossc.runtime.Adam;
import dev.lossc.runtime.Parameters;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * lossc-spark in {@code local[2]}: the trajectory of {@code lossc train} on the same data and seed,
 * at 1, 2 and 4 partitions, with a partition of no rows, from element columns or array columns;
 * bad data named by column and row before training.
 */
class SparkTrainerTest {
    /** A batch classifier whose batch dim (8) is smaller than the training batch (16): calls split into chunks. */
    static final String SOURCE = """
            model Tiny;
            dim B <= 8, P = 3, H = 5, K = 3;
            input X[B, P];
            input labels[B]: int;
            param W1[H, P] init he;
            param b1[H];
            param W2[K, H] init xavier;
            param b2[K];
            let logits = tanh(X @ transpose(W1) + b1) @ transpose(W2) + b2;
            output probs = softmax(logits);
            loss cross_entropy(logits, labels);
            """;
    static final int ROWS = 100;

    @TempDir
    static Path dir;
    static SparkSession spark;
    static JavaSparkContext jsc;
    static ClassLoader previous;
    static List<double[]> xs = new ArrayList<>();
    static List<Integer> ys = new ArrayList<>();
    static Path loss;
    static Path csv;

    @BeforeAll
    static void start() throws Exception {
        // The generated class, compiled to a directory the executors' class loader sees (in local mode, the driver thread's).
        LossCompiler.Result r = LossCompiler.compile("tiny.loss", SOURCE, LossCompiler.Options.DEFAULT);
        assertTrue(r.ok(), r.render());
        LossCompiler.GeneratedClass g = r.output().orElseThrow();
        Path src = dir.resolve("Tiny.java");
        Files.writeString(src, g.source());
        Path classes = Files.createDirectories(dir.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertEquals(0, javac.run(null, null, null, "-d", classes.toString(), src.toString()));
        previous = Thread.currentThread().getContextClassLoader();
        Thread.currentThread().setContextClassLoader(new URLClassLoader(new URL[] {classes.toUri().toURL()}, previous));
        spark = SparkSession.builder().master("local[2]").appName("lossc-spark tests").config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2").getOrCreate();
        jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        // Three classes around three centres, 100 rows; the same rows as CSV for lossc train.
        SplittableRandom rnd = new SplittableRandom(3);
        StringBuilder text = new StringBuilder("X[0],X[1],X[2],labels\n");
        for (int i = 0; i < ROWS; i++) {
            int y = rnd.nextInt(3);
            double[] x = new double[3];
            for (int k = 0; k < 3; k++) {
                x[k] = (k == y ? 1.5 : 0) + rnd.nextGaussian() * 0.7;
            }
            xs.add(x);
            ys.add(y);
            text.append(x[0]).append(',').append(x[1]).append(',').append(x[2]).append(',').append(y).append('\n');
        }
        loss = dir.resolve("tiny.loss");
        Files.writeString(loss, SOURCE);
        csv = dir.resolve("tiny.csv");
        Files.writeString(csv, text);
    }

    @AfterAll
    static void stop() {
        spark.stop();
        Thread.currentThread().setContextClassLoader(previous);
    }

    static final StructType ELEMENTS = new StructType(new StructField[] {
        DataTypes.createStructField("X[0]", DataTypes.DoubleType, true), DataTypes.createStructField("X[1]", DataTypes.DoubleType, true),
        DataTypes.createStructField("X[2]", DataTypes.DoubleType, true), DataTypes.createStructField("labels", DataTypes.IntegerType, true)});

    /** The rows, in order, in {@code partitions} slices (one of them empty when {@code hole}). */
    static Dataset<Row> data(int partitions, boolean hole) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
            double[] x = xs.get(i);
            rows.add(RowFactory.create(x[0], x[1], x[2], ys.get(i)));
        }
        JavaRDD<Row> rdd = jsc.parallelize(rows, partitions);
        if (hole) {
            rdd = jsc.parallelize(rows.subList(0, 40), 1).union(jsc.parallelize(new ArrayList<Row>(), 1)).union(jsc.parallelize(rows.subList(40, ROWS), 1));
        }
        return spark.createDataFrame(rdd, ELEMENTS);
    }

    static double[] trainWithCli(List<String> lines, String... more) throws Exception {
        Path out = dir.resolve("cli-" + System.nanoTime() + ".json");
        StringWriter text = new StringWriter();
        List<String> args = new ArrayList<>(List.of("train", loss.toString(), "--data", csv.toString(), "--validate", csv.toString(),
            "--optimizer", "adam", "--lr", "0.05", "--epochs", "4", "--batch", "16", "--seed", "5", "--out", out.toString()));
        args.addAll(List.of(more));
        int code = dev.lossc.cli.Main.run(args.toArray(String[]::new),
                new PrintWriter(text, true), new PrintWriter(new StringWriter(), true));
        assertEquals(0, code, text.toString());
        for (String line : text.toString().split("\n")) {
            if (line.startsWith("epoch ")) {
                lines.add(line);
            }
        }
        Class<?> tiny = Class.forName("Tiny", true, Thread.currentThread().getContextClassLoader());
        double[] params = new double[(Integer) tiny.getField("PARAMETER_COUNT").get(null)];
        Parameters.of((Object[][]) tiny.getMethod("parameterLayout").invoke(null)).read(out, params);
        return params;
    }

    static SparkTrainer.Result trainWithSpark(Dataset<Row> data) {
        return SparkTrainer.of("Tiny").optimizer(n -> Adam.of(n, 0.05)).batch(16).epochs(4).seed(5).accuracy("probs", "labels").train(data, data);
    }

    static double worst(double[] a, double[] b) {
        double w = 0;
        for (int k = 0; k < a.length; k++) {
            w = Math.max(w, Math.abs(a[k] - b[k]) / Math.max(1, Math.abs(a[k])));
        }
        return w;
    }

    @Test
    void followsLosscTrainAtEveryPartitionCount() throws Exception {
        List<String> lines = new ArrayList<>();
        double[] expected = trainWithCli(lines);
        for (int partitions : new int[] {1, 2, 4}) {
            SparkTrainer.Result r = trainWithSpark(data(partitions, false));
            assertTrue(worst(expected, r.parameters()) <= 1e-12, partitions + " partitions: " + worst(expected, r.parameters()));
            // Each epoch's losses, as lossc train prints them.
            assertEquals(4, r.epochs().size());
            for (int e = 0; e < 4; e++) {
                Matcher m = Pattern.compile("train loss (\\S+)  validation loss (\\S+)  accuracy (\\S+)").matcher(lines.get(e));
                assertTrue(m.find(), lines.get(e));
                assertEquals(Double.parseDouble(m.group(3)), r.epochs().get(e).accuracy(), 1e-12);
                assertEquals(Double.parseDouble(m.group(1)), r.epochs().get(e).trainLoss(), 1e-5 * Math.abs(r.epochs().get(e).trainLoss()));
                assertEquals(Double.parseDouble(m.group(2)), r.epochs().get(e).validationLoss(), 1e-5 * Math.abs(r.epochs().get(e).validationLoss()));
            }
        }
        assertTrue(trainWithSpark(data(1, false)).epochs().get(3).trainLoss() < trainWithSpark(data(1, false)).epochs().get(0).trainLoss());
    }

    @Test
    void schedulesAndClippingAsLosscTrain() throws Exception {
        double[] expected = trainWithCli(new ArrayList<>(), "--schedule", "step:1:0.5", "--clip-norm", "0.3");
        SparkTrainer.Result r = SparkTrainer.of("Tiny").optimizer(n -> Adam.of(n, 0.05)).batch(16).epochs(4).seed(5)
                .schedule(dev.lossc.runtime.Schedule.step(1, 0.5)).clipNorm(0.3).train(data(2, false), null);
        assertTrue(worst(expected, r.parameters()) <= 1e-12, "" + worst(expected, r.parameters()));
        assertEquals(0.05 / 8, r.epochs().get(3).learningRate(), 1e-18);
    }

    @Test
    void aRunIsReproducibleAndAnEmptyPartitionChangesNothing() {
        double[] a = trainWithSpark(data(3, false)).parameters();
        double[] b = trainWithSpark(data(3, false)).parameters();
        assertArrayEquals(a, b, "the same seed and partition count give the same bits");
        double[] hole = trainWithSpark(data(0, true)).parameters();
        assertTrue(worst(a, hole) <= 1e-12, "with an empty partition: " + worst(a, hole));
    }

    @Test
    void arrayColumnsAreTheSameData() {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
            double[] x = xs.get(i);
            rows.add(RowFactory.create(x.clone(), (long) ys.get(i)));
        }
        StructType schema = new StructType(new StructField[] {
            DataTypes.createStructField("X", DataTypes.createArrayType(DataTypes.DoubleType), true),
            DataTypes.createStructField("labels", DataTypes.LongType, true)});
        Dataset<Row> arrays = spark.createDataFrame(jsc.parallelize(rows, 2), schema);
        assertArrayEquals(trainWithSpark(data(2, false)).parameters(), trainWithSpark(arrays).parameters());
    }

    @Test
    void badDataIsNamedByColumnAndRowBeforeTraining() {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
            double[] x = xs.get(i);
            rows.add(RowFactory.create(x[0], i == 6 ? Double.NaN : x[1], x[2], i == 41 ? -1 : ys.get(i)));
        }
        DataException nan = assertThrows(DataException.class, () -> trainWithSpark(spark.createDataFrame(jsc.parallelize(rows.subList(0, 30), 2), ELEMENTS)));
        assertEquals("column 'X[1]', row 7: the value is NaN", nan.getMessage());
        DataException label = assertThrows(DataException.class, () -> trainWithSpark(spark.createDataFrame(jsc.parallelize(rows.subList(10, ROWS), 2), ELEMENTS)));
        assertEquals("column 'labels', row 32: the value is -1, but input labels takes whole numbers from 0 (class labels, token ids)", label.getMessage());
        DataException missing = assertThrows(DataException.class, () -> trainWithSpark(data(2, false).drop("X[2]")));
        assertEquals("no column 'X[2]' for input X ([8, 3]): give columns 'X[0]' … 'X[2]', or one array column 'X'", missing.getMessage());
        DataException type = assertThrows(DataException.class,
                () -> trainWithSpark(data(2, false).withColumn("labels", org.apache.spark.sql.functions.lit("three"))));
        assertEquals("column 'labels' is string, but input labels takes whole numbers", type.getMessage());
    }

    @Test
    void parameterAveragingIsLocalStepsThenTheMean() {
        // With one partition, averaging after k local steps is plain training: lossc train's trajectory.
        SparkTrainer.Result one = SparkTrainer.of("Tiny").optimizer(n -> Adam.of(n, 0.05)).batch(16).epochs(4).seed(5).averageEvery(3)
                .train(data(1, false), data(1, false));
        assertTrue(worst(trainWithSpark(data(1, false)).parameters(), one.parameters()) <= 1e-12);
        // With several, every row is used once an epoch, the run is reproducible, and it learns.
        SparkTrainer.Result a = SparkTrainer.of("Tiny").optimizer(n -> Adam.of(n, 0.05)).batch(16).epochs(6).seed(5).averageEvery(2)
                .accuracy("probs", "labels").train(data(4, false), data(4, false));
        SparkTrainer.Result b = SparkTrainer.of("Tiny").optimizer(n -> Adam.of(n, 0.05)).batch(16).epochs(6).seed(5).averageEvery(2)
                .accuracy("probs", "labels").train(data(4, false), data(4, false));
        assertArrayEquals(a.parameters(), b.parameters());
        assertTrue(a.epochs().get(5).validationLoss() < 0.6 * a.epochs().get(0).validationLoss(), a.epochs().toString());
        assertTrue(a.epochs().get(5).accuracy() > 0.85, a.epochs().toString());
    }

    @Test
    void whatItCannotTrainIsRefusedWithTheReason() {
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> SparkTrainer.of("NoSuchNet").train(data(1, false), null));
        assertEquals("no class NoSuchNet on the classpath (generate it with lossc and ship it with the job)", none.getMessage());
        IllegalArgumentException notGenerated = assertThrows(IllegalArgumentException.class,
                () -> SparkTrainer.of("java.lang.StringBuilder").train(data(1, false), null));
        assertTrue(notGenerated.getMessage().startsWith("java.lang.StringBuilder is not a class lossc generated"), notGenerated.getMessage());
        IllegalArgumentException accuracy = assertThrows(IllegalArgumentException.class,
                () -> SparkTrainer.of("Tiny").accuracy("probs", "X").train(data(1, false), null));
        assertEquals("accuracy: X is not an int input of the batch model Tiny", accuracy.getMessage());
    }

    @Test
    void writesTheParametersInTheFormatsOfLosscTrain() throws Exception {
        SparkTrainer.Result r = trainWithSpark(data(2, false));
        Class<?> tiny = Class.forName("Tiny", true, Thread.currentThread().getContextClassLoader());
        Parameters layout = Parameters.of((Object[][]) tiny.getMethod("parameterLayout").invoke(null));
        for (String name : new String[] {"tiny.json", "tiny.safetensors", "tiny.npz"}) {
            Path file = dir.resolve(name);
            r.write(file);
            double[] back = new double[r.parameters().length];
            layout.read(file, back);
            assertArrayEquals(r.parameters(), back, name);
        }
    }
}
