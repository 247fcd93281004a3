package dev.lossc.codegen;

import com.palantir.javapoet.CodeBlock;
import dev.lossc.ir.Stmt;
import dev.lossc.ir.Value;
import dev.lossc.prim.Prim;
import dev.lossc.prim.ScalarFn;
import dev.lossc.types.Precision;
import dev.lossc.types.Shape;
import java.util.EnumSet;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * The code of each statement of a plan: a structured primitive through its kernel (one exhaustive
 * switch over {@link Prim.Kernel}, so a kernel without an emitter is a compile error of lossc's
 * own build), the products through {@link Products}, and the elementwise maps and zero fills
 * through {@link Maps}. Kernel-local names ({@code i}, {@code j}, {@code p}, {@code acc},
 * {@code g}, …) are reserved, so they never clash with the model's names. A loop that would run
 * once is emitted as straight code.
 */
final class Kernels {
    static final String[] LOCALS = {"i", "j", "p", "r", "acc", "acc0", "acc1", "acc2", "acc3", "g", "mx", "shift", "e", "lse", "a",
            "b", "c", "br", "cr", "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "b0", "b1", "b2", "b3",
            "b4", "b5", "b6", "b7", "j0", "j1", "part", "lo", "hi", "jlo", "jhi", "bp", "cp", "p0", "p1", "row", "ct", "pp", "i0", "i1",
            "q0", "q1", "q2", "q3", "q4", "q5", "q6", "q7", "rowsEnd", "claim"};

    /** Scratch row arrays the kernels use: one pair per shape, shared (no kernel keeps them across calls). */
    interface Scratch {
        /** The name of a {@code double[rows][cols]} field for {@code role}. */
        String rows(String role, int rows, int cols);
    }

    /**
     * With {@code --parallel}: where the kernels that run split across threads go. Each such kernel
     * is a method of the class over a range of rows, {@code (int part, int lo, int hi)}, which the
     * class runs on its threads, each on rows of its own.
     */
    interface Parallel {
        /**
         * Adds {@code body}, written for rows {@code lo} to {@code hi} as part {@code part}, as a
         * method of the class (its Javadoc says {@code what} it computes); returns the statement that
         * runs it over {@code rows} rows (an extent).
         */
        String split(CodeBlock body, String rows, String what);

        /**
         * As {@link #split}, for a kernel whose parts first run {@code setup} (with {@code part} in
         * scope) and then claim its {@code n} rows (an extent) in chunks of {@code chunk}, in turn,
         * until none is left, running {@code rows} (written for rows {@code lo} to {@code hi}) on each:
         * a thread on a faster core takes more chunks. Which thread computes a row does not change
         * how it is computed.
         */
        String chunked(CodeBlock setup, CodeBlock rows, String n, int chunk, String what);

        /** The name of a {@code double[parts][cols]} field: one scratch row per part, resized with the thread count. */
        String partRows(int cols);

        /** The name of a {@code double[parts][rows][cols]} field: a tile of rows of C per part, resized with the thread count. */
        String partTiles(int rows, int cols);

        /**
         * As {@link #partTiles}, for rows of B (a panel): a field of its own, never a tile of C's
         * rows of the same size, which the same kernel uses beside it.
         */
        String sourceTiles(int rows, int cols);

        /**
         * The name of a {@code double[parts][rows][]} field: for each part, rows of C as wide as its
         * share of {@code cols} columns split in chunks of 8, resized with the thread count.
         */
        String panels(int rows, int cols);

        /** As {@link #panels}, for rows of B (a panel): a field of its own, never rows of C of the same size. */
        String sourcePanels(int rows, int cols);

        /** The name of the {@code --simd} kernel's per-part panels, {@code double[parts][]}, each the size of its one panel. */
        String simdPanels();
    }

    private final Loops loops;
    private final Layout layout;
    private final Products products;
    private final Maps maps;
    private final TensorKernels tensors;
    private final Precision precision;
    private final String real;

    /**
     * {@code used} hears of every scalar function the emitted code calls (its helper must exist);
     * {@code simdPanel}, with {@code --simd}, names the panel field of {@link SimdKernel}'s
     * {@code gemm} for a product of the given rows of C (null otherwise).
     */
    Kernels(Layout layout, Consumer<ScalarFn> used, Scratch scratch, IntFunction<String> simdPanel, Parallel parallel) {
        this.loops = new Loops(layout);
        this.layout = layout;
        this.products = new Products(loops, used, scratch, simdPanel, parallel);
        this.maps = new Maps(loops, used);
        this.tensors = new TensorKernels(loops, layout);
        this.precision = layout.precision();
        this.real = precision.type();
    }

    /** The plan of a product op (what the product's code is written from). */
    ProductPlan plan(Stmt.Op op) {
        return products.plan(op);
    }

    CodeBlock map(Stmt.Map m) {
        return maps.map(m);
    }

    CodeBlock zero(Stmt.Zero z) {
        return maps.zero(z);
    }

    /**
     * {@code out (+)= prim(args)}; {@code topLevel}: outside every loop, where a product may run
     * split across threads (with {@code --parallel}).
     */
    /** The generated class's method that draws the next uniform number in [0, 1) for a dropout mask. */
    static final String DROPOUT_DRAW = "nextUniform";

    CodeBlock op(Stmt.Op op, boolean topLevel) {
        Code c = new Code();
        Value out = op.out();
        String w = op.accumulate() ? "+=" : "=";
        Function<String, String> Y = loops.at(out);
        Function<String, String> A = loops.at(op.args().get(0));
        Function<String, String> B = op.args().size() > 1 ? loops.at(op.args().get(1)) : null;
        Shape as = op.args().get(0).shape();
        Shape bs = op.args().size() > 1 ? op.args().get(1).shape() : null;
        if (op.prim().kernel() == null) {
            throw new IllegalStateException(op.prim() + " is elementwise: it is emitted as a map");
        }
        if (op.epilogue() != null && !EnumSet.of(Prim.Kernel.MATVEC, Prim.Kernel.MATMUL, Prim.Kernel.MATMUL_NT, Prim.Kernel.MATMUL_TN)
                .contains(op.prim().kernel())) {
            throw new IllegalStateException("no epilogue for " + op.prim());
        }
        // Exhaustive, without a default: a kernel of the table with no emitter here does not compile.
        switch (op.prim().kernel()) {
            case MATVEC, VECMAT, MATMUL, MATMUL_NT, MATMUL_TN -> products.product(c, op, topLevel);
            case DOT -> products.dot(c, op);
            case OUTER -> products.outer(c, op);
            case TRANSPOSE -> loops.loop(c, "i", as.rowAxis(), i -> loops.loop(c, "j", as.colAxis(),
                    j -> c.add("$L $L $L", Y.apply(Loops.flat(j, as.rows(), i)), w, A.apply(Loops.flat(i, as.cols(), j)))));
            case SUM -> {
                if (as.varies()) {
                    c.declare("double acc = 0.0");
                    loops.each(c, as, i -> c.add("acc += $L", A.apply(i)));
                } else {
                    loops.sumOf(c, "acc", "i", as.size(), A);
                }
                c.add("$L $L $L", Y.apply("0"), w, loops.sum("acc"));
            }
            case SUM_AXIS -> {
                if (op.attributes().integer(0) == 0) {
                    loops.zeroUnlessAccumulating(c, op);
                    loops.loop(c, "i", as.rowAxis(), i -> loops.loop(c, "j", as.colAxis(),
                            j -> c.add("$L += $L", Y.apply(j), A.apply(Loops.flat(i, as.cols(), j)))));
                } else {
                    loops.loop(c, "i", as.rowAxis(), i -> {
                        loops.sumOf(c, "acc", "j", as.colAxis(), j -> A.apply(Loops.flat(i, as.cols(), j)));
                        c.add("$L $L $L", Y.apply(i), w, loops.sum("acc"));
                    });
                }
            }
            case EXPAND_COLS -> {
                int n = out.shape().cols();
                loops.loop(c, "i", as.lengthAxis(), i -> {
                    c.declare("$L g = $L", real, A.apply(i));
                    loops.loop(c, "j", out.shape().colAxis(), j -> c.add("$L $L g", Y.apply(Loops.flat(i, n, j)), w));
                });
            }
            case SOFTMAX, LOG_SOFTMAX, LOGSUMEXP -> {
                if (op.accumulate()) {
                    throw new IllegalStateException(op.prim() + " never accumulates");
                }
                softmaxFamily(c, op.prim().kernel(), as, A, Y);
            }
            case SOFTMAX_BACKWARD -> loops.rows(c, as, (row, e) -> {
                Function<String, String> dY = B;
                loops.sumOf(c, "acc", "j", as.colAxis(), j -> dY.apply(e.apply(j)) + " * " + A.apply(e.apply(j)));
                loops.loop(c, "j", as.colAxis(), j -> c.add("$L $L $L * ($L - $L)", Y.apply(e.apply(j)), w, A.apply(e.apply(j)), dY.apply(e.apply(j)), loops.sum("acc")));
            });
            case LOG_SOFTMAX_BACKWARD -> loops.rows(c, as, (row, e) -> {
                Function<String, String> dY = B;
                loops.sumOf(c, "acc", "j", as.colAxis(), j -> dY.apply(e.apply(j)));
                loops.loop(c, "j", as.colAxis(), j -> c.add("$L $L $L - $L * $L", Y.apply(e.apply(j)), w, dY.apply(e.apply(j)), loops.exp(A.apply(e.apply(j))), loops.sum("acc")));
            });
            case LOGSUMEXP_BACKWARD -> loops.rows(c, as, (row, e) -> {
                Function<String, String> lse = B;
                Function<String, String> dY = loops.at(op.args().get(2));
                c.declare("$L g = $L", real, dY.apply(row));
                c.declare("$L lse = $L", real, lse.apply(row));
                loops.loop(c, "j", as.colAxis(), j -> c.add("$L $L g * $L", Y.apply(e.apply(j)), w, loops.exp(A.apply(e.apply(j)) + " - lse")));
            });
            case GATHER -> {
                // Row i of the result is row indices[i] of X (an element, for a vector X).
                int width = as.isMatrix() ? as.cols() : 1;
                loops.loop(c, "i", bs.colAxis(), i -> loops.loop(c, "j", width,
                        j -> c.add("$L $L $L", Y.apply(Loops.flat(i, width, j)), w, A.apply(Loops.flat(B.apply(i), width, j)))));
            }
            case SCATTER_ADD -> {
                // The adjoint of a gather: row i of dy added into row indices[i] (repeated indices sum).
                int width = out.shape().isMatrix() ? out.shape().cols() : 1;
                loops.zeroUnlessAccumulating(c, op);
                loops.loop(c, "i", bs.colAxis(), i -> loops.loop(c, "j", width,
                        j -> c.add("$L += $L", Y.apply(Loops.flat(B.apply(i), width, j)), A.apply(Loops.flat(i, width, j)))));
            }
            case DROPOUT_MASK -> {
                // 0 with probability p, else 1 / (1 - p): one draw of the class's generator per element.
                double p = op.attributes().real(0);
                if (op.accumulate()) {
                    throw new IllegalStateException(op.prim() + " never accumulates");
                }
                if (p == 0 || p == 1) {
                    loops.each(c, out.shape(), i -> c.add("$L = $L", Y.apply(i), precision.literal(p == 0 ? 1 : 0)));
                } else {
                    loops.each(c, out.shape(), i -> c.add("$L = $L() < $L ? $L : $L", Y.apply(i), DROPOUT_DRAW, p, loops.realZero,
                            precision.literal(1 / (1 - p))));
                }
            }
            case MAX_ALL -> {
                if (op.accumulate()) {
                    throw new IllegalStateException(op.prim() + " never accumulates");
                }
                c.declare("$L mx = $L", real, A.apply("0"));
                if (as.varies()) {
                    loops.each(c, as, i -> c.add("mx = Math.max(mx, $L)", A.apply(i)));
                } else if (as.size() > 1) {
                    c.open("for (int i = 1; i < $L; i++)", as.size())
                            .add("mx = Math.max(mx, $L)", A.apply("i")).close();
                }
                c.add("$L = mx", Y.apply("0"));
            }
            case MAX_AXIS -> {
                if (op.attributes().integer(0) == 0) {
                    loops.loop(c, "j", as.colAxis(), j -> c.add("$L = $L", Y.apply(j), A.apply(j)));
                    if (as.rows() > 1) {
                        c.open("for (int i = 1; i < $L; i++)", layout.extent(as.rowAxis()));
                        loops.loop(c, "j", as.colAxis(), j -> c.add("$L = Math.max($L, $L)", Y.apply(j), Y.apply(j), A.apply(Loops.flat("i", as.cols(), j))));
                        c.close();
                    }
                } else {
                    loops.loop(c, "i", as.rowAxis(), i -> {
                        c.declare("$L mx = $L", real, A.apply(Loops.flat(i, as.cols(), "0")));
                        if (as.cols() > 1) {
                            c.open("for (int j = 1; j < $L; j++)", layout.extent(as.colAxis()))
                                    .add("mx = Math.max(mx, $L)", A.apply(Loops.flat(i, as.cols(), "j"))).close();
                        }
                        c.add("$L = mx", Y.apply(i));
                    });
                }
            }
            case PICK -> loops.loop(c, "i", as.rowAxis(), i -> c.add("$L $L $L", Y.apply(i), w, A.apply(Loops.flat(i, as.cols(), B.apply(i)))));
            case PICK_ADD -> {
                int n = out.shape().cols();
                loops.zeroUnlessAccumulating(c, op);
                loops.loop(c, "i", as.colAxis(), i -> c.add("$L += $L", Y.apply(Loops.flat(i, n, B.apply(i))), A.apply(i)));
            }
            case SLICE, UNSLICE -> {
                // Element (r, j) of the block is element r * stride + j of the view at its start.
                Shape block = op.prim().kernel() == Prim.Kernel.SLICE ? out.shape() : as;
                int stride = op.attributes().integer(0);
                int width = block.isMatrix() ? block.cols() : 1;
                Shape.Axis height = block.lengthAxis();
                loops.loop(c, "r", height, r -> loops.loop(c, "j", width, j -> {
                    if (op.prim().kernel() == Prim.Kernel.SLICE) {
                        c.add("$L $L $L", Y.apply(Loops.flat(r, width, j)), w, A.apply(Loops.flat(r, stride, j)));
                    } else {
                        c.add("$L $L $L", Y.apply(Loops.flat(r, stride, j)), w, A.apply(Loops.flat(r, width, j)));
                    }
                }));
            }
            case CONCAT -> {
                Shape o = out.shape();
                boolean columns = o.isMatrix() && o.cols() != as.cols();
                if (columns) {
                    loops.loop(c, "r", o.rowAxis(), r -> {
                        loops.loop(c, "j", as.cols(), j -> c.add("$L $L $L", Y.apply(Loops.flat(r, o.cols(), j)), w, A.apply(Loops.flat(r, as.cols(), j))));
                        loops.loop(c, "j", bs.cols(), j -> c.add("$L $L $L", Y.apply(Layout.add(Loops.flat(r, o.cols(), Integer.toString(as.cols())), j)),
                                w, B.apply(Loops.flat(r, bs.cols(), j))));
                    });
                } else {
                    loops.loop(c, "i", as.size(), i -> c.add("$L $L $L", Y.apply(i), w, A.apply(i)));
                    loops.loop(c, "i", bs.size(), i -> c.add("$L $L $L", Y.apply(Layout.add(Integer.toString(as.size()), i)), w, B.apply(i)));
                }
            }
            case CUMSUM -> cumsum(c, op, A, Y);
            case BROADCAST, REDUCE_TO -> tensors.broadcast(c, op, A, Y);
            case PERMUTE -> tensors.permute(c, op, A, Y);
            case SUBTENSOR, UNSUBTENSOR -> tensors.subtensor(c, op, A, Y);
            case IM2COL, COL2IM -> tensors.im2col(c, op, A, Y);
            case BATCHED_MATMUL -> tensors.batchedMatmul(c, op, A, B, Y);
            case CONV -> tensors.conv(c, op, A, B, Y);
            case CONV_INPUT_GRAD -> tensors.convInputGrad(c, op, A, B, Y);
            case CONV_KERNEL_GRAD -> tensors.convKernelGrad(c, op, A, B, Y);
            case MAX_POOL, MAX_POOL_GRAD, MAX_POOL_PICK, AVG_POOL, AVG_POOL_GRAD -> tensors.pool(c, op, A, B, Y);
            case TAKE_FIRST, TAKE_LAST -> {
                // The part of x of the result's shape: its first or last rows, columns or elements.
                Shape o = out.shape();
                boolean last = op.prim().kernel() == Prim.Kernel.TAKE_LAST;
                boolean columns = o.isMatrix() && o.cols() != as.cols();
                if (columns) {
                    int skip = last ? as.cols() - o.cols() : 0;
                    loops.loop(c, "r", o.rowAxis(), r -> loops.loop(c, "j", o.cols(), j -> c.add("$L $L $L", Y.apply(Loops.flat(r, o.cols(), j)), w,
                            A.apply(Layout.add(Loops.flat(r, as.cols(), Integer.toString(skip)), j)))));
                } else {
                    int skip = last ? as.size() - o.size() : 0;
                    loops.loop(c, "i", o.size(), i -> c.add("$L $L $L", Y.apply(i), w, A.apply(Layout.add(Integer.toString(skip), i))));
                }
            }
        }
        return c.scoped();
    }

    /**
     * {@code cumsum}: a running sum along the axis, one line (a vector, each row or each column)
     * at a time, in a {@code double} local; the adjoint runs it backwards ({@code reverse}).
     */
    private void cumsum(Code c, Stmt.Op op, Function<String, String> A, Function<String, String> Y) {
        Shape as = op.args().get(0).shape();
        boolean alongRows = as.isVector() || op.attributes().integer(0) == 1;
        boolean reverse = op.attributes().integer(1) == 1;
        Shape.Axis along = alongRows ? as.colAxis() : as.rowAxis();
        Shape.Axis across = as.isVector() ? Shape.Axis.of(1) : alongRows ? as.rowAxis() : as.colAxis();
        int cols = as.cols();
        java.util.function.BiFunction<String, String, String> at = (line, k) -> as.isVector() ? k
                : alongRows ? Loops.flat(line, cols, k) : Loops.flat(k, cols, line);
        String w = op.accumulate() ? "+=" : "=";
        loops.loop(c, "r", across, r -> {
            c.declare("double acc = 0.0");
            if (reverse) {
                String last = along.varies() ? layout.extent(along) + " - 1" : Integer.toString(along.size() - 1);
                c.open("for (int i = $L; i >= 0; i--)", last);
            } else {
                c.open("for (int i = 0; i < $L; i++)", layout.extent(along));
            }
            c.add("acc += $L", A.apply(at.apply(r, "i")));
            c.add("$L $L $L", Y.apply(at.apply(r, "i")), w, loops.sum("acc"));
            c.close();
        });
    }

    private void softmaxFamily(Code c, Prim.Kernel prim, Shape xs, Function<String, String> X, Function<String, String> Y) {
        Shape.Axis n = xs.colAxis();
        loops.rows(c, xs, (row, e) -> {
            c.declare("$L mx = $L.NEGATIVE_INFINITY", real, precision.boxed());
            loops.loop(c, "j", n, j -> c.add("mx = Math.max(mx, $L)", X.apply(e.apply(j))));
            c.declare("$L shift = $L.isInfinite(mx) ? $L : mx", real, precision.boxed(), loops.realZero);
            if (prim == Prim.Kernel.SOFTMAX) {
                c.declare("double acc = 0.0");
                loops.loop(c, "j", n, j -> c.declare("$L e = $L", real, loops.exp(X.apply(e.apply(j)) + " - shift"))
                        .add("$L = e", Y.apply(e.apply(j)))
                        .add("acc += e"));
                loops.loop(c, "j", n, j -> c.add("$L /= acc", Y.apply(e.apply(j))));
            } else {
                loops.sumOf(c, "acc", "j", n, j -> loops.exp(X.apply(e.apply(j)) + " - shift"));
                c.declare("$L lse = shift + $L", real, precision.narrow("Math.log(acc)"));
                if (prim == Prim.Kernel.LOG_SOFTMAX) {
                    loops.loop(c, "j", n, j -> c.add("$L = $L - lse", Y.apply(e.apply(j)), X.apply(e.apply(j))));
                } else {
                    c.add("$L = lse", Y.apply(row));
                }
            }
        });
    }

}
