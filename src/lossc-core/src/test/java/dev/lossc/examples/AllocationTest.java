package dev.lossc.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lossc.InMemoryJavaCompiler;
import dev.lossc.LossCompiler;
import dev.lossc.check.Symbol;
import dev.lossc.check.Typed;
import dev.lossc.testing.Compiled;
import dev.lossc.testing.Repo;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * After warm-up, loss-and-gradient calls allocate nothing: measured with the thread's allocated
 * byte counter around many calls made by a direct (non-reflective) caller compiled with the model.
 */
public class AllocationTest {
    public static String harness(String className, Typed.Program model, dev.lossc.ModelLayout layout) {
        return harness(className, model, layout, "double");
    }

    /** A caller of a class whose element type is {@code real} ({@code double} or {@code float}). */
    static String harness(String className, Typed.Program model, dev.lossc.ModelLayout layout, String real) {
        return harness(className, model, layout, real, false);
    }

    /** With {@code derivatives}, each call also runs {@code hvp}, {@code jvp}, and each output's {@code NAME_jvp} and {@code NAME_jacobian}. */
    static String harness(String className, Typed.Program model, dev.lossc.ModelLayout layout, String real, boolean derivatives) {
        String cast = real.equals("float") ? "(float) " : "";
        StringBuilder fields = new StringBuilder();
        StringBuilder init = new StringBuilder();
        StringBuilder args = new StringBuilder();
        for (Symbol.Input in : model.inputs()) {
            String f = "in" + in.index();
            int limit = Math.max(1, model.indexLimits().getOrDefault(in, 1));
            if (in.integer() && in.shape().isScalar()) {
                fields.append("    private final int ").append(f).append(" = ").append(limit - 1).append(";\n");
            } else if (in.integer()) {
                fields.append("    private final int[] ").append(f).append(" = new int[").append(in.shape().size()).append("];\n");
                init.append("        for (int i = 0; i < ").append(f).append(".length; i++) { ").append(f).append("[i] = (i * 7) % ")
                        .append(limit).append("; }\n");
            } else if (in.shape().isScalar()) {
                fields.append("    private final ").append(real).append(" ").append(f).append(" = 0.25f;\n");
            } else {
                fields.append("    private final ").append(real).append("[] ").append(f).append(" = new ").append(real).append("[")
                        .append(in.shape().size()).append("];\n");
                init.append("        for (int i = 0; i < ").append(f).append(".length; i++) { ").append(f).append("[i] = ").append(cast)
                        .append("Math.sin(i + 1); }\n");
            }
            args.append(args.length() > 0 ? ", " : "").append(f);
        }
        // A dim that varies per call: successive calls cycle through sizes 1, 7 and the maximum.
        StringBuilder sizes = new StringBuilder();
        for (dev.lossc.ModelLayout.VaryingDim d : layout.dims()) {
            fields.append("    private final int[] sizes_").append(d.name()).append(" = {1, ").append(Math.min(7, d.max())).append(", ")
                    .append(d.max()).append("};\n");
            sizes.append(" int size_").append(d.name()).append(" = sizes_").append(d.name()).append("[calls % 3];");
        }
        String lossArgs = String.join(", ", java.util.stream.Stream.concat(layout.lossDims().stream().map(n -> "size_" + n),
                java.util.stream.Stream.of(args.toString()).filter(a -> !a.isEmpty())).toList());
        return "package lossc.examples;\n"
                + "public final class Harness" + className + " implements Runnable {\n"
                + "    private final " + className + " model = new " + className + "();\n"
                + fields
                + "    public double sink;\n"
                + "    private int calls;\n"
                + "    public Harness" + className + "() {\n" + init + "    }\n"
                + outputBuffers(layout, real)
                + (derivatives ? derivativeBuffers(className, layout, real) : "")
                + "    public void run() {" + sizes + " calls++; sink += model.lossAndGradient(" + lossArgs + ");" + outputCalls(layout)
                + (derivatives ? derivativeCalls(layout, lossArgs) : "") + " }\n"
                + "}\n";
    }

    /** One destination array per array output. */
    private static String outputBuffers(dev.lossc.ModelLayout layout, String real) {
        StringBuilder b = new StringBuilder();
        for (int k = 0; k < layout.outputs().size(); k++) {
            dev.lossc.ModelLayout.Output o = layout.outputs().get(k);
            if (o.shape().size() > 1) {
                b.append("    private final ").append(real).append("[] out").append(k).append(" = new ").append(real).append("[")
                        .append(o.shape().size()).append("];\n");
            }
        }
        return b.toString();
    }

    /** A direction, the product's destination, and each output's jvp and Jacobian destinations. */
    private static String derivativeBuffers(String className, dev.lossc.ModelLayout layout, String real) {
        StringBuilder b = new StringBuilder("    private final " + real + "[] dir = new " + real + "[" + className + ".PARAMETER_COUNT];\n"
                + "    private final " + real + "[] hv = new " + real + "[" + className + ".PARAMETER_COUNT];\n"
                + "    { for (int i = 0; i < dir.length; i++) { dir[i] = " + (real.equals("float") ? "(float) " : "") + "Math.cos(i); } }\n");
        for (int k = 0; k < layout.outputs().size(); k++) {
            int n = layout.outputs().get(k).shape().size();
            b.append("    private final ").append(real).append("[] jvp").append(k).append(" = new ").append(real).append("[").append(n).append("];\n");
            b.append("    private final ").append(real).append("[] jac").append(k).append(" = new ").append(real).append("[").append(n)
                    .append(" * ").append(className).append(".PARAMETER_COUNT];\n");
        }
        return b.toString();
    }

    /** {@code hvp}, {@code jvp}, and each output's jvp and Jacobian. */
    private static String derivativeCalls(dev.lossc.ModelLayout layout, String lossArgs) {
        String sep = lossArgs.isEmpty() ? "" : ", ";
        StringBuilder b = new StringBuilder(" sink += model.hvp(" + lossArgs + sep + "dir, hv); sink += model.jvp(" + lossArgs + sep + "dir);");
        for (int k = 0; k < layout.outputs().size(); k++) {
            dev.lossc.ModelLayout.Output o = layout.outputs().get(k);
            List<String> a = outputArgs(layout, o);
            String args = String.join(", ", a) + (a.isEmpty() ? "" : ", ");
            b.append(" sink += model.").append(o.name()).append("_jvp(").append(args).append("dir, jvp").append(k).append(")[0];");
            b.append(" sink += model.").append(o.name()).append("_jacobian(").append(args).append("jac").append(k).append(")[0];");
        }
        return b.toString();
    }

    /** An output method's arguments in the harness: its dims' sizes, then its inputs' fields. */
    private static List<String> outputArgs(dev.lossc.ModelLayout layout, dev.lossc.ModelLayout.Output o) {
        List<String> inputNames = layout.inputs().stream().map(dev.lossc.ModelLayout.Slot::name).toList();
        List<String> a = new java.util.ArrayList<>();
        o.dims().forEach(n -> a.add("size_" + n));
        o.inputs().forEach(n -> a.add("in" + inputNames.indexOf(n)));
        return a;
    }

    /** Every output method too, each with the inputs it takes. */
    private static String outputCalls(dev.lossc.ModelLayout layout) {
        StringBuilder b = new StringBuilder();
        for (int k = 0; k < layout.outputs().size(); k++) {
            dev.lossc.ModelLayout.Output o = layout.outputs().get(k);
            List<String> a = outputArgs(layout, o);
            if (o.shape().size() > 1) {
                a.add("out" + k);
            }
            b.append(" sink += model.").append(o.name()).append("(").append(String.join(", ", a)).append(")")
                    .append(o.shape().size() > 1 ? "[0]" : "").append(";");
        }
        return b.toString();
    }

    @TestFactory
    Stream<DynamicTest> warmedUpCallsAllocateNothing() throws Exception {
        return warmedUp(new LossCompiler.Options(ExamplesTest.PACKAGE), Compiled.JAVA8, source -> true,
                params -> params > 50_000 ? 600 : params > 10_000 ? 3_000 : 30_000);
    }

    /**
     * The same for the examples whose products go through {@code --simd}'s {@code gemm}: once C2
     * has compiled the kernel, its vectors live in registers and nothing is allocated (before
     * that, the interpreter does allocate vector objects; the warm-up covers it).
     */
    @TestFactory
    Stream<DynamicTest> warmedUpSimdCallsAllocateNothing() throws Exception {
        List<String> used = new java.util.ArrayList<>();
        Stream<DynamicTest> tests = warmedUp(new LossCompiler.Options(ExamplesTest.PACKAGE).withSimd(true), Compiled.SIMD,
                source -> source.contains("gemm("), params -> params > 50_000 ? 1_000 : 20_000, used);
        assertEquals(true, used.contains("Mnist"), "the MNIST-shaped example uses the kernel: " + used);
        return tests;
    }

    /** The same for every example generated with {@code --precision float}. */
    @TestFactory
    Stream<DynamicTest> warmedUpFloatCallsAllocateNothing() throws Exception {
        return warmedUp(new LossCompiler.Options(ExamplesTest.PACKAGE).withPrecision(dev.lossc.types.Precision.FLOAT), Compiled.JAVA8,
                source -> true, params -> params > 50_000 ? 600 : params > 10_000 ? 3_000 : 30_000);
    }

    private static Stream<DynamicTest> warmedUp(LossCompiler.Options options, List<String> javac,
            java.util.function.Predicate<String> keep, java.util.function.IntUnaryOperator calls) throws Exception {
        return warmedUp(options, javac, keep, calls, new java.util.ArrayList<>());
    }

    /**
     * The same for every example with {@code --derivatives hvp,jvp,jacobian}, each call also making
     * the Hessian-vector product, the jvps and the Jacobians (but for the two largest networks, whose
     * Jacobians would take a thousand backward passes a call). A call runs a backward pass per
     * output element, so fewer calls warm it up.
     */
    @TestFactory
    Stream<DynamicTest> warmedUpDerivativeCallsAllocateNothing() throws Exception {
        return warmedUp(new LossCompiler.Options(ExamplesTest.PACKAGE).withDerivatives(java.util.EnumSet.of(LossCompiler.Derivative.HVP,
                LossCompiler.Derivative.JVP, LossCompiler.Derivative.JACOBIAN)), Compiled.JAVA8, source -> !source.contains("class Mnist ")
                && !source.contains("class LeNet5 "), params -> params > 2_000 ? 20 : 300);
    }

    /**
     * One test per example compiled with {@code options} whose source {@code keep} accepts (their
     * class names go into {@code used}): its harness, compiled with the class, runs
     * {@code calls(parameter count)} times after as many warm-up calls, and must allocate nothing.
     */
    private static Stream<DynamicTest> warmedUp(LossCompiler.Options options, List<String> javac,
            java.util.function.Predicate<String> keep, java.util.function.IntUnaryOperator calls, List<String> used) throws Exception {
        Map<String, String> sources = new LinkedHashMap<>();
        Map<String, Integer> sizes = new LinkedHashMap<>();
        String real = options.precision().type();
        for (Path model : Repo.exampleModels()) {
            LossCompiler.Result r = LossCompiler.compile(model.getFileName().toString(), Repo.read(model), options);
            LossCompiler.GeneratedClass g = r.output().orElseThrow();
            if (!keep.test(g.source())) {
                continue;
            }
            sources.put(g.qualifiedName(), g.source());
            sources.put("lossc.examples.Harness" + g.className(), harness(g.className(), r.checked().orElseThrow(), r.layout().orElseThrow(), real,
                    options.derivatives().contains(LossCompiler.Derivative.HVP)));
            sizes.put(g.className(), r.checked().orElseThrow().params().stream().mapToInt(p -> p.shape().size()).sum());
            used.add(g.className());
        }
        ClassLoader loader = InMemoryJavaCompiler.compile(sources, javac);
        return sizes.entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
            Runnable run = (Runnable) loader.loadClass("lossc.examples.Harness" + e.getKey()).getConstructor().newInstance();
            int n = calls.applyAsInt(e.getValue());
            assertEquals(0, allocatedBy(run, n), "bytes allocated by " + n + " warmed-up calls");
        }));
    }

    /** The measurement itself can fail: a caller that allocates is seen. */
    @org.junit.jupiter.api.Test
    void theMeasurementSeesAllocation() {
        Object[] keep = new Object[1];
        assertEquals(true, allocatedBy(() -> keep[0] = new double[8], 1_000) >= 1_000 * 64L);
    }

    /** Bytes this thread allocates while running {@code run} {@code calls} times, after a warm-up. */
    public static long allocatedBy(Runnable run, int calls) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        for (int i = 0; i < calls; i++) {
            run.run();
        }
        long best = Long.MAX_VALUE;
        for (int attempt = 0; attempt < 3; attempt++) {
            long empty0 = threads.getThreadAllocatedBytes(id);
            long empty1 = threads.getThreadAllocatedBytes(id);
            long overhead = empty1 - empty0;
            long before = threads.getThreadAllocatedBytes(id);
            for (int i = 0; i < calls; i++) {
                run.run();
            }
            long after = threads.getThreadAllocatedBytes(id);
            best = Math.min(best, after - before - overhead);
        }
        return best;
    }

}
