package dev.lossc.codegen;

import java.util.function.BiFunction;

/**
 * The kernel of a shared-index-outer product whose right operand is read transposed (B of
 * {@code A @ transpose(B)}, a weight in PyTorch's {@code nn.Linear} layout): B's transpose is
 * gathered a panel at a time inside the kernel rather than copied whole first. For each block of
 * C's columns and each {@link #DEPTH} shared indices, the panel's rows (four cache lines of each of
 * B's rows of doubles, gathered {@link #LINE} elements of each row at a time) are gathered into
 * scratch rows that stay in cache, and every row of C passes over them eight at a time (four,
 * then one at a time, for a part-panel at the end): {@link RowPasses#sourcePasses}, the loops of
 * the other row forms, over the panel's rows. Every sum runs over p in order, so the results are
 * the same bits as the other forms'; no transposed copy of B is written (TransposedProducts
 * {@code panels8} against {@code wholeTranspose}: 6.6 against 7.5 ms on 64 × 1024 × 1024; panels
 * of four lines instead of one took about a tenth more off on an Intel Xeon, 2026-12-07,
 * docs/performance.md). Serial products and each part of a product split by columns
 * ({@code --parallel}) run it, on their own panel and rows of C.
 */
final class Panels {
    /** Shared indices gathered at once: four cache lines of each of B's rows of doubles (two of floats). */
    static final int DEPTH = 32;
    /** Shared indices gathered by one pass over B's rows: a cache line of each (half a line of floats). */
    static final int LINE = 8;

    private Panels() {}

    /**
     * The loops that add A Bᵀ into {@code rows} of C, columns {@code 0} to {@code colsE} of them,
     * which are B's rows {@code colBase} on ({@code colBase} empty: from 0). {@code panel} names
     * {@link #DEPTH} rows at least as wide; {@code operand} is B's name, for the comment.
     */
    static void write(Code c, ProductPlan plan, Layout layout, BiFunction<String, String, String> left, Layout.Address b,
                      String panel, RowPasses.Rows rows, String colsE, String colBase, String operand, String real) {
        String sharedE = layout.extent(plan.shared());
        String column = colBase.isEmpty() ? "j" : colBase + " + j";
        RowPasses.ColumnBlocks blocks = RowPasses.ColumnBlocks.open(c, plan, colsE);
        String from = blocks.from();
        String to = blocks.to();
        c.open("for (int p0 = 0; p0 < $L; p0 += $L)", sharedE, DEPTH)
                .declare("int p1 = Math.min($L, p0 + $L)", sharedE, DEPTH)
                .comment("Panel p0 to p1 of " + operand + "'s transpose: " + LINE
                        + " shared indices of each of its rows at a time (a cache line of doubles)");
        // Each line of the panel is gathered by one statement per row of the panel (a loop over
        // the rows runs 1.15 to 1.2 times slower: TransposedProducts panelsLoop against panels8),
        // and a panel of several lines a line at a time over B's rows, which took about a tenth
        // off the product against panels of one line (the forms of TransposedProducts'
        // panelsEightDeepByGroup and panelsEight alternated in one JVM, where JMH's forks were
        // too noisy to tell: 1.16-1.23 against 1.26-1.36 times the row copy, docs/performance.md).
        // A shared size known to be whole panels needs no test of the
        // panel's size, and one known to be whole lines no gather of a part-line at the end.
        boolean wholePanels = !plan.shared().varies() && plan.shared().size() % DEPTH == 0;
        boolean wholeLines = !plan.shared().varies() && plan.shared().size() % LINE == 0;
        c.declare("int g = 0");
        c.open(wholePanels ? "for (; g < $L; g += $L)" : "for (; g + $L <= p1 - p0; g += $L)", wholePanels ? DEPTH : LINE, LINE);
        for (int q = 0; q < LINE; q++) {
            c.declare("$L[] q$L = $L[$L]", real, q, panel, q == 0 ? "g" : "g + " + q);
        }
        c.open("for (int j = $L; j < $L; j++)", from, to)
                .declare("int o = $L", Layout.add(b.offset(), plan.right().index(column, "p0 + g")));
        for (int q = 0; q < LINE; q++) {
            c.add("q$L[j] = $L[$L]", q, b.array(), q == 0 ? "o" : "o + " + q);
        }
        c.close();
        c.close();
        if (!wholeLines) {
            c.open("if (g < p1 - p0)")
                    .open("for (int j = $L; j < $L; j++)", from, to)
                    .open("for (int p = p0 + g; p < p1; p++)")
                    .add("$L[p - p0][j] = $L", panel, b.at(plan.right().index(column, "p")))
                    .close()
                    .close()
                    .close();
        }
        RowPasses.sourcePasses(c, real, q -> panel + (q == 0 ? "[p - p0]" : "[p - p0 + " + q + "]"), null,
                new RowPasses.Shared("p0", "p1", wholePanels ? DEPTH : -1), from, to, p -> left.apply("i", p), rows,
                false);
        c.close();
        blocks.close(c);
    }
}
