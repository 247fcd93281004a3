package dev.lossc.codegen;

import com.palantir.javapoet.CodeBlock;
import dev.lossc.ir.Stmt;
import dev.lossc.ir.Value;
import dev.lossc.prim.Prim;
import dev.lossc.prim.Scalar;
import dev.lossc.prim.ScalarFn;
import dev.lossc.types.Precision;
import dev.lossc.types.Shape;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The Java code of every statement of the IR, forward and backward alike: one emitter per
 * structured primitive (each can assign or accumulate into its output), one for elementwise
 * {@link Stmt.Map}s with broadcasting and summing, and the zero fill. Kernel-local names
 * ({@code i}, {@code j}, {@code p}, {@code acc}, {@code g}, …) are reserved, so they never clash
 * with the model's names. A loop that would run once is emitted as straight code.
 */
final class Kernels {
    static final String[] LOCALS = {"i", "j", "p", "r", "acc", "acc0", "acc1", "acc2", "acc3", "g", "mx", "shift", "e", "lse", "a",
            "b", "c", "br", "cr", "a0", "a1", "a2", "a3", "b0", "b1", "b2", "b3", "j0", "j1"};

    /**
     * Products whose rows are at least this long run on row arrays: C2 vectorizes
     * {@code c[j] += a * b[j]} over separate row arrays, and leaves the same loop over offsets into
     * flat arrays scalar (MatmulForms in src/lossc-benchmarks: 2.3× on 64 × 1024 × 1024).
     */
    static final int ROW_ARRAY_MIN_COLS = 16;

    /**
     * A product whose right operand (as rows) has at most this many elements (512 KB, the size of a
     * core's L2 here) computes C one row at a time: B stays in cache and C needs one scratch row.
     * Larger ones go p-outer, so each row of B is read from memory once. Measured on 1024 × 64 ×
     * 1024 (dW = Aᵀ dY at batch 64): 8.8 ms one row at a time, 11.0 ms p-outer.
     */
    static final int ROW_OUTER_MAX_B = 65536;

    /**
     * A p-outer product updates C's rows in blocks of this many columns (4 KB of each row), so the
     * block of C stays in cache while the rows of B pass over it. MatmulForms on 64 × 1024 × 1024,
     * four rows of B per pass: 5.5 ms in blocks of 512, 5.9 of 256, 6.8 unblocked; 9.1 for one
     * row of B per pass.
     */
    static final int COLUMN_BLOCK = 512;

    /** Scratch row arrays the kernels use: one pair per shape, shared (no kernel keeps them across calls). */
    interface Scratch {
        /** The name of a {@code double[rows][cols]} field for {@code role}. */
        String rows(String role, int rows, int cols);
    }

    private Scratch scratch = (role, rows, cols) -> {
        throw new IllegalStateException("no scratch arrays");
    };

    void scratch(Scratch s) {
        this.scratch = s;
    }

    /** With {@code --simd}: the name of the panel field {@link SimdKernel}'s {@code gemm} takes; null otherwise. */
    private Supplier<String> simdPanel;

    void simd(Supplier<String> panel) {
        this.simdPanel = panel;
    }

    /**
     * A vector-matrix product {@code y[j] = Σ_i a[i] * B[i, j]} with fewer columns than this sums
     * each column in a register; wider ones run {@code y[j] += a[i] * B[i, j]} row after row, the
     * loop C2 vectorizes; the register sums keep the product's columns out of memory on small
     * networks (with {@link #startsFromFirstTerm}: the 2-2-2 example from 57 to 49 ns).
     */
    private static final int VECMAT_DOT_MAX_COLS = 8;

    /** Sums of fixed length with fewer terms than this start from their first term ({@link #startsFromFirstTerm}). */
    private static final int SHORT_SUM = 16;

    /** Rows computed together by {@link #rowDots}: independent sums the CPU can overlap. */
    private static final int DOT_ROWS = 4;

    private final Layout layout;
    private final Consumer<ScalarFn> used;
    private final Precision precision;
    /** The element type ({@code double} or {@code float}) and its zero, as emitted. */
    private final String real;
    private final String realZero;

    /** {@code used} hears of every scalar function the emitted code calls (its helper must exist). */
    Kernels(Layout layout, Consumer<ScalarFn> used) {
        this.layout = layout;
        this.used = used;
        this.precision = layout.precision();
        this.real = precision.type();
        this.realZero = precision.zero();
    }

    /**
     * A sum's local ({@code acc}, {@code acc0}, …) read as the element type. Sums accumulate in
     * {@code double} in either precision (in a float class, each term is a float added to a double,
     * so a long sum keeps float's accuracy instead of losing a bit per doubling of its length);
     * a float class rounds the result once, here.
     */
    private String sum(String local) {
        return precision.narrow(local);
    }

    /** {@code Math.exp(x)}, as the element type. */
    private String exp(String x) {
        return precision.narrow("Math.exp(" + x + ")");
    }

    /** Puts code that declares locals at its top level in a block of its own, so kernels can follow each other. */
    static CodeBlock scoped(CodeBlock code) {
        boolean declares = false;
        for (String line : code.toString().split("\n")) {
            declares |= line.startsWith("double ") || line.startsWith("float ") || line.startsWith("int ");
        }
        if (!declares) {
            return code;
        }
        return CodeBlock.builder().add("{\n").indent().add(code).unindent().add("}\n").build();
    }

    /** {@code for (int var = 0; var < n; var++) body(var)}, or {@code body("0")} alone when n is 1. */
    private static void loop(CodeBlock.Builder c, String var, int n, Consumer<String> body) {
        if (n == 1) {
            body.accept("0");
            return;
        }
        c.beginControlFlow("for (int $L = 0; $L < $L; $L++)", var, var, n, var);
        body.accept(var);
        c.endControlFlow();
    }

    /**
     * {@code for (int var = 0; var < extent; var++)} over an axis: straight code for a fixed size of
     * 1, the actual size for a dim that varies per call.
     */
    private void loop(CodeBlock.Builder c, String var, Shape.Axis n, Consumer<String> body) {
        if (!n.varies()) {
            loop(c, var, n.size(), body);
            return;
        }
        c.beginControlFlow("for (int $L = 0; $L < $L; $L++)", var, var, layout.extent(n), var);
        body.accept(var);
        c.endControlFlow();
    }

    /**
     * Declares the {@code double} local {@code acc} as {@code Σ term(var)} over {@code var < n},
     * added in index order. A short sum ({@link #startsFromFirstTerm}) starts from its first term.
     */
    private void sumOf(CodeBlock.Builder c, String acc, String var, Shape.Axis n, Function<String, String> term) {
        if (n.varies()) {
            c.addStatement("double $L = 0.0", acc);
            loop(c, var, n, v -> c.addStatement("$L += $L", acc, term.apply(v)));
        } else {
            sumOf(c, acc, var, n.size(), term);
        }
    }

    /**
     * Whether a sum over a fixed {@code n} terms starts from its first term rather than from
     * {@code 0.0}. On small networks these chains of dependent additions are the critical path, and
     * the addition of {@code 0.0} is one more link: the 2-2-2 example went from 57 to 49 ns with
     * this and {@link #VECMAT_DOT_MAX_COLS} (docs/performance.md). A long sum gains nothing and keeps
     * the shorter code. The result differs from {@code 0.0 + …} only in the sign of a zero
     * ({@code -0.0} when every term is {@code -0.0}). A size that varies per call may be 0: its sum
     * starts from {@code 0.0}.
     */
    private static boolean startsFromFirstTerm(int n) {
        return n >= 1 && n < SHORT_SUM;
    }

    /** {@link #sumOf(CodeBlock.Builder, String, String, Shape.Axis, Function)} over a fixed size. */
    private static void sumOf(CodeBlock.Builder c, String acc, String var, int n, Function<String, String> term) {
        if (!startsFromFirstTerm(n)) {
            c.addStatement("double $L = 0.0", acc);
            loop(c, var, n, v -> c.addStatement("$L += $L", acc, term.apply(v)));
            return;
        }
        c.addStatement("double $L = $L", acc, term.apply("0"));
        afterTheFirst(c, var, n, v -> c.addStatement("$L += $L", acc, term.apply(v)));
    }

    /** {@code body(var)} for {@code var} from 1 to {@code n - 1}: nothing, straight code for one, or a loop. */
    private static void afterTheFirst(CodeBlock.Builder c, String var, int n, Consumer<String> body) {
        if (n == 2) {
            body.accept("1");
        } else if (n > 2) {
            c.beginControlFlow("for (int $L = 1; $L < $L; $L++)", var, var, n, var);
            body.accept(var);
            c.endControlFlow();
        }
    }

    /**
     * Every element of {@code s} in this call, by flat index: one loop over the elements when
     * they are contiguous (a fixed shape, or one whose rows vary), a loop per row and column when
     * the column count varies (rows keep the maximum's stride).
     */
    private void each(CodeBlock.Builder c, Shape s, Consumer<String> body) {
        if (!s.varies()) {
            loop(c, "i", s.size(), body);
        } else if (!s.isMatrix() || s.colDim() == null) {
            c.beginControlFlow("for (int i = 0; i < $L; i++)", layout.count(s));
            body.accept("i");
            c.endControlFlow();
        } else {
            loop(c, "i", s.rowAxis(), i -> loop(c, "j", s.colAxis(), j -> body.accept(flat(i, s.cols(), j))));
        }
    }

    private Function<String, String> at(Value v) {
        return idx -> layout.at(v, idx);
    }

    private static String flat(String row, int cols, String col) {
        return Layout.add(Layout.mul(row, cols), col);
    }

    /**
     * {@code store(row, sum)} for every row {@code i < rows}, where {@code sum} is
     * {@code Σ_j left(i, j) * right(j)} accumulated in {@code j} order. Four rows share each load of
     * {@code right(j)} and run four independent sums (a single sum is one long chain of dependent
     * additions); every row's sum is still the same sequence of additions, so results are unchanged.
     */
    private void rowDots(CodeBlock.Builder c, Shape.Axis rowAxis, Shape.Axis cols, BiFunction<String, String, String> left,
                         Function<String, String> right, BiConsumer<String, String> store) {
        // For a size that varies per call, the blocked part and the rest are split at run time.
        boolean varies = rowAxis.varies();
        String n = layout.extent(rowAxis);
        int rows = rowAxis.size();
        String blocked = varies ? n + " - " + n + " % " + DOT_ROWS : Integer.toString(rows - rows % DOT_ROWS);
        if (varies || rows >= DOT_ROWS) {
            c.beginControlFlow("for (int i = 0; i < $L; i += $L)", blocked, DOT_ROWS);
            boolean first = !cols.varies() && startsFromFirstTerm(cols.size());
            for (int r = 0; r < DOT_ROWS; r++) {
                if (first) {
                    c.addStatement("double acc$L = $L * $L", r, left.apply(r == 0 ? "i" : "i + " + r, "0"), right.apply("0"));
                } else {
                    c.addStatement("double acc$L = 0.0", r);
                }
            }
            Consumer<String> step = j -> {
                c.addStatement("$L a = $L", real, right.apply(j));
                for (int r = 0; r < DOT_ROWS; r++) {
                    c.addStatement("acc$L += $L * a", r, left.apply(r == 0 ? "i" : "i + " + r, j));
                }
            };
            if (first) {
                afterTheFirst(c, "j", cols.size(), step);
            } else {
                loop(c, "j", cols, step);
            }
            for (int r = 0; r < DOT_ROWS; r++) {
                store.accept(r == 0 ? "i" : "i + " + r, sum("acc" + r));
            }
            c.endControlFlow();
        }
        Consumer<String> row = i -> {
            sumOf(c, "acc", "j", cols, j -> left.apply(i, j) + " * " + right.apply(j));
            store.accept(i, sum("acc"));
        };
        if (!varies && rows % DOT_ROWS == 1) {
            row.accept(Integer.toString(rows - 1));
        } else if (varies || rows % DOT_ROWS > 1) {
            c.beginControlFlow("for (int i = $L; i < $L; i++)", blocked, n);
            row.accept("i");
            c.endControlFlow();
        }
    }

    // ------------------------------------------------------------------ structured primitives

    /** {@code out (+)= prim(args)}. */
    CodeBlock op(Stmt.Op op) {
        CodeBlock.Builder c = CodeBlock.builder();
        Value out = op.out();
        String w = op.accumulate() ? "+=" : "=";
        Function<String, String> Y = at(out);
        Function<String, String> A = at(op.args().get(0));
        Function<String, String> B = op.args().size() > 1 ? at(op.args().get(1)) : null;
        Shape as = op.args().get(0).shape();
        Shape bs = op.args().size() > 1 ? op.args().get(1).shape() : null;
        if (op.prim().kernel() == null) {
            throw new IllegalStateException(op.prim() + " is elementwise: it is emitted as a map");
        }
        if (op.epilogue() != null && op.prim().kernel() != Prim.Kernel.MATVEC) {
            throw new IllegalStateException("no epilogue for " + op.prim());
        }
        switch (op.prim().kernel()) {
            case MATVEC -> rowDots(c, as.rowAxis(), as.colAxis(), (i, j) -> A.apply(flat(i, as.cols(), j)), B, (i, acc) -> {
                if (op.epilogue() == null) {
                    c.addStatement("$L $L $L", Y.apply(i), w, acc);
                } else {
                    Stmt.Epilogue e = op.epilogue();
                    String expr = Scalar.java(e.expr(), v -> {
                        int k = ((Scalar.In) v).index();
                        if (k == 0) {
                            return acc;
                        }
                        Value a = e.args().get(k - 1);
                        return layout.at(a, a.shape().size() == 1 ? "0" : i);
                    }, used, precision.single());
                    c.addStatement("$L $L $L", layout.at(e.out(), i), e.accumulate() ? "+=" : "=", expr);
                }
            });
            case VECMAT -> {
                int k = bs.cols();
                if (!bs.varies() && k < VECMAT_DOT_MAX_COLS) {
                    // Too few columns for a vector loop: one sum per column, kept in a register.
                    loop(c, "j", bs.colAxis(), j -> {
                        sumOf(c, "acc", "i", bs.rowAxis(), i -> A.apply(i) + " * " + B.apply(flat(i, k, j)));
                        c.addStatement("$L $L $L", Y.apply(j), w, sum("acc"));
                    });
                } else {
                    zeroUnlessAccumulating(c, op);
                    loop(c, "i", bs.rowAxis(), i -> {
                        c.addStatement("$L a = $L", real, A.apply(i));
                        loop(c, "j", bs.colAxis(), j -> c.addStatement("$L += a * $L", Y.apply(j), B.apply(flat(i, k, j))));
                    });
                }
            }
            case MATMUL, MATMUL_NT, MATMUL_TN -> {
                if (rowArrays(op) && simdPanel != null) {
                    simdProduct(c, op);
                } else if (rowArrays(op)) {
                    productOnRows(c, op);
                } else {
                    productOnFlatArrays(c, op, w);
                }
            }
            case DOT -> {
                sumOf(c, "acc", "i", as.colAxis(), i -> A.apply(i) + " * " + B.apply(i));
                c.addStatement("$L $L $L", Y.apply("0"), w, sum("acc"));
            }
            case OUTER -> loop(c, "i", as.colAxis(), i -> {
                c.addStatement("$L a = $L", real, A.apply(i));
                loop(c, "j", bs.colAxis(), j -> c.addStatement("$L $L a * $L", Y.apply(flat(i, bs.cols(), j)), w, B.apply(j)));
            });
            case TRANSPOSE -> loop(c, "i", as.rowAxis(), i -> loop(c, "j", as.colAxis(),
                    j -> c.addStatement("$L $L $L", Y.apply(flat(j, as.rows(), i)), w, A.apply(flat(i, as.cols(), j)))));
            case SUM -> {
                if (as.varies()) {
                    c.addStatement("double acc = 0.0");
                    each(c, as, i -> c.addStatement("acc += $L", A.apply(i)));
                } else {
                    sumOf(c, "acc", "i", as.size(), A);
                }
                c.addStatement("$L $L $L", Y.apply("0"), w, sum("acc"));
            }
            case SUM_AXIS -> {
                if (op.attributes().integer(0) == 0) {
                    zeroUnlessAccumulating(c, op);
                    loop(c, "i", as.rowAxis(), i -> loop(c, "j", as.colAxis(),
                            j -> c.addStatement("$L += $L", Y.apply(j), A.apply(flat(i, as.cols(), j)))));
                } else {
                    loop(c, "i", as.rowAxis(), i -> {
                        sumOf(c, "acc", "j", as.colAxis(), j -> A.apply(flat(i, as.cols(), j)));
                        c.addStatement("$L $L $L", Y.apply(i), w, sum("acc"));
                    });
                }
            }
            case EXPAND_COLS -> {
                int n = out.shape().cols();
                loop(c, "i", as.lengthAxis(), i -> {
                    c.addStatement("$L g = $L", real, A.apply(i));
                    loop(c, "j", out.shape().colAxis(), j -> c.addStatement("$L $L g", Y.apply(flat(i, n, j)), w));
                });
            }
            case SOFTMAX, LOG_SOFTMAX, LOGSUMEXP -> {
                if (op.accumulate()) {
                    throw new IllegalStateException(op.prim() + " never accumulates");
                }
                softmaxFamily(c, op.prim().kernel(), as, A, Y);
            }
            case SOFTMAX_BACKWARD -> rows(c, as, (row, e) -> {
                Function<String, String> dY = B;
                sumOf(c, "acc", "j", as.colAxis(), j -> dY.apply(e.apply(j)) + " * " + A.apply(e.apply(j)));
                loop(c, "j", as.colAxis(), j -> c.addStatement("$L $L $L * ($L - $L)", Y.apply(e.apply(j)), w, A.apply(e.apply(j)), dY.apply(e.apply(j)), sum("acc")));
            });
            case LOG_SOFTMAX_BACKWARD -> rows(c, as, (row, e) -> {
                Function<String, String> dY = B;
                sumOf(c, "acc", "j", as.colAxis(), j -> dY.apply(e.apply(j)));
                loop(c, "j", as.colAxis(), j -> c.addStatement("$L $L $L - $L * $L", Y.apply(e.apply(j)), w, dY.apply(e.apply(j)), exp(A.apply(e.apply(j))), sum("acc")));
            });
            case LOGSUMEXP_BACKWARD -> rows(c, as, (row, e) -> {
                Function<String, String> lse = B;
                Function<String, String> dY = at(op.args().get(2));
                c.addStatement("$L g = $L", real, dY.apply(row));
                c.addStatement("$L lse = $L", real, lse.apply(row));
                loop(c, "j", as.colAxis(), j -> c.addStatement("$L $L g * $L", Y.apply(e.apply(j)), w, exp(A.apply(e.apply(j)) + " - lse")));
            });
            case GATHER -> {
                // Row i of the result is row indices[i] of X (an element, for a vector X).
                int width = as.isMatrix() ? as.cols() : 1;
                loop(c, "i", bs.colAxis(), i -> loop(c, "j", width,
                        j -> c.addStatement("$L $L $L", Y.apply(flat(i, width, j)), w, A.apply(flat(B.apply(i), width, j)))));
            }
            case SCATTER_ADD -> {
                // The adjoint of a gather: row i of dy added into row indices[i] (repeated indices sum).
                int width = out.shape().isMatrix() ? out.shape().cols() : 1;
                zeroUnlessAccumulating(c, op);
                loop(c, "i", bs.colAxis(), i -> loop(c, "j", width,
                        j -> c.addStatement("$L += $L", Y.apply(flat(B.apply(i), width, j)), A.apply(flat(i, width, j)))));
            }
            case MAX_ALL -> {
                if (op.accumulate()) {
                    throw new IllegalStateException(op.prim() + " never accumulates");
                }
                c.addStatement("$L mx = $L", real, A.apply("0"));
                if (as.varies()) {
                    each(c, as, i -> c.addStatement("mx = Math.max(mx, $L)", A.apply(i)));
                } else if (as.size() > 1) {
                    c.beginControlFlow("for (int i = 1; i < $L; i++)", as.size())
                            .addStatement("mx = Math.max(mx, $L)", A.apply("i")).endControlFlow();
                }
                c.addStatement("$L = mx", Y.apply("0"));
            }
            case MAX_AXIS -> {
                if (op.attributes().integer(0) == 0) {
                    loop(c, "j", as.colAxis(), j -> c.addStatement("$L = $L", Y.apply(j), A.apply(j)));
                    if (as.rows() > 1) {
                        c.beginControlFlow("for (int i = 1; i < $L; i++)", layout.extent(as.rowAxis()));
                        loop(c, "j", as.colAxis(), j -> c.addStatement("$L = Math.max($L, $L)", Y.apply(j), Y.apply(j), A.apply(flat("i", as.cols(), j))));
                        c.endControlFlow();
                    }
                } else {
                    loop(c, "i", as.rowAxis(), i -> {
                        c.addStatement("$L mx = $L", real, A.apply(flat(i, as.cols(), "0")));
                        if (as.cols() > 1) {
                            c.beginControlFlow("for (int j = 1; j < $L; j++)", layout.extent(as.colAxis()))
                                    .addStatement("mx = Math.max(mx, $L)", A.apply(flat(i, as.cols(), "j"))).endControlFlow();
                        }
                        c.addStatement("$L = mx", Y.apply(i));
                    });
                }
            }
            case PICK -> loop(c, "i", as.rowAxis(), i -> c.addStatement("$L $L $L", Y.apply(i), w, A.apply(flat(i, as.cols(), B.apply(i)))));
            case PICK_ADD -> {
                int n = out.shape().cols();
                zeroUnlessAccumulating(c, op);
                loop(c, "i", as.colAxis(), i -> c.addStatement("$L += $L", Y.apply(flat(i, n, B.apply(i))), A.apply(i)));
            }
            case SLICE, UNSLICE -> {
                // Element (r, j) of the block is element r * stride + j of the view at its start.
                Shape block = op.prim().kernel() == Prim.Kernel.SLICE ? out.shape() : as;
                int stride = op.attributes().integer(0);
                int width = block.isMatrix() ? block.cols() : 1;
                Shape.Axis height = block.lengthAxis();
                loop(c, "r", height, r -> loop(c, "j", width, j -> {
                    if (op.prim().kernel() == Prim.Kernel.SLICE) {
                        c.addStatement("$L $L $L", Y.apply(flat(r, width, j)), w, A.apply(flat(r, stride, j)));
                    } else {
                        c.addStatement("$L $L $L", Y.apply(flat(r, stride, j)), w, A.apply(flat(r, width, j)));
                    }
                }));
            }
            case CONCAT -> {
                Shape o = out.shape();
                boolean columns = o.isMatrix() && o.cols() != as.cols();
                if (columns) {
                    loop(c, "r", o.rowAxis(), r -> {
                        loop(c, "j", as.cols(), j -> c.addStatement("$L $L $L", Y.apply(flat(r, o.cols(), j)), w, A.apply(flat(r, as.cols(), j))));
                        loop(c, "j", bs.cols(), j -> c.addStatement("$L $L $L", Y.apply(Layout.add(flat(r, o.cols(), Integer.toString(as.cols())), j)),
                                w, B.apply(flat(r, bs.cols(), j))));
                    });
                } else {
                    loop(c, "i", as.size(), i -> c.addStatement("$L $L $L", Y.apply(i), w, A.apply(i)));
                    loop(c, "i", bs.size(), i -> c.addStatement("$L $L $L", Y.apply(Layout.add(Integer.toString(as.size()), i)), w, B.apply(i)));
                }
            }
            case TAKE_FIRST, TAKE_LAST -> {
                // The part of x of the result's shape: its first or last rows, columns or elements.
                Shape o = out.shape();
                boolean last = op.prim().kernel() == Prim.Kernel.TAKE_LAST;
                boolean columns = o.isMatrix() && o.cols() != as.cols();
                if (columns) {
                    int skip = last ? as.cols() - o.cols() : 0;
                    loop(c, "r", o.rowAxis(), r -> loop(c, "j", o.cols(), j -> c.addStatement("$L $L $L", Y.apply(flat(r, o.cols(), j)), w,
                            A.apply(Layout.add(flat(r, as.cols(), Integer.toString(skip)), j)))));
                } else {
                    int skip = last ? as.size() - o.size() : 0;
                    loop(c, "i", o.size(), i -> c.addStatement("$L $L $L", Y.apply(i), w, A.apply(Layout.add(Integer.toString(skip), i))));
                }
            }
            default -> throw new IllegalStateException("no kernel for " + op.prim());
        }
        return scoped(c.build());
    }

    /** True if a product's rows are long enough to run on row arrays (and it has no epilogue). */
    private static boolean rowArrays(Stmt.Op op) {
        return op.epilogue() == null && op.out().shape().cols() >= ROW_ARRAY_MIN_COLS;
    }

    /**
     * The three products on flat arrays. MATMUL in p-outer order: each row of B is read once and
     * stays in cache while every row of C takes its share; the inner loop is an axpy. Each
     * C[i, j] still sums over p in order.
     */
    private void productOnFlatArrays(CodeBlock.Builder c, Stmt.Op op, String w) {
        Function<String, String> Y = at(op.out());
        Function<String, String> A = at(op.args().get(0));
        Function<String, String> B = at(op.args().get(1));
        Shape as = op.args().get(0).shape();
        Shape bs = op.args().get(1).shape();
        switch (op.prim().kernel()) {
            case MATMUL -> {
                int n = as.cols();
                int k = bs.cols();
                zeroUnlessAccumulating(c, op);
                loop(c, "p", as.colAxis(), p -> loop(c, "i", as.rowAxis(), i -> {
                    c.addStatement("$L a = $L", real, A.apply(flat(i, n, p)));
                    loop(c, "j", bs.colAxis(), j -> c.addStatement("$L += a * $L", Y.apply(flat(i, k, j)), B.apply(flat(p, k, j))));
                }));
            }
            case MATMUL_NT -> {
                // C[i, j] = Σ_q A[i, q] * B[j, q]: dot products of rows, four rows of A at a time.
                int n = as.cols();
                int k = bs.rows();
                loop(c, "p", bs.rowAxis(), p -> rowDots(c, as.rowAxis(), as.colAxis(), (i, q) -> A.apply(flat(i, n, q)), q -> B.apply(flat(p, n, q)),
                        (i, acc) -> c.addStatement("$L $L $L", Y.apply(flat(i, k, p)), w, acc)));
            }
            case MATMUL_TN -> {
                // C[i, j] = Σ_s A[s, i] * B[s, j]: s outermost, so rows of A, B and C are read in order.
                int m = as.cols();
                int k = bs.cols();
                zeroUnlessAccumulating(c, op);
                loop(c, "p", as.rowAxis(), p -> loop(c, "i", as.colAxis(), i -> {
                    c.addStatement("$L a = $L", real, A.apply(flat(p, m, i)));
                    loop(c, "j", bs.colAxis(), j -> c.addStatement("$L += a * $L", Y.apply(flat(i, k, j)), B.apply(flat(p, k, j))));
                }));
            }
            default -> throw new IllegalStateException(op.prim() + " is not a matrix product");
        }
    }

    /**
     * A matrix product on row arrays: B's rows (for MATMUL_NT, the rows of B's transpose) are
     * copied into a scratch {@code double[][]}, C is accumulated in another, row by row with
     * {@code c[j] += a * b[j]} (a loop C2 vectorizes), then copied out (or added, when the product
     * accumulates). Every C[i, j] sums over the shared dimension in the same order as the flat
     * kernels, so the results are the same to the bit.
     */
    private void productOnRows(CodeBlock.Builder c, Stmt.Op op) {
        Value aV = op.args().get(0);
        Value bV = op.args().get(1);
        Shape as = aV.shape();
        Shape bs = bV.shape();
        Prim.Kernel kind = op.prim().kernel();
        // C[m, k] = Σ_s a(i, s) * brow_s[j], with s over `shared`.
        int m = op.out().shape().rows();
        int k = op.out().shape().cols();
        int shared = kind == Prim.Kernel.MATMUL_TN ? as.rows() : as.cols();
        Extents e = extents(op);
        String mE = e.rows();
        String kE = e.cols();
        String sharedE = e.shared();
        Function<String, String> A = at(aV);
        String[] b = layout.base(bV);
        String[] y = layout.base(op.out());
        String br = scratch.rows("b", shared, k);
        if (kind == Prim.Kernel.MATMUL_NT) {
            // Rows of B's transpose: br[q][j] = B[j, q].
            int n = bs.cols();
            c.beginControlFlow("for (int p = 0; p < $L; p++)", kE)
                    .beginControlFlow("for (int j = 0; j < $L; j++)", sharedE)
                    .addStatement("$L[j][p] = $L[$L]", br, b[0], Layout.add(b[1], Layout.add(Layout.mul("p", n), "j")))
                    .endControlFlow()
                    .endControlFlow();
        } else {
            c.beginControlFlow("for (int p = 0; p < $L; p++)", sharedE)
                    .addStatement("System.arraycopy($L, $L, $L[p], 0, $L)", b[0], Layout.add(b[1], Layout.mul("p", k)), br, kE)
                    .endControlFlow();
        }
        Function<String, String> aAt = p -> A.apply(kind == Prim.Kernel.MATMUL_TN ? flat(p, m, "i") : flat("i", as.cols(), p));
        if ((long) shared * k <= ROW_OUTER_MAX_B) {
            // B is small enough to stay in cache: one row of C at a time, in one scratch row.
            c.beginControlFlow("for (int i = 0; i < $L; i++)", mE)
                    .addStatement("$L[] c = $L[0]", real, scratch.rows("c", 1, k))
                    .addStatement("$T.fill(c, $L)", ClassWriter.ARRAYS, realZero);
            fourSources(c, br, e, "0", kE, aAt, null, null);
            storeRow(c, op, y, k, kE, "c");
            c.endControlFlow();
            return;
        }
        String cr = scratch.rows("c", m, k);
        c.beginControlFlow("for (int i = 0; i < $L; i++)", mE)
                .addStatement("$T.fill($L[i], $L)", ClassWriter.ARRAYS, cr, realZero)
                .endControlFlow();
        // p-outer, C's rows in column blocks that stay in cache while four rows of B pass over them.
        boolean blocked = k > COLUMN_BLOCK;
        if (blocked) {
            c.beginControlFlow("for (int j0 = 0; j0 < $L; j0 += $L)", kE, COLUMN_BLOCK)
                    .addStatement("int j1 = Math.min($L, j0 + $L)", kE, COLUMN_BLOCK);
        }
        String from = blocked ? "j0" : "0";
        String to = blocked ? "j1" : kE;
        fourSources(c, br, e, from, to, aAt, mE, cr);
        if (blocked) {
            c.endControlFlow();
        }
        c.beginControlFlow("for (int i = 0; i < $L; i++)", mE)
                .addStatement("$L[] c = $L[i]", real, cr);
        storeRow(c, op, y, k, kE, "c");
        c.endControlFlow();
    }

    /**
     * {@code c[j] += Σ_p a(p) * br[p][j]} for j in [from, to), four rows of B per pass over
     * {@code c}: one destination and four sources still vectorize, and C is loaded and stored a
     * quarter as often. Each sum is written out left to right, so it adds over p in order, to the
     * same bits as one row at a time. With {@code rowsE} null, {@code c} is one row already in
     * scope; otherwise the rows of B pass over every row {@code c = cr[i]}, i below {@code rowsE}.
     */
    private void fourSources(CodeBlock.Builder c, String br, Extents e, String from, String to,
            Function<String, String> aAt, String rowsE, String cr) {
        String sharedE = e.shared();
        Runnable open = () -> {
            if (rowsE != null) {
                c.beginControlFlow("for (int i = 0; i < $L; i++)", rowsE)
                        .addStatement("$L[] c = $L[i]", real, cr);
            }
        };
        Runnable close = () -> {
            if (rowsE != null) {
                c.endControlFlow();
            }
        };
        // A shared size known here needs only the loops that run: fours, the rest, or both.
        int known = e.sharedAxis().varies() ? -1 : e.sharedAxis().size();
        // One row of B per pass, from `head` on: for the rest after the fours, or all of a few.
        Consumer<String> oneAtATime = head -> {
            c.beginControlFlow(head, sharedE)
                    .addStatement("$L[] b = $L[p]", real, br);
            open.run();
            c.addStatement("$L a = $L", real, aAt.apply("p"));
            c.beginControlFlow("for (int j = $L; j < $L; j++)", from, to)
                    .addStatement("c[j] += a * b[j]")
                    .endControlFlow();
            close.run();
            c.endControlFlow();
        };
        if (known >= 0 && known < 4) {
            oneAtATime.accept("for (int p = 0; p < $L; p++)");
            return;
        }
        c.addStatement("int p = 0");
        c.beginControlFlow("for (; p + 3 < $L; p += 4)", sharedE);
        for (int q = 0; q < 4; q++) {
            c.addStatement("$L[] b$L = $L[$L]", real, q, br, q == 0 ? "p" : "p + " + q);
        }
        open.run();
        for (int q = 0; q < 4; q++) {
            c.addStatement("$L a$L = $L", real, q, aAt.apply(q == 0 ? "p" : "p + " + q));
        }
        c.beginControlFlow("for (int j = $L; j < $L; j++)", from, to)
                .addStatement("c[j] = c[j] + a0 * b0[j] + a1 * b1[j] + a2 * b2[j] + a3 * b3[j]")
                .endControlFlow();
        close.run();
        c.endControlFlow();
        if (known % 4 != 0) {
            oneAtATime.accept("for (; p < $L; p++)");
        }
    }

    /** A product's loop extents: the sizes in this call (strides stay those of the maxima). */
    private record Extents(String rows, String cols, Shape.Axis sharedAxis, String shared) {}

    private Extents extents(Stmt.Op op) {
        Shape as = op.args().get(0).shape();
        Shape.Axis shared = op.prim().kernel() == Prim.Kernel.MATMUL_TN ? as.rowAxis() : as.colAxis();
        return new Extents(layout.extent(op.out().shape().rowAxis()), layout.extent(op.out().shape().colAxis()), shared, layout.extent(shared));
    }

    /**
     * A matrix product as one call of {@link SimdKernel}'s {@code gemm}, which reads every operand
     * in place through its strides: A's element (i, s) at {@code ao + i * ais + s * aps}, B's
     * element (s, j) at {@code bo + s * bps + j * bjs}, so a transposed operand costs nothing here.
     */
    private void simdProduct(CodeBlock.Builder c, Stmt.Op op) {
        Value aV = op.args().get(0);
        Value bV = op.args().get(1);
        Shape as = aV.shape();
        Shape bs = bV.shape();
        Prim.Kernel kind = op.prim().kernel();
        Extents e = extents(op);
        String[] a = layout.base(aV);
        String[] b = layout.base(bV);
        String[] y = layout.base(op.out());
        int ais = kind == Prim.Kernel.MATMUL_TN ? 1 : as.cols();
        int aps = kind == Prim.Kernel.MATMUL_TN ? as.cols() : 1;
        int bps = kind == Prim.Kernel.MATMUL_NT ? 1 : bs.cols();
        int bjs = kind == Prim.Kernel.MATMUL_NT ? bs.cols() : 1;
        c.addStatement("$L($L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L)", SimdKernel.GEMM, e.rows(), e.shared(), e.cols(),
                a[0], a[1], ais, aps, b[0], b[1], bps, bjs, y[0], y[1], op.out().shape().cols(), op.accumulate(), simdPanel.get());
    }

    /** Stores (or adds) row {@code i} of a product, held in the row array {@code row}. */
    private static void storeRow(CodeBlock.Builder c, Stmt.Op op, String[] y, int k, String kE, String row) {
        if (op.accumulate()) {
            c.beginControlFlow("for (int j = 0; j < $L; j++)", kE)
                    .addStatement("$L[$L] += $L[j]", y[0], Layout.add(y[1], Layout.add(Layout.mul("i", k), "j")), row)
                    .endControlFlow();
        } else {
            c.addStatement("System.arraycopy($L, 0, $L, $L, $L)", row, y[0], Layout.add(y[1], Layout.mul("i", k)), kE);
        }
    }

    private void zeroUnlessAccumulating(CodeBlock.Builder c, Stmt.Op op) {
        if (!op.accumulate()) {
            Function<String, String> Y = at(op.out());
            each(c, op.out().shape(), i -> c.addStatement("$L = $L", Y.apply(i), realZero));
        }
    }

    private interface RowBody {
        /** {@code row}: the row index; {@code element}: column index → flat index of that row's element. */
        void emit(String row, Function<String, String> element);
    }

    /** Runs {@code body} once per row ({@code r}), or once with row 0 for a vector. */
    private void rows(CodeBlock.Builder c, Shape s, RowBody body) {
        int n = s.cols();
        loop(c, "r", s.rowAxis(), r -> body.emit(r, j -> flat(r, n, j)));
    }

    private void softmaxFamily(CodeBlock.Builder c, Prim.Kernel prim, Shape xs, Function<String, String> X, Function<String, String> Y) {
        Shape.Axis n = xs.colAxis();
        rows(c, xs, (row, e) -> {
            c.addStatement("$L mx = $L.NEGATIVE_INFINITY", real, precision.boxed());
            loop(c, "j", n, j -> c.addStatement("mx = Math.max(mx, $L)", X.apply(e.apply(j))));
            c.addStatement("$L shift = $L.isInfinite(mx) ? $L : mx", real, precision.boxed(), realZero);
            if (prim == Prim.Kernel.SOFTMAX) {
                c.addStatement("double acc = 0.0");
                loop(c, "j", n, j -> c.addStatement("$L e = $L", real, exp(X.apply(e.apply(j)) + " - shift"))
                        .addStatement("$L = e", Y.apply(e.apply(j)))
                        .addStatement("acc += e"));
                loop(c, "j", n, j -> c.addStatement("$L /= acc", Y.apply(e.apply(j))));
            } else {
                sumOf(c, "acc", "j", n, j -> exp(X.apply(e.apply(j)) + " - shift"));
                c.addStatement("$L lse = shift + $L", real, precision.narrow("Math.log(acc)"));
                if (prim == Prim.Kernel.LOG_SOFTMAX) {
                    loop(c, "j", n, j -> c.addStatement("$L = $L - lse", Y.apply(e.apply(j)), X.apply(e.apply(j))));
                } else {
                    c.addStatement("$L = lse", Y.apply(row));
                }
            }
        });
    }

    // ------------------------------------------------------------------ elementwise maps

    /** How a value is read (or summed into) at an element (i, j) of a map's domain. */
    private enum Read {
        /** One element for the whole domain (a scalar, or any shape of one element). */
        ONE,
        /** The element itself: the value has the domain's shape. */
        FLAT,
        /** Column j: a vector [n] or a row [1, n], repeated on every row of a matrix domain. */
        COL,
        /** Row i: a column [m, 1], repeated on every column of a matrix domain. */
        ROW
    }

    /** How a value of shape {@code s} lines up with the domain {@code d} (NumPy's broadcasting). */
    private static Read read(Shape s, Shape d) {
        if (s.size() == 1 && !s.varies()) {
            return Read.ONE;
        }
        if (s.rowAxis().equals(d.rowAxis()) && s.colAxis().equals(d.colAxis())) {
            return Read.FLAT;
        }
        boolean oneRow = !s.isMatrix() || (s.rows() == 1 && s.rowDim() == null);
        if (d.isMatrix() && oneRow && s.colAxis().equals(d.colAxis())) {
            return Read.COL;
        }
        if (d.isMatrix() && s.isMatrix() && s.cols() == 1 && s.colDim() == null && s.rowAxis().equals(d.rowAxis())) {
            return Read.ROW;
        }
        throw new IllegalStateException(s + " does not broadcast to " + d);
    }

    /**
     * One elementwise loop over the map's domain. Arguments are read by how they broadcast to it
     * (NumPy's rule): at the element, once (a scalar), by column (a vector or a row {@code [1, n]}
     * of a matrix domain) or by row (a column {@code [m, 1]}). An output smaller than the domain
     * sums what falls on each of its elements: into a local for one element, over the rows for a
     * vector or row, along each row for a column.
     */
    CodeBlock map(Stmt.Map m) {
        Shape d = m.domain();
        Value out = m.out();
        Read into = read(out.shape(), d);
        boolean twoLoops = d.isMatrix() && (into == Read.COL || into == Read.ROW
                || m.args().stream().map(a -> read(a.shape(), d)).anyMatch(r -> r == Read.COL || r == Read.ROW));
        CodeBlock.Builder c = CodeBlock.builder();
        String w = m.accumulate() ? "+=" : "=";
        boolean sumToScalar = into == Read.ONE && d.size() > 1;
        Function<String[], String> exprAt = idx -> Scalar.java(m.expr(), v -> {
            Value a = m.args().get(((Scalar.In) v).index());
            return layout.at(a, pick(read(a.shape(), d), idx));
        }, used, precision.single());
        if (sumToScalar && !twoLoops && !d.varies()) {
            // A fixed domain summed into one element.
            sumOf(c, "acc", "i", d.size(), i -> exprAt.apply(new String[] {i, i, i}));
            c.addStatement("$L $L $L", layout.at(out, "0"), w, sum("acc"));
            return scoped(c.build());
        }
        if (sumToScalar) {
            c.addStatement("double acc = 0.0");
        }
        if (into == Read.COL && !m.accumulate()) {
            Function<String, String> Y = at(out);
            loop(c, "j", out.shape().colAxis(), j -> c.addStatement("$L = $L", Y.apply(j), realZero));
        }
        Consumer<String[]> element = idx -> {
            // idx: flat index in the domain, row index, column index.
            String expr = exprAt.apply(idx);
            switch (into) {
                case ONE -> {
                    if (sumToScalar) {
                        c.addStatement("acc += $L", expr);
                    } else {
                        c.addStatement("$L $L $L", layout.at(out, "0"), w, expr);
                    }
                }
                case FLAT -> c.addStatement("$L $L $L", layout.at(out, idx[0]), w, expr);
                case COL -> c.addStatement("$L += $L", layout.at(out, idx[2]), expr);
                case ROW -> throw new IllegalStateException("a column's sums are emitted row by row");
            }
        };
        if (twoLoops) {
            loop(c, "i", d.rowAxis(), i -> {
                if (into == Read.ROW) {
                    sumOf(c, "acc", "j", d.colAxis(), j -> exprAt.apply(new String[] {flat(i, d.cols(), j), i, j}));
                    c.addStatement("$L $L $L", layout.at(out, i), w, sum("acc"));
                } else {
                    loop(c, "j", d.colAxis(), j -> element.accept(new String[] {flat(i, d.cols(), j), i, j}));
                }
            });
        } else {
            each(c, d, i -> element.accept(new String[] {i, i, i}));
        }
        if (sumToScalar) {
            c.addStatement("$L $L $L", layout.at(out, "0"), w, sum("acc"));
        }
        return scoped(c.build());
    }

    private static String pick(Read r, String[] idx) {
        return switch (r) {
            case ONE -> "0";
            case FLAT -> idx[0];
            case COL -> idx[2];
            case ROW -> idx[1];
        };
    }

    // ------------------------------------------------------------------ zero

    /** {@code target = 0}, every element (a param's adjoint is its range of the gradient). */
    CodeBlock zero(Stmt.Zero statement) {
        Value v = statement.target();
        int n = v.shape().size();
        CodeBlock.Builder c = CodeBlock.builder();
        Value primal = v.kind() == Value.Kind.ADJOINT ? v.primal() : v;
        if (v.kind() == Value.Kind.ADJOINT && primal.kind() == Value.Kind.PARAM && n > 1) {
            String off = layout.offsetOf(primal);
            return c.addStatement("$T.fill($L, $L, $L + $L, $L)", ClassWriter.ARRAYS, Layout.GRAD, off, off, n, realZero).build();
        }
        if (n > 1 && v.kind() == Value.Kind.ADJOINT) {
            return c.addStatement("$T.fill($L, $L)", ClassWriter.ARRAYS, layout.adjointName(primal), realZero).build();
        }
        Function<String, String> Y = at(v);
        each(c, v.shape(), i -> c.addStatement("$L = $L", Y.apply(i), realZero));
        return c.build();
    }
}
