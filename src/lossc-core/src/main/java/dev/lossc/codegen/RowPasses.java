package dev.lossc.codegen;

import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntConsumer;
import java.util.function.IntFunction;

/**
 * The loops the row forms of {@link Products} and {@link Panels} share: the column blocks of C's
 * rows, and the passes of several rows of B over rows of C whose sums C2 vectorizes, written left
 * to right so each adds over the shared index in order.
 */
final class RowPasses {
    private RowPasses() {
    }

    /**
     * The loop over C's column blocks, of a row {@code width} columns wide, opened when the plan
     * blocks them ({@link ProductPlan#columnBlock}): a block's columns run from {@link #from} below
     * {@link #to}, all of the row's when it is not blocked.
     */
    record ColumnBlocks(boolean blocked, String from, String to) {
        static ColumnBlocks open(Code c, ProductPlan plan, String width) {
            if (plan.columnBlock() == 0) {
                return new ColumnBlocks(false, "0", width);
            }
            c.open("for (int j0 = 0; j0 < $L; j0 += $L)", width, plan.columnBlock())
                    .declare("int j1 = Math.min($L, j0 + $L)", width, plan.columnBlock());
            return new ColumnBlocks(true, "j0", "j1");
        }

        /** The number of columns in a block, as an expression. */
        String width() {
            return blocked ? "j1 - j0" : to;
        }

        void close(Code c) {
            if (blocked) {
                c.close();
            }
        }
    }

    /** Writes the statement that copies B's row {@code p} into the kernel's row {@code q} before a pass reads it. */
    interface Packer {
        void pack(Code c, int q, String p);
    }

    /** Rows of B per pass over C's rows (then a four, then one at a time for the rest). */
    static final int SOURCES = 8;

    /** The shared indices a call of {@link #sourcePasses} sums over: {@code start} below {@code end}, {@code known} of them (-1: known only at run time). */
    record Shared(String start, String end, int known) {
    }

    /** Rows {@code from} below {@code end} of C, row {@code i} held in {@code array[i - from]}. */
    record Rows(String from, String end, String array) {
    }

    /**
     * {@code c[j] += Σ_p a(p) * B[p][j]} for j in [from, to) and the {@code shared} indices (only
     * the loops that run are written), several rows of B per pass over {@code c}: one destination
     * and up to eight sources still vectorize, and C is loaded and stored once per pass. B's row
     * {@code p + q} is {@code rowOf(q)}: a row of B copied in place, or of a panel ({@link Panels});
     * {@code pack}, if not null, writes the copies into the panel just before each pass. Each sum
     * is written out left to right, so it adds over p in order, to the same bits as one row at a
     * time.
     *
     * <p>With {@code rows} null, {@code c} is one row already in scope; otherwise every row
     * {@code c = rows.array[i - rows.from]} of {@code rows} in each pass. Eights pass over it, then
     * a four, then one at a time (MatmulForms {@code blockedEightSourcesInOrder} against
     * {@code blockedFourSourcesInOrder}; for one row, whose B is at most 32 KB, 784-128-10's
     * {@code dW1 = Xᵀ dZ} at batch 32: 279 against 254 µs. Eights over one row had run three
     * times slower than fours on 64 × 1024 × 1024, WeightGradientForms {@code tnEight}, where B is
     * 512 KB; such a B now goes in tiles).
     *
     * <p>With {@code halves}, a pass of eight rows of B runs as two loops over {@code c}, the first
     * four rows' terms and then the last four's: the same additions in the same order, so the same
     * bits. JDK 17's C2 left a float class's eight-term loop scalar in a kernel split by columns
     * whose part has a width known only at run time (784-128-10 at batch 32, {@code --precision
     * float --parallel}: 4.5 times the forward pass's time, vectorized again with
     * {@code -XX:LoopUnrollLimit=80}, or with the loop split in two).
     */
    static void sourcePasses(Code c, String real, IntFunction<String> rowOf, Packer pack, Shared shared, String from, String to,
            Function<String, String> aAt, Rows rows, boolean halves) {
        String end = shared.end();
        int known = shared.known();
        Runnable open = () -> {
            if (rows != null) {
                c.open("for (int i = $L; i < $L; i++)", rows.from(), rows.end())
                        .declare("$L[] c = $L[$L]", real, rows.array(), rows.from().equals("0") ? "i" : "i - " + rows.from());
            }
        };
        Runnable close = () -> {
            if (rows != null) {
                c.close();
            }
        };
        // One row of B per pass, from `head` on: for the rest after the fours, or all of a few.
        Consumer<String> oneAtATime = head -> {
            c.open("$L", head);
            if (pack != null) {
                pack.pack(c, 0, "p");
            }
            c.declare("$L[] b = $L", real, rowOf.apply(0));
            open.run();
            c.declare("$L a = $L", real, aAt.apply("p"));
            c.open("for (int j = $L; j < $L; j++)", from, to)
                    .add("c[j] += a * b[j]")
                    .close();
            close.run();
            c.close();
        };
        // `width` rows of B per pass, p + width - 1 < end.
        IntConsumer passes = width -> {
            c.open("for (; p + $L < $L; p += $L)", width - 1, end, width);
            if (pack != null) {
                for (int q = 0; q < width; q++) {
                    pack.pack(c, q, q == 0 ? "p" : "p + " + q);
                }
            }
            for (int q = 0; q < width; q++) {
                c.declare("$L[] b$L = $L", real, q, rowOf.apply(q));
            }
            open.run();
            for (int q = 0; q < width; q++) {
                c.declare("$L a$L = $L", real, q, aAt.apply(q == 0 ? "p" : "p + " + q));
            }
            int loops = halves && width == SOURCES ? 2 : 1;
            if (loops == 2) {
                c.comment("The eight terms in two loops of four, in order (the same sums): C2 leaves this loop scalar in float with all eight");
            }
            for (int h = 0; h < loops; h++) {
                StringBuilder sum = new StringBuilder("c[j] = c[j]");
                for (int q = h * width / loops; q < (h + 1) * width / loops; q++) {
                    sum.append(" + a").append(q).append(" * b").append(q).append("[j]");
                }
                c.open("for (int j = $L; j < $L; j++)", from, to)
                        .add("$L", sum)
                        .close();
            }
            close.run();
            c.close();
        };
        if (known >= 0 && known < 4) {
            oneAtATime.accept("for (int p = " + shared.start() + "; p < " + end + "; p++)");
            return;
        }
        c.declare("int p = $L", shared.start());
        boolean eights = known < 0 || known >= SOURCES;
        if (eights) {
            passes.accept(SOURCES);
        }
        if (!eights || known < 0 || known % SOURCES >= 4) {
            passes.accept(4);
        }
        if (known < 0 || known % 4 != 0) {
            oneAtATime.accept("for (; p < " + end + "; p++)");
        }
    }
}
