package dev.lossc.codegen;

import dev.lossc.prim.Prim;
import dev.lossc.types.Shape;

/**
 * How one product is computed, decided once from its shapes and the class's options before any
 * code is written, and read by every emitter (scalar and SIMD alike): the extents of the result
 * ({@code rows} × {@code cols}) and of the index summed over ({@code shared}); where each element
 * of each operand is (an offset plus strides, so an operand read transposed is only other
 * strides); whether the result is assigned or added to; whether an epilogue consumes each element;
 * and the loop form, with the thresholds that pick it. It is pure: the tests pin it without
 * compiling any Java.
 *
 * <p>The left operand is read at (i, s): row i of the result, shared index s; the right one at
 * (s, j): column j of the result. A vector operand has stride 0 on the axis it lacks.
 */
record ProductPlan(Prim.Kernel kind, Shape.Axis rows, Shape.Axis cols, Shape.Axis shared, Operand left, Operand right,
                   boolean accumulate, boolean epilogue, Form form, int columnBlock) {
    /**
     * Products whose rows are at least this long run on row arrays: C2 vectorizes
     * {@code c[j] += a * b[j]} over separate row arrays, and leaves the same loop over offsets into
     * flat arrays scalar (MatmulForms in src/lossc-benchmarks: 2.3× on 64 × 1024 × 1024).
     */
    static final int ROW_ARRAY_MIN_COLS = 16;

    /**
     * A product whose right operand (as rows) has at most this many elements (512 KB, the size of a
     * core's L2 here) copies B into rows once and computes C a row at a time, or in tiles of rows
     * ({@link #ROW_TILE_MIN_B}): B stays in cache. Larger ones go shared-index outer, so each row
     * of B is read from memory once. Measured on
     * 1024 × 64 × 1024 (dW = Aᵀ dY at batch 64): 8.8 ms one row at a time, 11.0 ms p-outer.
     */
    static final int ROW_OUTER_MAX_B = 65536;

    /**
     * A product that computes C a row at a time from a right operand of at least this many
     * elements (32 KB of doubles, a core's first-level cache) computes it in tiles of
     * {@link #tileRows} rows instead, eight of B's rows per pass over every row of the tile: each
     * row of B then comes from the first-level cache for every row of a tile, where a row at a
     * time read all of B from the next level for every row of C. WeightGradientForms
     * {@code tnTiled} against {@code tn}: 6.1 against 8.4–9.3 ms on 1024 × 64 × 1024 (dW = Aᵀ dY
     * at batch 64), 290 against 363 µs on 128 × 32 × 784 (784-128-10's dW1 at batch 32). B of
     * exactly 32 × 128 (784-128-10's dW1 = Xᵀ dZ at batch 32, in {@code X @ W}'s layout) was level
     * on a Zen 5 core (314 against 330 µs, tiles of 32) and a row at a time stayed; on an Intel
     * Xeon with 48 KB of first-level cache, the 784 × 32 × 128 product in the class, one JVM,
     * rounds alternated, took 301–328 µs a row at a time, 290–292 in tiles of 32 rows and 271–275
     * in tiles of 16 ({@link #NARROW_TILE_ROWS}), so B of 32 KB goes in tiles too.
     */
    static final int ROW_TILE_MIN_B = 4096;

    /**
     * Rows of C in a tile of the tiled row form when its rows (or column blocks) are longer than
     * {@link #NARROW_TILE_MAX_COLS} (WeightGradientForms {@code tnTiled}: 16, 32 and 64 level on
     * 1024 × 64 × 1024; in the 1024² class's dW products, 8 and 16 took 1.00–1.05 the time of 32).
     */
    static final int TILE_ROWS = 32;

    /**
     * Rows of C in a tile whose rows are at most {@link #NARROW_TILE_MAX_COLS} long, over a B of
     * at most {@link #NARROW_TILE_MAX_B} elements: 16 KB of C, beside one pass's eight rows of B
     * (8 KB), in the first-level cache, at the price of reading B once more per 16 rows, which is
     * cheap while B is small. On 784 × 32 × 128 (B of 32 KB), tiles of 8 and 16 rows took 271–275
     * µs, 24 rows 283–285, 32 rows 290–292 (one JVM, rounds alternated, Intel Xeon); on
     * 784 × 64 × 128 (64 KB) 16 rows took 0.95–0.99 of the time of 32 (the step). Over a B of
     * 200 × 128 (200 KB, {@code X @ W} with 32 rows of C) 16 rows took 1.04–1.07 of the time of 32.
     */
    static final int NARROW_TILE_ROWS = 16;

    /** The longest rows of C (or column blocks) tiled by {@link #NARROW_TILE_ROWS}. */
    static final int NARROW_TILE_MAX_COLS = 128;

    /** The largest B, in elements (64 KB of doubles), whose short rows of C are tiled by {@link #NARROW_TILE_ROWS}. */
    static final int NARROW_TILE_MAX_B = 8192;

    /**
     * A shared-index-outer (or tiled) product updates C's rows in blocks of this many bytes of each
     * row (512 doubles, 1,024 floats), so the block of C stays in cache while the rows of B pass
     * over it. MatmulForms on 64 × 1024 × 1024 doubles, four rows of B per pass: 5.5 ms in blocks
     * of 512, 5.9 of 256, 6.8 unblocked; 9.1 for one row of B per pass. The block is the same
     * bytes, not the same columns, in floats (Intel Xeon, one JVM, rounds alternated, both orders):
     * the 1024² float MLP's step took 0.88 of the time with its rows of 1,024 unblocked as in blocks
     * of 512 (0.87 at one thread with {@code --parallel}, 0.96 at two), a 2048² one 0.85–0.89 in
     * blocks of 1,024 as of 512; the 1024² double MLP's step took 1.13–1.20 of the time unblocked.
     */
    static final int COLUMN_BLOCK_BYTES = 4096;

    /** The columns of a column block of doubles ({@link #COLUMN_BLOCK_BYTES}). */
    static final int COLUMN_BLOCK = COLUMN_BLOCK_BYTES / Double.BYTES;

    /**
     * A vector-matrix product {@code y[j] = Σ_i a[i] * B[i, j]} with fewer columns than this sums
     * each column in a register; wider ones run {@code y[j] += a[i] * B[i, j]} row after row, the
     * loop C2 vectorizes; the register sums keep the product's columns out of memory on small
     * networks (with {@link Loops#startsFromFirstTerm}: the 2-2-2 example from 57 to 49 ns).
     */
    static final int VECMAT_DOT_MAX_COLS = 8;

    /**
     * With {@code --parallel}, a product on row arrays with at least this many multiply-adds (at
     * its largest sizes) runs split across the class's threads; smaller ones run on the calling
     * thread alone, so small networks never pay for a handshake (a few microseconds).
     * 2<sup>20</sup> multiply-adds take about 50 µs on one core here.
     */
    static final long SPLIT_MIN_MULTIPLY_ADDS = 1L << 20;

    /** The loop forms of a product. */
    enum Form {
        /** {@code y[i] = Σ_s A[i, s] x[s]}: dot products of rows, four rows at a time (independent sums). */
        ROW_DOTS,
        /** {@code y[j] = Σ_s x[s] B[s, j]}, one column's sum at a time, in a register (few columns). */
        COLUMN_SUMS,
        /** {@code y[j] += x[s] * B[s, j]}, row after row of B (the loop C2 vectorizes). */
        AXPY,
        /** C on flat arrays, the shared index outermost and an axpy inside: each row of B is read once. */
        FLAT_AXPY,
        /** C = A Bᵀ on flat arrays: dot products of rows, four rows of A at a time. */
        FLAT_DOTS,
        /** On row arrays: B copied into rows (gathered, when read transposed), one row of C at a time. */
        ROWS_ONE_ROW,
        /**
         * On row arrays: B copied into rows (gathered, when read transposed) once, C in tiles of
         * {@link #tileRows} rows (and column blocks of {@link #columnBlock}), eight rows of B per
         * pass over every row of the tile.
         */
        ROWS_TILES,
        /**
         * On row arrays: the shared index outermost over all of C, in column blocks of {@link #columnBlock},
         * eight rows of B per pass copied (or gathered) into a panel just before it.
         */
        ROWS_SHARED_OUTER,
        /** One call of {@link SimdKernel}'s {@code gemm}, which reads every operand in place through its strides. */
        SIMD
    }

    /** Element (outer, s) of an operand is at its offset plus {@code outer * outerStride + s * sharedStride}. */
    record Operand(int outerStride, int sharedStride) {
        /** The offset of element (outer, s), as a Java expression (the strided term first). */
        String index(String outer, String s) {
            if (outerStride == 0) {
                return Layout.mul(s, sharedStride);
            }
            if (outerStride == 1 && sharedStride != 1) {
                return Layout.add(Layout.mul(s, sharedStride), outer);
            }
            return Layout.add(Layout.mul(outer, outerStride), Layout.mul(s, sharedStride));
        }
    }

    /** The plan of {@code kind} on operands of shapes {@code a} and {@code b}, into {@code out}. */
    static ProductPlan of(Prim.Kernel kind, Shape a, Shape b, Shape out, boolean accumulate, boolean epilogue, boolean simd) {
        return of(kind, a, b, out, accumulate, epilogue, simd, Double.BYTES);
    }

    /** The plan of {@code kind} on operands of shapes {@code a} and {@code b}, into {@code out}, of elements {@code elementBytes} long. */
    static ProductPlan of(Prim.Kernel kind, Shape a, Shape b, Shape out, boolean accumulate, boolean epilogue, boolean simd, int elementBytes) {
        if (epilogue && (kind == Prim.Kernel.VECMAT || accumulate)) {
            throw new IllegalArgumentException("no epilogue for " + kind + (accumulate ? " that adds" : ""));
        }
        Shape.Axis one = Shape.Axis.of(1);
        return switch (kind) {
            case MATVEC -> new ProductPlan(kind, a.rowAxis(), one, a.colAxis(), new Operand(a.cols(), 1), new Operand(0, 1),
                    accumulate, epilogue, Form.ROW_DOTS, 0);
            case VECMAT -> new ProductPlan(kind, one, b.colAxis(), b.rowAxis(), new Operand(0, 1), new Operand(1, b.cols()),
                    accumulate, false, !b.varies() && b.cols() < VECMAT_DOT_MAX_COLS ? Form.COLUMN_SUMS : Form.AXPY, 0);
            case MATMUL -> matrices(kind, a.rowAxis(), b.colAxis(), a.colAxis(), new Operand(a.cols(), 1), new Operand(1, b.cols()),
                    out, accumulate, epilogue, simd, elementBytes);
            case MATMUL_NT -> matrices(kind, a.rowAxis(), b.rowAxis(), a.colAxis(), new Operand(a.cols(), 1), new Operand(b.cols(), 1),
                    out, accumulate, epilogue, simd, elementBytes);
            case MATMUL_TN -> matrices(kind, a.colAxis(), b.colAxis(), a.rowAxis(), new Operand(1, a.cols()), new Operand(1, b.cols()),
                    out, accumulate, epilogue, simd, elementBytes);
            default -> throw new IllegalArgumentException(kind + " is not a product");
        };
    }

    private static ProductPlan matrices(Prim.Kernel kind, Shape.Axis rows, Shape.Axis cols, Shape.Axis shared, Operand left, Operand right,
                                        Shape out, boolean accumulate, boolean epilogue, boolean simd, int elementBytes) {
        Form form;
        if (out.cols() >= ROW_ARRAY_MIN_COLS) {
            long b = elementsOfB(shared, cols);
            form = simd ? Form.SIMD : b < ROW_TILE_MIN_B ? Form.ROWS_ONE_ROW : b <= ROW_OUTER_MAX_B ? Form.ROWS_TILES : Form.ROWS_SHARED_OUTER;
        } else {
            form = kind == Prim.Kernel.MATMUL_NT ? Form.FLAT_DOTS : Form.FLAT_AXPY;
        }
        int blockColumns = COLUMN_BLOCK_BYTES / elementBytes;
        int block = (form == Form.ROWS_SHARED_OUTER || form == Form.ROWS_TILES) && cols.size() > blockColumns ? blockColumns : 0;
        return new ProductPlan(kind, rows, cols, shared, left, right, accumulate, epilogue, form, block);
    }

    /**
     * True if, in a parallel class, this product runs split across threads: a product on row
     * arrays (whose rows of C are independent), or a {@code --simd} one whose columns are a
     * multiple of {@link #SIMD_COLUMN_CHUNK}, with at least {@link #SPLIT_MIN_MULTIPLY_ADDS}.
     */
    boolean splits() {
        long multiplyAdds = (long) rows.size() * cols.size() * shared.size();
        if (form == Form.SIMD) {
            return !cols.varies() && cols.size() % SIMD_COLUMN_CHUNK == 0 && cols.size() >= 2 * SIMD_COLUMN_CHUNK
                    && multiplyAdds >= SIMD_SPLIT_MIN_MULTIPLY_ADDS;
        }
        return (form == Form.ROWS_ONE_ROW || form == Form.ROWS_TILES || form == Form.ROWS_SHARED_OUTER) && rows.size() >= 2 && multiplyAdds >= SPLIT_MIN_MULTIPLY_ADDS;
    }

    /**
     * Rows of C in a tile of the tiled row form: a whole tile of short rows stays in the
     * first-level cache while B is small enough to read once more per tile.
     */
    int tileRows() {
        int width = columnBlock > 0 ? columnBlock : cols.size();
        return width <= NARROW_TILE_MAX_COLS && elementsOfB(shared, cols) <= NARROW_TILE_MAX_B ? NARROW_TILE_ROWS : TILE_ROWS;
    }

    /** B's elements as rows (shared × columns, at their largest sizes): what the row forms' thresholds compare. */
    private static long elementsOfB(Shape.Axis shared, Shape.Axis cols) {
        return (long) shared.size() * cols.size();
    }

    /**
     * True if this product, when it splits ({@link #splits}), splits by rows of C rather than by
     * columns: the shared-index-outer form with a B not read transposed and at most
     * {@link #ROW_SPLIT_MAX_COLS} columns, whose parts by columns would each run a fraction of a
     * short row per pass.
     */
    boolean splitsByRows() {
        return form == Form.ROWS_SHARED_OUTER && !rightTransposed() && !cols.varies() && cols.size() <= ROW_SPLIT_MAX_COLS;
    }

    /**
     * The widest product that splits by rows ({@link #splitsByRows}): at two threads, a split by
     * columns leaves each part rows of at most 128 columns. 784-128-10 at batch 32 (X @ W1, 128
     * columns): split by columns, each half took 0.7 to 0.8 of the whole product's time on its
     * thread; by rows, 0.53 to 0.58, and the step at two threads went from 355-419 to 231-250 µs
     * (JMH, docs/performance.md). A B read transposed gains nothing from it: each part would gather
     * all of B's transpose.
     */
    static final int ROW_SPLIT_MAX_COLS = 256;

    /**
     * A {@code --simd} product splits by columns in chunks of this many: two vectors of the widest
     * species (512 bits of floats), so that {@code gemm} covers each part's columns with the same
     * vector tiles as the whole product's and no column falls into its scalar tail. Products whose
     * columns are not a multiple of it run on the calling thread.
     */
    static final int SIMD_COLUMN_CHUNK = 32;

    /**
     * The {@code --simd} kernel runs two to three times faster than the row-array loops, so it
     * splits only from 2<sup>23</sup> multiply-adds: the 784-128-10 network at batch 32 (3.2 million
     * per product) ran slower on two threads than on one (377 against 306 µs), the 1024² MLP (67
     * million) 1.6 times faster.
     */
    static final long SIMD_SPLIT_MIN_MULTIPLY_ADDS = 1L << 23;

    /** True if the right operand is read across its storage's rows (B of {@code A @ transpose(B)}): packing it gathers. */
    boolean rightTransposed() {
        return right.sharedStride() == 1 && right.outerStride() != 1;
    }
}
