package dev.lossc.codegen;

import dev.lossc.ir.Stmt;
import dev.lossc.ir.Value;
import dev.lossc.prim.Prim;
import dev.lossc.prim.Scalar;
import dev.lossc.prim.ScalarFn;
import dev.lossc.types.Shape;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * The products ({@code matvec}, {@code vecmat}, {@code matmul} and its transposed forms,
 * {@code dot}, {@code outer}), each written from its {@link ProductPlan}: the plan says where each
 * operand's elements are and which loop form runs; this class only prints it.
 */
final class Products {
    /** Rows computed together by {@link #rowDots}: independent sums the CPU can overlap. */
    private static final int DOT_ROWS = 4;

    private final Loops loops;
    private final Layout layout;
    private final Consumer<ScalarFn> used;
    private final String real;
    private final String realZero;
    private final Kernels.Scratch scratch;
    /**
     * With {@code --simd}: the name of the panel field {@link SimdKernel}'s {@code gemm} takes, for a
     * product of the given rows of C (the panel holds A's rows too, where the CPU's vectors are
     * narrower than 512 bits); null otherwise.
     */
    private final IntFunction<String> simdPanel;
    /** With {@code --parallel}: where kernels split across threads go; null otherwise. */
    private final Kernels.Parallel parallel;

    Products(Loops loops, Consumer<ScalarFn> used, Kernels.Scratch scratch, IntFunction<String> simdPanel, Kernels.Parallel parallel) {
        this.parallel = parallel;
        this.loops = loops;
        this.layout = loops.layout;
        this.used = used;
        this.real = loops.real;
        this.realZero = loops.realZero;
        this.scratch = scratch;
        this.simdPanel = simdPanel;
    }

    /** The plan of a product op, for this class's options. */
    ProductPlan plan(Stmt.Op op) {
        Shape b = op.args().size() > 1 ? op.args().get(1).shape() : null;
        return ProductPlan.of(op.prim().kernel(), op.args().get(0).shape(), b, op.out().shape(), op.accumulate(), op.epilogue() != null,
                simdPanel != null, loops.precision.bytes());
    }

    /** {@code out (+)= a · b} for a product op ({@code topLevel}: outside every loop). */
    void product(Code c, Stmt.Op op, boolean topLevel) {
        ProductPlan plan = plan(op);
        Value aV = op.args().get(0);
        Value bV = op.args().get(1);
        // Forms that accumulate C in memory (flat axpy, the SIMD kernel) compute it into the
        // epilogue's array and apply the epilogue there in place; the others as they store.
        Value into = Stmt.written(op);
        Function<String, String> Y = loops.at(into);
        Function<String, String> A = loops.at(aV);
        Function<String, String> B = loops.at(bV);
        BiFunction<String, String, String> left = (i, s) -> A.apply(plan.left().index(i, s));
        BiFunction<String, String, String> right = (s, j) -> B.apply(plan.right().index(j, s));
        String w = op.accumulate() ? "+=" : "=";
        switch (plan.form()) {
            case ROW_DOTS -> rowDots(c, plan.rows(), plan.shared(), left, s -> right.apply(s, "0"), (i, acc) -> {
                if (op.epilogue() == null) {
                    c.add("$L $L $L", Y.apply(i), w, acc);
                } else {
                    epilogue(c, op, i, i, i, acc);
                }
            });
            case COLUMN_SUMS -> loops.loop(c, "j", plan.cols(), j -> {
                loops.sumOf(c, "acc", "i", plan.shared(), i -> left.apply("0", i) + " * " + right.apply(i, j));
                c.add("$L $L $L", Y.apply(j), w, loops.sum("acc"));
            });
            case AXPY -> {
                loops.zeroUnlessAccumulating(c, op);
                loops.loop(c, "i", plan.shared(), i -> {
                    c.declare("$L a = $L", real, left.apply("0", i));
                    loops.loop(c, "j", plan.cols(), j -> c.add("$L += a * $L", Y.apply(j), right.apply(i, j)));
                });
            }
            case FLAT_AXPY -> {
                // Each row of B is read once and stays in cache while every row of C takes its share;
                // each C[i, j] still sums over p in order.
                int k = op.out().shape().cols();
                if (!op.accumulate()) {
                    loops.each(c, op.out().shape(), i -> c.add("$L = $L", Y.apply(i), realZero));
                }
                loops.loop(c, "p", plan.shared(), p -> loops.loop(c, "i", plan.rows(), i -> {
                    c.declare("$L a = $L", real, left.apply(i, p));
                    loops.loop(c, "j", plan.cols(), j -> c.add("$L += a * $L", Y.apply(Loops.flat(i, k, j)), right.apply(p, j)));
                }));
                epilogueInPlace(c, op, plan);
            }
            case FLAT_DOTS -> {
                // C[i, j] = Σ_q A[i, q] * B[j, q]: dot products of rows, four rows of A at a time.
                int k = op.out().shape().cols();
                loops.loop(c, "p", plan.cols(), p -> rowDots(c, plan.rows(), plan.shared(), left, q -> right.apply(q, p), (i, acc) -> {
                    if (op.epilogue() == null) {
                        c.add("$L $L $L", Y.apply(Loops.flat(i, k, p)), w, acc);
                    } else {
                        epilogue(c, op, Loops.flat(i, k, p), i, p, acc);
                    }
                }));
            }
            case ROWS_ONE_ROW -> onRows(c, op, plan, left, parallel != null && topLevel && plan.splits());
            case ROWS_TILES -> tiles(c, op, plan, left, parallel != null && topLevel && plan.splits());
            case ROWS_SHARED_OUTER -> {
                if (!(parallel != null && topLevel && plan.splits())) {
                    panelled(c, op, plan, left);
                } else if (plan.splitsByRows()) {
                    byRows(c, op, plan, left);
                } else {
                    byColumns(c, op, plan, left, described(op, layout.base(Stmt.written(op))));
                }
            }
            case SIMD -> {
                simd(c, op, plan, parallel != null && topLevel && plan.splits());
                epilogueInPlace(c, op, plan);
            }
        }
    }

    /**
     * Element (i, j) of a product, {@code value}, put through the op's epilogue: its map's
     * arguments read at that element by how they broadcast to the product's shape ({@code flat}
     * is the element's index in it), the map's result stored (or added) there.
     */
    private void epilogue(Code c, Stmt.Op op, String flat, String i, String j, String value) {
        Stmt.Epilogue e = op.epilogue();
        Shape d = op.out().shape();
        String expr = Scalar.java(e.expr(), v -> {
            int k = ((Scalar.In) v).index();
            return k == 0 ? value : Maps.at(layout, e.args().get(k - 1), d, flat, i, j);
        }, used, loops.precision.single());
        c.add("$L $L $L", layout.at(e.out(), flat), e.accumulate() ? "+=" : "=", expr);
    }

    /**
     * The epilogue of a product that a form computed into the epilogue's own array (which the
     * fusion pass allows only for an epilogue that assigns): applied there, element by element,
     * after the product. The product's temporary array is gone; the loop over it stays.
     */
    private void epilogueInPlace(Code c, Stmt.Op op, ProductPlan plan) {
        if (op.epilogue() == null) {
            return;
        }
        if (op.epilogue().accumulate()) {
            throw new IllegalStateException("an epilogue that adds needs the product's result in its own array");
        }
        int k = op.out().shape().cols();
        Function<String, String> Y = loops.at(op.epilogue().out());
        loops.loop(c, "i", plan.rows(), i -> loops.loop(c, "j", plan.cols(), j -> epilogue(c, op, Loops.flat(i, k, j), i, j, Y.apply(Loops.flat(i, k, j)))));
    }

    /** {@code dot(a, b)}. */
    void dot(Code c, Stmt.Op op) {
        Function<String, String> A = loops.at(op.args().get(0));
        Function<String, String> B = loops.at(op.args().get(1));
        loops.sumOf(c, "acc", "i", op.args().get(0).shape().colAxis(), i -> A.apply(i) + " * " + B.apply(i));
        c.add("$L $L $L", layout.at(op.out(), "0"), op.accumulate() ? "+=" : "=", loops.sum("acc"));
    }

    /** {@code outer(a, b)}. */
    void outer(Code c, Stmt.Op op) {
        Function<String, String> Y = loops.at(op.out());
        Function<String, String> A = loops.at(op.args().get(0));
        Function<String, String> B = loops.at(op.args().get(1));
        Shape bs = op.args().get(1).shape();
        loops.loop(c, "i", op.args().get(0).shape().colAxis(), i -> {
            c.declare("$L a = $L", real, A.apply(i));
            loops.loop(c, "j", bs.colAxis(), j -> c.add("$L $L a * $L", Y.apply(Loops.flat(i, bs.cols(), j)), op.accumulate() ? "+=" : "=", B.apply(j)));
        });
    }

    /**
     * {@code store(row, sum)} for every row {@code i < rows}, where {@code sum} is
     * {@code Σ_j left(i, j) * right(j)} accumulated in {@code j} order. Four rows share each load of
     * {@code right(j)} and run four independent sums (a single sum is one long chain of dependent
     * additions); every row's sum is still the same sequence of additions, so results are unchanged.
     */
    private void rowDots(Code c, Shape.Axis rowAxis, Shape.Axis cols, BiFunction<String, String, String> left,
                         Function<String, String> right, BiConsumer<String, String> store) {
        // For a size that varies per call, the blocked part and the rest are split at run time.
        boolean varies = rowAxis.varies();
        String n = layout.extent(rowAxis);
        int rows = rowAxis.size();
        String blocked = varies ? n + " - " + n + " % " + DOT_ROWS : Integer.toString(rows - rows % DOT_ROWS);
        if (varies || rows >= DOT_ROWS) {
            c.open("for (int i = 0; i < $L; i += $L)", blocked, DOT_ROWS);
            boolean first = !cols.varies() && Loops.startsFromFirstTerm(cols.size());
            for (int r = 0; r < DOT_ROWS; r++) {
                if (first) {
                    c.declare("double acc$L = $L * $L", r, left.apply(r == 0 ? "i" : "i + " + r, "0"), right.apply("0"));
                } else {
                    c.declare("double acc$L = 0.0", r);
                }
            }
            Consumer<String> step = j -> {
                c.declare("$L a = $L", real, right.apply(j));
                for (int r = 0; r < DOT_ROWS; r++) {
                    c.add("acc$L += $L * a", r, left.apply(r == 0 ? "i" : "i + " + r, j));
                }
            };
            if (first) {
                Loops.afterTheFirst(c, "j", cols.size(), step);
            } else {
                loops.loop(c, "j", cols, step);
            }
            for (int r = 0; r < DOT_ROWS; r++) {
                store.accept(r == 0 ? "i" : "i + " + r, loops.sum("acc" + r));
            }
            c.close();
        }
        Consumer<String> row = i -> {
            loops.sumOf(c, "acc", "j", cols, j -> left.apply(i, j) + " * " + right.apply(j));
            store.accept(i, loops.sum("acc"));
        };
        if (!varies && rows % DOT_ROWS == 1) {
            row.accept(Integer.toString(rows - 1));
        } else if (varies || rows % DOT_ROWS > 1) {
            c.open("for (int i = $L; i < $L; i++)", blocked, n);
            row.accept("i");
            c.close();
        }
    }

    /**
     * A matrix product on row arrays, with {@code c[j] += a * b[j]} (a loop C2 vectorizes), one row
     * of C at a time (the shared-index-outer form is {@link #panelled}, or {@link #byColumns} or
     * {@link #byRows} when it runs split): B's rows (for a B read transposed, the rows of its
     * transpose, gathered) are copied into a scratch {@code double[][]}, each row of C is
     * accumulated in a scratch row, then copied out (or added, when the product accumulates).
     * Every C[i, j] sums over the shared dimension in the same order as the flat forms, so the
     * results are the same to the bit.
     *
     * <p>{@code split}: the rows of C run split across the class's threads ({@link Kernels.Parallel}),
     * each thread on chunks of rows it claims in turn ({@link #CLAIMED_ROWS}), over a copy of all of B
     * of its own ({@link #rowsOfB}). A row of C is computed
     * by the same additions in the same order whichever thread computes it, so the results are
     * the same to the bit at any thread count.
     */
    private void onRows(Code c, Stmt.Op op, ProductPlan plan, BiFunction<String, String, String> left, boolean split) {
        int k = op.out().shape().cols();
        String mE = layout.extent(plan.rows());
        String kE = layout.extent(plan.cols());
        Layout.Address y = layout.base(Stmt.written(op));
        Code setup = split ? new Code() : c;
        String br = rowsOfB(setup, op, plan, split);
        Code rows = split ? new Code() : c;
        String from = split ? "lo" : "0";
        String to = split ? "hi" : mE;
        Function<String, String> aAt = p -> left.apply("i", p);
        // B is small enough to stay in cache: one row of C at a time, in one scratch row (one per part).
        rows.open("for (int i = $L; i < $L; i++)", from, to)
                .declare("$L[] c = $L[$L]", real, split ? parallel.partRows(k) : scratch.rows("c", 1, k), split ? "part" : "0")
                .add(split ? "$T.fill(c, 0, $L, $L)" : "$T.fill(c, $L$L)", ClassWriter.ARRAYS, split ? kE : "", realZero);
        sourcePasses(rows, br, plan.shared(), "0", kE, aAt, null);
        storeRow(rows, op, y, k, kE, "c");
        rows.close();
        if (split) {
            c.add("$L", parallel.chunked(setup.build(), rows.build(), mE, CLAIMED_ROWS, "Rows of the " + described(op, y)
                    + ", all of the right operand copied into rows of this part's own first."));
        }
    }

    /**
     * Copies all of B's rows (for a B read transposed, the rows of its transpose, gathered) into
     * a scratch {@code double[][]} and returns its name; {@code split}: at the start of a part of
     * a split kernel, into rows of the part's own ({@code bp}). Each thread copying all of B reads
     * it where the caller left it and writes only its own rows: split as a kernel of its own, each
     * thread copied some rows and then read the others' from the other core (784-128-10 at batch
     * 32 in {@code nn.Linear}'s layout, the weight gradient's copy of X: 4 µs on one thread, 15 µs a
     * half on two; the step at two threads 0.88-0.98 of the time with each part copying all of it).
     */
    private String rowsOfB(Code code, Stmt.Op op, ProductPlan plan, boolean split) {
        int k = op.out().shape().cols();
        String kE = layout.extent(plan.cols());
        String sharedE = layout.extent(plan.shared());
        Layout.Address b = layout.base(op.args().get(1));
        String br;
        if (split) {
            code.declare("$L[][] bp = $L[part]", real, parallel.sourceTiles(plan.shared().size(), k));
            br = "bp";
        } else {
            br = scratch.rows("b", plan.shared().size(), k);
        }
        if (plan.rightTransposed()) {
            // Rows of B's transpose: br[j][p] = B[p, j].
            packTransposed(code, plan, b, "0", kE, br);
        } else {
            code.open("for (int p = 0; p < $L; p++)", sharedE)
                    .add("System.arraycopy($L, $L, $L[p], 0, $L)", b.array(), Layout.add(b.offset(), plan.right().index("0", "p")), br, kE)
                    .close();
        }
        return br;
    }

    /**
     * The tiled row form: B's rows copied into a scratch {@code double[][]} once (as
     * {@link #onRows} does), then C in tiles of {@link ProductPlan#tileRows} rows, in column blocks
     * when its rows are long, eight rows of B per pass over every row of the tile, and the tile's
     * rows stored. A row of B is read from the first-level cache for each row of a tile, where one
     * row of C at a time reads all of B from the next level for each row. Every sum adds over p in
     * order, so the results are the bits of the other row forms.
     *
     * <p>{@code split}: the rows of C run split across the class's threads, each thread on tiles it
     * claims in turn, in a tile of its own, over a copy of all of B of its own ({@link #rowsOfB}); a row of C is computed by the same
     * additions whichever thread computes it, so the results are the same to the bit at any
     * thread count.
     */
    private void tiles(Code c, Stmt.Op op, ProductPlan plan, BiFunction<String, String, String> left, boolean split) {
        int k = op.out().shape().cols();
        int tile = plan.tileRows();
        String mE = layout.extent(plan.rows());
        String kE = layout.extent(plan.cols());
        Layout.Address y = layout.base(Stmt.written(op));
        Code setup = split ? new Code() : c;
        String br = rowsOfB(setup, op, plan, split);
        Code rows = split ? new Code() : c;
        String ct = split ? "ct" : scratch.rows("c", tile, k);
        if (split) {
            rows.declare("$L[][] ct = $L[part]", real, parallel.partTiles(tile, k));
        }
        String end = split ? "hi" : mE;
        rows.open("for (int i0 = $L; i0 < $L; i0 += $L)", split ? "lo" : "0", end, tile)
                .declare("int i1 = Math.min($L, i0 + $L)", end, tile);
        RowPasses.ColumnBlocks blocks = RowPasses.ColumnBlocks.open(rows, plan, kE);
        rows.open("for (int i = i0; i < i1; i++)")
                .add("$T.fill($L[i - i0], $L, $L, $L)", ClassWriter.ARRAYS, ct, blocks.from(), blocks.to(), realZero)
                .close();
        sourcePasses(rows, br, plan.shared(), blocks.from(), blocks.to(), p -> left.apply("i", p), new RowPasses.Rows("i0", "i1", ct));
        blocks.close(rows);
        rows.open("for (int i = i0; i < i1; i++)")
                .declare("$L[] c = $L[i - i0]", real, ct);
        storeRow(rows, op, y, k, kE, "c");
        rows.close()
                .close();
        if (split) {
            c.add("$L", parallel.chunked(setup.build(), rows.build(), mE, tile, "Rows of the " + described(op, y) + ", in tiles of " + tile
                    + " rows, all of the right operand copied into rows of this part's own first."));
        }
    }

    /**
     * The shared-index-outer form, serial: C's rows in column blocks, with the rows of B each pass
     * reads copied into a panel of {@link RowPasses#SOURCES} scratch rows just before it (for a B read
     * transposed, B's transpose gathered by {@link Panels}), then the rows of C stored. The panel
     * stays in the first-level cache while every row of C passes over it, and no copy of the whole
     * of B is written (Batch32Forms {@code forwardPanelEight} against
     * {@code forwardWholeCopyEight}).
     */
    private void panelled(Code c, Stmt.Op op, ProductPlan plan, BiFunction<String, String, String> left) {
        Layout.Address y = layout.base(Stmt.written(op));
        int k = op.out().shape().cols();
        String mE = layout.extent(plan.rows());
        String kE = layout.extent(plan.cols());
        String cr = scratch.rows("c", plan.rows().size(), k);
        String panel = scratch.rows("panel", plan.rightTransposed() ? Panels.DEPTH : RowPasses.SOURCES, k);
        c.open("for (int i = 0; i < $L; i++)", mE)
                .add("$T.fill($L[i], $L)", ClassWriter.ARRAYS, cr, realZero)
                .close();
        panelPasses(c, op, plan, left, panel, new RowPasses.Rows("0", mE, cr), kE, "");
        c.open("for (int i = 0; i < $L; i++)", mE)
                .declare("$L[] c = $L[i]", real, cr);
        storeRow(c, op, y, k, kE, "c");
        c.close();
    }

    /**
     * The passes of the shared-index-outer form over {@code rows} of C, on
     * {@code colsE} of B's columns from {@code colBase} on (empty: from the first), in column
     * blocks: eight of B's rows per pass copied, a column block of them, into {@code panel} just
     * before the pass, or for a B read transposed, its transpose gathered by {@link Panels}.
     */
    private void panelPasses(Code c, Stmt.Op op, ProductPlan plan, BiFunction<String, String, String> left, String panel,
                             RowPasses.Rows rows, String colsE, String colBase) {
        Layout.Address b = layout.base(op.args().get(1));
        if (plan.rightTransposed()) {
            Panels.write(c, plan, layout, left, b, panel, rows, colsE, colBase, operandName(op), real);
            return;
        }
        RowPasses.ColumnBlocks blocks = RowPasses.ColumnBlocks.open(c, plan, colsE);
        String firstColumn = Layout.add(colBase.isEmpty() ? "0" : colBase, blocks.from());
        RowPasses.Packer pack = (code, q, p) -> code.add("System.arraycopy($L, $L, $L[$L], $L, $L)", b.array(),
                Layout.add(b.offset(), plan.right().index(firstColumn, p)), panel, q, blocks.from(), blocks.width());
        // A part of a split whose columns are one block: its eight-term loop in two halves in float (RowPasses).
        boolean halves = !colBase.isEmpty() && !blocks.blocked() && loops.precision.single();
        RowPasses.sourcePasses(c, real, q -> panel + "[" + q + "]", pack, shared(plan.shared()), blocks.from(), blocks.to(),
                p -> left.apply("i", p), rows, halves);
        blocks.close(c);
    }

    /** The right operand's name in the source, for a kernel's comment. */
    private static String operandName(Stmt.Op op) {
        Value right = op.args().get(1).root();
        return right.name() != null ? right.name() : "the right operand";
    }

    /**
     * Rows of B a transposed packing reads at once: eight read streams, and each write to a row
     * of the transpose fills a cache line (gathering one of B's columns at a time wrote one element
     * to each of hundreds of rows per pass).
     */
    private static final int TRANSPOSE_BLOCK = 8;

    /**
     * Packs rows {@code from} to {@code to} of a B read transposed as columns of {@code rows}:
     * {@code rows[j][p] = B[p, j]}, eight of B's rows at a time, so that eight streams read along
     * B's rows and each write fills a cache line of a row (for a B small enough to stay in cache;
     * a large one is gathered by {@link Panels}).
     */
    private void packTransposed(Code c, ProductPlan plan, Layout.Address b, String from, String to, String rows) {
        c.open("for (int p0 = $L; p0 < $L; p0 += $L)", from, to, TRANSPOSE_BLOCK)
                .declare("int p1 = Math.min($L, p0 + $L)", to, TRANSPOSE_BLOCK)
                .open("for (int j = 0; j < $L; j++)", layout.extent(plan.shared()))
                .declare("$L[] row = $L[j]", real, rows)
                .open("for (int p = p0; p < p1; p++)")
                .add("row[p] = $L", b.at(plan.right().index("p", "j")))
                .close()
                .close()
                .close();
    }

    /**
     * The shared-index-outer form split across threads by rows of C, for a product with few
     * columns ({@link ProductPlan#splitsByRows}): each part copies every pass's eight rows of B,
     * at full width, into an eight-row panel of its own just before the pass, as {@link #panelled}
     * does, and computes its rows of C over them in rows of its own, then stores them. Each part
     * reads all of B; split by columns instead, each part's rows would be a fraction of an
     * already short row, and C2's loop pays a fixed cost per row and pass whatever its length
     * (784-128-10 at batch 32: each half of the columns took 0.7 to 0.8 of the whole product's
     * time, each half of the rows 0.53 to 0.58). Every element still sums over p in order.
     */
    private void byRows(Code c, Stmt.Op op, ProductPlan plan, BiFunction<String, String, String> left) {
        int k = op.out().shape().cols();
        String mE = layout.extent(plan.rows());
        String kE = layout.extent(plan.cols());
        Layout.Address y = layout.base(Stmt.written(op));
        Code body = new Code();
        body.declare("$L[][] cp = $L[part]", real, parallel.partTiles(plan.rows().size(), k));
        body.open("for (int i = lo; i < hi; i++)")
                .add("$T.fill(cp[i - lo], 0, $L, $L)", ClassWriter.ARRAYS, kE, realZero)
                .close();
        // Every pass's rows of B copied, at full width, into a panel of its own.
        body.declare("$L[][] pp = $L[part]", real, parallel.sourceTiles(RowPasses.SOURCES, k));
        panelPasses(body, op, plan, left, "pp", new RowPasses.Rows("lo", "hi", "cp"), kE, "");
        body.open("for (int i = lo; i < hi; i++)")
                .declare("$L[] c = cp[i - lo]", real);
        storeRow(body, op, y, k, kE, "c");
        body.close();
        c.add("$L", parallel.split(body.build(), mE, "Rows lo to hi of the " + described(op, y)
                + ": every pass's rows of the right operand copied into its own panel, its rows of C in its own rows."));
    }

    /**
     * Rows of C per chunk a thread claims in a product split one row at a time (a split tiled
     * product's chunk is a tile): rows are claimed in turn rather than handed out in equal ranges,
     * because this VM's two vCPUs do not run alike (a weight gradient's halves took 80-97 and
     * 158-182 µs at once, which side the slower depending on where the threads ran).
     */
    static final int CLAIMED_ROWS = 32;

    /** Columns a part of a product split by columns starts at: a multiple of 8 (a cache line of doubles). */
    static final int COLUMN_CHUNK = 8;

    /**
     * The shared-index-outer form split across threads by columns of C: each part copies its own
     * columns of each pass's eight rows of B (a column block of them) into an eight-row panel of
     * its own just before the pass, as {@link #panelled} does, and computes every row of C over
     * them, in rows of its own, then copies them out. No part waits for another's packing, each
     * reads only its share of B, and no two threads write the same cache line (split by rows,
     * each thread read all of B for a few rows of C, and 784-128-10 at batch 32 ran slower on two
     * threads than on one; split by columns of shared rows, the lines at the seams went back and
     * forth). Parts are chunks of {@link #COLUMN_CHUNK} columns; every element still sums over p
     * in order. A B read transposed is gathered by {@link Panels} into the same panel instead.
     */
    private void byColumns(Code c, Stmt.Op op, ProductPlan plan, BiFunction<String, String, String> left, String product) {
        int k = op.out().shape().cols();
        String mE = layout.extent(plan.rows());
        String kE = layout.extent(plan.cols());
        Layout.Address y = layout.base(Stmt.written(op));
        Code body = new Code();
        body.declare("int jlo = lo * $L", COLUMN_CHUNK)
                .declare("int jhi = Math.min($L, hi * $L)", kE, COLUMN_CHUNK)
                .declare("$L[][] cp = $L[part]", real, parallel.panels(plan.rows().size(), k));
        body.open("for (int i = 0; i < $L; i++)", mE)
                .add("$T.fill(cp[i], 0, jhi - jlo, $L)", ClassWriter.ARRAYS, realZero)
                .close();
        // Its columns of each pass's rows of B copied (or of B's transpose gathered) into a panel of its own.
        body.declare("$L[][] pp = $L[part]", real, parallel.sourcePanels(plan.rightTransposed() ? Panels.DEPTH : RowPasses.SOURCES, k));
        panelPasses(body, op, plan, left, "pp", new RowPasses.Rows("0", mE, "cp"), "jhi - jlo", "jlo");
        body.open("for (int i = 0; i < $L; i++)", mE)
                .declare("$L[] c = cp[i]", real);
        if (op.epilogue() != null) {
            body.open("for (int j = jlo; j < jhi; j++)");
            epilogue(body, op, Layout.add(Layout.mul("i", k), "j"), "i", "j", "c[j - jlo]");
            body.close();
        } else if (op.accumulate()) {
            body.open("for (int j = jlo; j < jhi; j++)")
                    .add("$L += c[j - jlo]", y.at(Layout.add(Layout.mul("i", k), "j")))
                    .close();
        } else {
            body.add("System.arraycopy(c, 0, $L, $L, jhi - jlo)", y.array(), Layout.add(y.offset(), Layout.add(Layout.mul("i", k), "jlo")));
        }
        body.close();
        c.add("$L", parallel.split(body.build(), "(" + kE + " + " + (COLUMN_CHUNK - 1) + ") / " + COLUMN_CHUNK,
                "Columns " + COLUMN_CHUNK + " lo to " + COLUMN_CHUNK + " hi of the " + product
                        + ": its columns of the right operand copied into its own panel a pass at a time, its rows of C in its own rows."));
    }

    /**
     * {@link RowPasses#sourcePasses} over the rows of B copied into {@code br}, every shared index
     * of the product.
     */
    private void sourcePasses(Code c, String br, Shape.Axis sharedAxis, String from, String to,
            Function<String, String> aAt, RowPasses.Rows rows) {
        RowPasses.sourcePasses(c, real, q -> br + (q == 0 ? "[p]" : "[p + " + q + "]"), null, shared(sharedAxis), from, to, aAt, rows,
                false);
    }

    /** Every index of the shared axis, as {@link RowPasses#sourcePasses} sums over it. */
    private RowPasses.Shared shared(Shape.Axis axis) {
        return new RowPasses.Shared("0", layout.extent(axis), axis.varies() ? -1 : axis.size());
    }

    /** A product as one call of {@link SimdKernel}'s {@code gemm}, reading every operand in place through the plan's strides. */
    private void simd(Code c, Stmt.Op op, ProductPlan plan, boolean split) {
        Layout.Address a = layout.base(op.args().get(0));
        Layout.Address b = layout.base(op.args().get(1));
        Layout.Address y = layout.base(Stmt.written(op));
        String panel = simdPanel.apply(plan.rows().size());
        if (!split) {
            c.add("$L($L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L)", SimdKernel.GEMM, layout.extent(plan.rows()),
                    layout.extent(plan.shared()), layout.extent(plan.cols()), a.array(), a.offset(), plan.left().outerStride(),
                    plan.left().sharedStride(), b.array(), b.offset(), plan.right().sharedStride(), plan.right().outerStride(), y.array(),
                    y.offset(), op.out().shape().cols(), op.accumulate(), panel);
            return;
        }
        // Columns 32 lo to 32 hi, with a panel of the part's own: a multiple of two vectors (of any
        // width up to 512 bits, double or float), so gemm covers every part's columns with vector
        // tiles, as it covers the whole product's, and each element's sum is the same to the bit.
        int chunk = ProductPlan.SIMD_COLUMN_CHUNK;
        Code body = new Code();
        body.add("$L($L, $L, (hi - lo) * $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L[part])", SimdKernel.GEMM,
                layout.extent(plan.rows()), layout.extent(plan.shared()), chunk, a.array(), a.offset(), plan.left().outerStride(),
                plan.left().sharedStride(), b.array(), Layout.add(b.offset(), Layout.mul("lo", chunk * plan.right().outerStride())),
                plan.right().sharedStride(), plan.right().outerStride(), y.array(), Layout.add(y.offset(), Layout.mul("lo", chunk)),
                op.out().shape().cols(), op.accumulate(), parallel.simdPanels());
        String product = described(op, y);
        c.add("$L", parallel.split(body.build(), Integer.toString(plan.cols().size() / chunk),
                "Columns " + chunk + " lo to " + chunk + " hi of the " + product + ", on the Vector API with a panel of the part's own."));
    }

    /** A product as a split kernel's Javadoc names it: {@code matmul_nt} into {@code tmp1} (at its offset). */
    private static String described(Stmt.Op op, Layout.Address y) {
        return "{@code " + op.prim().label(op.attributes()) + "} into {@code " + y.array()
                + (y.offset().equals("0") ? "" : "} at {@code " + y.offset()) + "}";
    }

    /** Stores (or adds, or puts through the epilogue) row {@code i} of a product, held in the row array {@code row}. */
    private void storeRow(Code c, Stmt.Op op, Layout.Address y, int k, String kE, String row) {
        if (op.epilogue() != null) {
            c.open("for (int j = 0; j < $L; j++)", kE);
            epilogue(c, op, Layout.add(Layout.mul("i", k), "j"), "i", "j", row + "[j]");
            c.close();
        } else if (op.accumulate()) {
            c.open("for (int j = 0; j < $L; j++)", kE)
                    .add("$L += $L[j]", y.at(Layout.add(Layout.mul("i", k), "j")), row)
                    .close();
        } else {
            c.add("System.arraycopy($L, 0, $L, $L, $L)", row, y.array(), Layout.add(y.offset(), Layout.mul("i", k)), kE);
        }
    }
}
