package dev.lossc.codegen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.lang.model.element.Modifier;

/**
 * The members of a parallel class ({@code --parallel}): {@code setThreads(int)}, {@code threads()}
 * and {@code close()}, the persistent daemon workers, and one method per kernel that runs split
 * across them ({@link Kernels.Parallel}).
 *
 * <p>The handshake allocates nothing: the calling thread writes a kernel number and a range of
 * rows into a worker's fields, then bumps the worker's volatile {@code go} counter and unparks it;
 * the worker, spinning or parked, runs the range and sets its volatile {@code done} to the same
 * count; the caller runs the first range itself and then waits for each {@code done}. A worker
 * spins a while after each range before it parks, so the kernels of one call find it awake.
 * The ranges split rows of a result, never a sum, so every element is computed by the same
 * additions in the same order at any thread count: the results are the same to the bit.
 */
final class ParallelWriter implements Kernels.Parallel {
    /** The most threads {@code setThreads} accepts. */
    static final int MAX_THREADS = 256;
    /** Names the parallel members use from java.lang and java.util.concurrent: no field may hide them. */
    static final String[] TYPES = {"Thread", "InterruptedException", "Throwable", "IllegalStateException", "AutoCloseable", "LockSupport",
        "AtomicInteger"};
    private static final ClassName LOCK_SUPPORT = ClassName.get("java.util.concurrent.locks", "LockSupport");
    private static final ClassName ATOMIC_INTEGER = ClassName.get("java.util.concurrent.atomic", "AtomicInteger");
    /**
     * How long a worker spins after a piece of work before it parks: longer than the serial code
     * between two split kernels of a call, and than the optimizer's step between two calls of a
     * training loop, takes on the networks that split (a parked worker takes tens of microseconds
     * to wake here, more than a split product of a 784-128-10 step saves).
     */
    static final long SPIN_NANOS = 1_000_000L;
    /** Spins the calling thread makes waiting for a worker before it starts yielding. */
    static final int SPINS = 1 << 15;
    /**
     * Doubles each per-thread row is longer than it needs: 128 bytes, so that two threads' rows,
     * allocated next to each other, never share a cache line (a shared line at the seam of two
     * scratch rows made a 784-128-10 step slower on two threads than on one).
     */
    static final int PAD = 16;

    private final ClassWriter w;
    /** The split kernels, in the order of their numbers. */
    private final List<SplitKernel> kernels = new ArrayList<>();
    /** The per-part scratch the split kernels use, by kind and size. */
    private final Map<List<Object>, PartScratch> scratch = new LinkedHashMap<>();
    /** The method that allocates every product row for {@code n} threads, and the shared rows' part of it. */
    private String allocateParts;
    private CodeBlock sharedRows = CodeBlock.builder().build();

    /**
     * A split kernel: its method's body and name, its Javadoc, and whether its threads claim its
     * rows in chunks ({@link #chunked}; its method then takes only the part) or take equal ranges.
     */
    private record SplitKernel(CodeBlock body, String method, String description, boolean claimed) {
    }

    /** The kinds of per-part scratch, in the order their fields are declared. */
    private enum Kind { ROWS, SIMD_PANELS, PANELS, SOURCE_PANELS, TILES, SOURCE_TILES }

    /**
     * A per-part scratch field: an array with an element per thread, allocated for one thread with the
     * instance and again for {@code n} threads by {@code setThreads}, so that a call allocates nothing.
     * Each thread's element is {@code rows} rows (0: one row) of {@code length} elements, an expression
     * in the thread count {@code n}.
     */
    private record PartScratch(Kind kind, String field, TypeName type, String doc, int rows, String length) {
    }

    ParallelWriter(ClassWriter w) {
        this.w = w;
    }

    @Override
    public String split(CodeBlock body, String rows, String what) {
        return add(body, rows, what, false);
    }

    @Override
    public String chunked(CodeBlock setup, CodeBlock rows, String n, int chunk, String what) {
        CodeBlock body = CodeBlock.builder()
                .add(setup)
                .add("// Rows in chunks of $L, each claimed by the next thread free: a faster core takes more of them.\n", chunk)
                .addStatement("int rowsEnd = $L", n)
                .beginControlFlow("for (int lo = claim.getAndAdd($L); lo < rowsEnd; lo = claim.getAndAdd($L))", chunk, chunk)
                .addStatement("int hi = Math.min(rowsEnd, lo + $L)", chunk)
                .add(rows)
                .endControlFlow()
                .build();
        return add(body, n, what, true);
    }

    private String add(CodeBlock body, String rows, String what, boolean claimed) {
        int kernel = kernels.size();
        kernels.add(new SplitKernel(body, w.names.allocate("split" + (kernel + 1)), what, claimed));
        return "runSplit(" + kernel + ", " + rows + ")";
    }

    @Override
    public String partRows(int cols) {
        return scratch(Kind.ROWS, List.of(cols), "scratch_part" + cols, ArrayTypeName.of(w.arrayType),
                "One scratch row of a product per thread.", 0, String.valueOf(lines().padded(cols + PAD)));
    }

    @Override
    public String partTiles(int rows, int cols) {
        return wholeRows(Kind.TILES, "tile", rows, cols, "Per thread, a tile of " + rows + " rows of " + cols + " columns (a product split by rows).");
    }

    @Override
    public String sourceTiles(int rows, int cols) {
        return wholeRows(Kind.SOURCE_TILES, "bpanel", rows, cols,
                "Per thread, a panel of " + rows + " rows of the right operand, " + cols + " columns (a product split by rows).");
    }

    @Override
    public String simdPanels() {
        return scratch(Kind.SIMD_PANELS, List.of(), "simd_panels", ArrayTypeName.of(w.arrayType), "Per thread, a panel of B for {@code gemm}.",
                0, SimdKernel.PANEL_LENGTH + " + " + PAD);
    }

    @Override
    public String panels(int rows, int cols) {
        return sharedColumns(Kind.PANELS, "panel", rows, cols,
                "Per thread, " + rows + " rows of its share of " + cols + " columns (a product split by columns).");
    }

    @Override
    public String sourcePanels(int rows, int cols) {
        return sharedColumns(Kind.SOURCE_PANELS, "bpanel", rows, cols,
                "Per thread, a panel of " + rows + " rows of the right operand, its share of " + cols + " columns (a product split by columns).");
    }

    /** Per-part scratch of {@code rows} rows of all {@code cols} columns. */
    private String wholeRows(Kind kind, String prefix, int rows, int cols, String doc) {
        return scratch(kind, List.of(rows, cols), prefix + rows + "x" + cols, ArrayTypeName.of(ArrayTypeName.of(w.arrayType)), doc, rows,
                String.valueOf(lines().padded(cols + PAD)));
    }

    /** Per-part scratch of {@code rows} rows as wide as a part's share of {@code cols} columns split in chunks of 8. */
    private String sharedColumns(Kind kind, String prefix, int rows, int cols, String doc) {
        return scratch(kind, List.of(rows, cols), prefix + rows + "x" + cols, ArrayTypeName.of(ArrayTypeName.of(w.arrayType)), doc, rows,
                lines().paddedExpression("(" + chunks(cols) + " + n - 1) / n * 8 + " + PAD));
    }

    /** The field of the per-part scratch of this kind and size, named on its first use. */
    private String scratch(Kind kind, List<Integer> size, String name, TypeName type, String doc, int rows, String length) {
        return scratch.computeIfAbsent(List.of(kind, size), k -> new PartScratch(kind, w.names.allocate(name), type, doc, rows, length)).field();
    }

    /** Row lengths that fill whole cache lines, for this class's element type. */
    private ScratchRows lines() {
        return new ScratchRows(w.precision.bytes());
    }

    /**
     * Where the class has per-part scratch: has the constructor call the method that allocates it for
     * one thread, which allocates the class's other product rows ({@code rows}) first, and returns true.
     */
    boolean allocateParts(MethodSpec.Builder constructor, CodeBlock rows) {
        if (scratch.isEmpty()) {
            return false;
        }
        allocateParts = w.names.allocate("allocateParts");
        sharedRows = rows;
        constructor.addStatement("$L(1)", allocateParts);
        return true;
    }

    /**
     * {@code allocateParts(n)}: every per-part field's arrays of rows first, then the rows the threads
     * share (allocated again, so that they lie next to the threads' rows), then every thread's rows,
     * one after another; each row fills whole cache lines (with the pad that keeps two threads' rows
     * apart), so all start at the same place in a cache line.
     */
    private MethodSpec allocatePartsMethod() {
        MethodSpec.Builder m = MethodSpec.methodBuilder(allocateParts).addModifiers(Modifier.PRIVATE).addParameter(int.class, "n")
                .addComment("Each thread's arrays of rows; then every row, one after another.");
        for (PartScratch f : scratchFields()) {
            m.addStatement("$L = new $L[n]$L", f.field(), w.precision.type(), f.rows() > 0 ? "[" + f.rows() + "][]" : "[]");
        }
        m.addCode(sharedRows);
        m.beginControlFlow("for (int t = 0; t < n; t++)");
        for (PartScratch f : scratchFields()) {
            if (f.rows() > 0) {
                m.beginControlFlow("for (int i = 0; i < $L; i++)", f.rows())
                        .addStatement("$L[t][i] = new $L[$L]", f.field(), w.precision.type(), f.length())
                        .endControlFlow();
            } else {
                m.addStatement("$L[t] = new $L[$L]", f.field(), w.precision.type(), f.length());
            }
        }
        return m.endControlFlow().build();
    }

    /** The per-part scratch fields in the order they are declared: by kind, then by first use. */
    private List<PartScratch> scratchFields() {
        return scratch.values().stream().sorted(Comparator.comparing(PartScratch::kind)).toList();
    }

    /** The number of kernels that run split; with none, the class runs on the calling thread alone. */
    int kernels() {
        return kernels.size();
    }

    /** Adds the parallel members to {@code type}, the class named {@code self}. */
    void addTo(TypeSpec.Builder type, ClassName self) {
        String threads = w.names.allocate("threadCount");
        type.addSuperinterface(AutoCloseable.class);
        type.addField(FieldSpec.builder(int.class, "MAX_THREADS", Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("The most threads {@link #setThreads(int)} accepts.\n").initializer("$L", MAX_THREADS).build());
        type.addField(FieldSpec.builder(int.class, threads, Modifier.PRIVATE)
                .addJavadoc("The threads the large products run on, the calling thread included.\n").initializer("1").build());
        MethodSpec.Builder set = MethodSpec.methodBuilder("setThreads").addModifiers(Modifier.PUBLIC).addParameter(int.class, "n")
                .addJavadoc("Runs the large matrix products of each call on {@code n} threads: the calling thread and\n"
                        + "{@code n - 1} daemon workers of this instance, which wait between calls. The results are the same\n"
                        + "to the bit at any thread count (the work is split by rows, never inside a sum). Starting the\n"
                        + "workers and their scratch rows allocates; a call does not. 1, the default, uses no other thread.\n"
                        + "$L\n@throws IllegalArgumentException if {@code n} is below 1 or above {@link #MAX_THREADS}\n",
                        kernels.isEmpty() ? "<p>This class's products are all too small to gain from threads: the count is kept and\nno thread is started.\n" : "")
                .beginControlFlow("if (n < 1 || n > MAX_THREADS)")
                .addStatement("throw new IllegalArgumentException(\"threads must be between 1 and \" + MAX_THREADS + \", but it is \" + n)")
                .endControlFlow();
        MethodSpec.Builder close = MethodSpec.methodBuilder("close").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
                .addJavadoc("Stops this instance's workers and waits until they have ended; the instance goes on working on\n"
                        + "the calling thread alone (until {@link #setThreads(int)} starts workers again).\n");
        if (kernels.isEmpty()) {
            type.addMethod(set.addStatement("$L = n", threads).build());
            type.addMethod(threadsMethod(threads));
            type.addMethod(close.addStatement("$L = 1", threads).build());
            return;
        }
        String workers = w.names.allocate("workers");
        String worker = w.names.allocate("Worker");
        ClassName workerType = self.nestedClass(worker);
        ArrayTypeName workerArray = ArrayTypeName.of(workerType);
        type.addField(FieldSpec.builder(workerArray, workers, Modifier.PRIVATE)
                .addJavadoc("The workers, {@code threads - 1} of them.\n").initializer("new $T[0]", workerType).build());
        for (PartScratch f : scratchFields()) {
            type.addField(FieldSpec.builder(f.type(), f.field(), Modifier.PRIVATE).addJavadoc("$L\n", f.doc()).build());
        }
        boolean anyClaimed = kernels.stream().anyMatch(SplitKernel::claimed);
        if (anyClaimed) {
            type.addField(FieldSpec.builder(ATOMIC_INTEGER, "claim", Modifier.PRIVATE, Modifier.FINAL)
                    .addJavadoc("The first row not yet claimed of the kernel running, for the kernels whose rows are claimed in chunks.\n")
                    .initializer("new $T()", ATOMIC_INTEGER).build());
        }
        set.addStatement("stopWorkers()")
                .addStatement("$T[] started = new $T[n - 1]", workerType, workerType)
                .beginControlFlow("for (int k = 0; k < started.length; k++)")
                .addStatement("started[k] = new $T(this, k + 1)", workerType)
                .addStatement("started[k].start()")
                .endControlFlow()
                .addStatement("$L = started", workers);
        if (!scratch.isEmpty()) {
            set.addStatement("$L(n)", allocateParts);
            type.addMethod(allocatePartsMethod());
        }
        type.addMethod(set.addStatement("$L = n", threads).build());
        type.addMethod(threadsMethod(threads));
        type.addMethod(close.addStatement("stopWorkers()").addStatement("$L = 1", threads).build());
        type.addMethod(MethodSpec.methodBuilder("stopWorkers").addModifiers(Modifier.PRIVATE)
                .addStatement("boolean interrupted = false")
                .beginControlFlow("for ($T worker : $L)", workerType, workers)
                .addStatement("worker.stop = true")
                .addStatement("$T.unpark(worker)", LOCK_SUPPORT)
                .beginControlFlow("while (true)")
                .beginControlFlow("try")
                .addStatement("worker.join()")
                .addStatement("break")
                .nextControlFlow("catch (InterruptedException e)")
                .addStatement("interrupted = true")
                .endControlFlow()
                .endControlFlow()
                .endControlFlow()
                .beginControlFlow("if (interrupted)")
                .addStatement("Thread.currentThread().interrupt()")
                .endControlFlow()
                .addStatement("$L = new $T[0]", workers, workerType)
                .build());
        MethodSpec.Builder runSplit = MethodSpec.methodBuilder("runSplit").addModifiers(Modifier.PRIVATE)
                .addJavadoc("Runs split kernel {@code kernel} over rows 0 to {@code n}: equal ranges, the first on this thread"
                        + (anyClaimed ? "\n(a kernel whose rows are claimed in chunks takes only its part's number from them)" : "") + ".\n")
                .addParameter(int.class, "kernel").addParameter(int.class, "n");
        if (anyClaimed) {
            runSplit.addStatement("claim.set(0)");
        }
        type.addMethod(runSplit
                .addStatement("int parts = Math.min($L, n)", threads)
                .beginControlFlow("for (int k = 1; k < parts; k++)")
                .addStatement("$T worker = $L[k - 1]", workerType, workers)
                .addStatement("worker.kernel = kernel")
                .addStatement("worker.lo = (int) ((long) n * k / parts)")
                .addStatement("worker.hi = (int) ((long) n * (k + 1) / parts)")
                .addStatement("worker.go = worker.go + 1")
                .addStatement("$T.unpark(worker)", LOCK_SUPPORT)
                .endControlFlow()
                .addStatement("runPart(kernel, 0, 0, parts <= 1 ? n : n / parts)")
                .beginControlFlow("for (int k = 1; k < parts; k++)")
                .addStatement("$L[k - 1].await()", workers)
                .endControlFlow()
                .build());
        MethodSpec.Builder run = MethodSpec.methodBuilder("runPart").addModifiers(Modifier.PRIVATE)
                .addParameter(int.class, "kernel").addParameter(int.class, "part").addParameter(int.class, "lo").addParameter(int.class, "hi")
                .beginControlFlow("switch (kernel)");
        for (int k = 0; k < kernels.size(); k++) {
            SplitKernel kernel = kernels.get(k);
            run.addCode("case $L:\n", k).addStatement("$>$L($L)", kernel.method(), kernel.claimed() ? "part" : "part, lo, hi")
                    .addStatement("break$<");
            MethodSpec.Builder m = MethodSpec.methodBuilder(kernel.method()).addModifiers(Modifier.PRIVATE)
                    .addJavadoc("$L\n", kernel.description()).addParameter(int.class, "part");
            if (!kernel.claimed()) {
                m.addParameter(int.class, "lo").addParameter(int.class, "hi");
            }
            type.addMethod(m.addCode(kernel.body()).build());
        }
        run.addCode("default:\n").addStatement("$>throw new IllegalStateException(\"no kernel \" + kernel)$<");
        type.addMethod(run.endControlFlow().build());
        type.addType(workerClass(self, workerType));
    }

    /** The chunks of 8 columns that {@code cols} columns make. */
    private static int chunks(int cols) {
        return (cols + 7) / 8;
    }

    private static MethodSpec threadsMethod(String threads) {
        return MethodSpec.methodBuilder("threads").addModifiers(Modifier.PUBLIC).returns(int.class)
                .addJavadoc("The thread count set by {@link #setThreads(int)} (1 after {@link #close()}).\n")
                .addStatement("return $L", threads).build();
    }

    private static TypeSpec workerClass(ClassName self, ClassName workerType) {
        TypeName throwable = ClassName.get(Throwable.class);
        return TypeSpec.classBuilder(workerType).addModifiers(Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .superclass(Thread.class)
                .addJavadoc("A thread that runs ranges of split kernels for one instance: spinning a while after each, then parked.\n")
                .addField(self, "model", Modifier.PRIVATE, Modifier.FINAL)
                .addField(int.class, "part", Modifier.PRIVATE, Modifier.FINAL)
                .addField(int.class, "kernel")
                .addField(int.class, "lo")
                .addField(int.class, "hi")
                .addField(FieldSpec.builder(int.class, "go", Modifier.VOLATILE).addJavadoc("Ranges asked for so far.\n").build())
                .addField(FieldSpec.builder(int.class, "done", Modifier.VOLATILE).addJavadoc("Ranges run so far.\n").build())
                .addField(FieldSpec.builder(boolean.class, "stop", Modifier.VOLATILE).build())
                .addField(FieldSpec.builder(throwable, "failure", Modifier.VOLATILE).build())
                .addMethod(MethodSpec.constructorBuilder().addParameter(self, "model").addParameter(int.class, "part")
                        .addStatement("super($S + part)", self.simpleName() + "-worker-")
                        .addStatement("this.model = model")
                        .addStatement("this.part = part")
                        .addStatement("setDaemon(true)").build())
                .addMethod(MethodSpec.methodBuilder("run").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
                        .addStatement("int seen = 0")
                        .beginControlFlow("while (!stop)")
                        .addStatement("int asked = go")
                        .beginControlFlow("if (asked != seen)")
                        .addStatement("seen = asked")
                        .beginControlFlow("try")
                        .addStatement("model.runPart(kernel, part, lo, hi)")
                        .nextControlFlow("catch (Throwable t)")
                        .addStatement("failure = t")
                        .endControlFlow()
                        .addStatement("done = asked")
                        .addStatement("continue")
                        .endControlFlow()
                        .addComment("Spin a while: within a call, and between the calls of a training loop, the next range")
                        .addComment("comes within microseconds; a parked thread takes tens of them to wake.")
                        .addStatement("long start = System.nanoTime()")
                        .beginControlFlow("for (int s = 1; go == seen && !stop; s++)")
                        .beginControlFlow("if ((s & 1023) == 0 && System.nanoTime() - start > $LL)", SPIN_NANOS)
                        .addStatement("break")
                        .endControlFlow()
                        .endControlFlow()
                        .beginControlFlow("if (go == seen && !stop)")
                        .addStatement("$T.park(this)", LOCK_SUPPORT)
                        .endControlFlow()
                        .endControlFlow().build())
                .addMethod(MethodSpec.methodBuilder("await")
                        .addJavadoc("Waits until the range last asked for has run (called by the thread that asked).\n")
                        .addStatement("int asked = go")
                        .beginControlFlow("for (int s = 0; done != asked; s++)")
                        .beginControlFlow("if (s >= $L)", SPINS)
                        .addStatement("Thread.yield()")
                        .endControlFlow()
                        .endControlFlow()
                        .beginControlFlow("if (failure != null)")
                        .addStatement("$T t = failure", throwable)
                        .addStatement("failure = null")
                        .addStatement("throw new IllegalStateException(\"a worker thread failed\", t)")
                        .endControlFlow().build())
                .build();
    }
}
