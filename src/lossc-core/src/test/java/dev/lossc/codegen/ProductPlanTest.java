package dev.lossc.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossc.prim.Prim.Kernel;
import dev.lossc.types.Shape;
import org.junit.jupiter.api.Test;

/** The product plan, pinned without writing or compiling any Java. */
class ProductPlanTest {
    private static ProductPlan plan(Kernel k, Shape a, Shape b, Shape out) {
        return ProductPlan.of(k, a, b, out, false, false, false);
    }

    @Test
    void matmulReadsBothOperandsByRows() {
        ProductPlan p = plan(Kernel.MATMUL, Shape.matrix(4, 3), Shape.matrix(3, 5), Shape.matrix(4, 5));
        assertEquals(ProductPlan.Form.FLAT_AXPY, p.form());
        assertEquals(4, p.rows().size());
        assertEquals(5, p.cols().size());
        assertEquals(3, p.shared().size());
        assertEquals("i * 3 + p", p.left().index("i", "p"));
        assertEquals("p * 5 + j", p.right().index("j", "p"));
        assertFalse(p.rightTransposed());
    }

    @Test
    void aTransposedOperandIsOnlyOtherStrides() {
        // A[4, 3] @ transpose(B[5, 3]): B's element (s, j) is B[j, s].
        ProductPlan nt = plan(Kernel.MATMUL_NT, Shape.matrix(4, 3), Shape.matrix(5, 3), Shape.matrix(4, 5));
        assertEquals(ProductPlan.Form.FLAT_DOTS, nt.form());
        assertEquals(5, nt.cols().size());
        assertEquals("j * 3 + q", nt.right().index("j", "q"));
        assertTrue(nt.rightTransposed());
        // transpose(A[3, 4]) @ B[3, 5]: A's element (i, s) is A[s, i].
        ProductPlan tn = plan(Kernel.MATMUL_TN, Shape.matrix(3, 4), Shape.matrix(3, 5), Shape.matrix(4, 5));
        assertEquals(4, tn.rows().size());
        assertEquals(3, tn.shared().size());
        assertEquals("p * 4 + i", tn.left().index("i", "p"));
        assertEquals(ProductPlan.Form.FLAT_AXPY, tn.form());
    }

    @Test
    void onlyLargeProductsOnRowArraysSplitAcrossThreads() {
        // 64 x 128 x 128 = 2^20 multiply-adds: the smallest that splits.
        assertTrue(plan(Kernel.MATMUL, Shape.matrix(64, 128), Shape.matrix(128, 128), Shape.matrix(64, 128)).splits());
        assertTrue(!plan(Kernel.MATMUL, Shape.matrix(63, 128), Shape.matrix(128, 128), Shape.matrix(63, 128)).splits());
        assertTrue(plan(Kernel.MATMUL_NT, Shape.matrix(32, 784), Shape.matrix(128, 784), Shape.matrix(32, 128)).splits());
        assertTrue(plan(Kernel.MATMUL_TN, Shape.matrix(32, 784), Shape.matrix(32, 128), Shape.matrix(784, 128)).splits());
        // Few columns (flat forms) and one row never split; a matrix-vector product does not either.
        assertTrue(!plan(Kernel.MATMUL, Shape.matrix(4096, 4096), Shape.matrix(4096, 8), Shape.matrix(4096, 8)).splits());
        assertTrue(!plan(Kernel.MATMUL, Shape.matrix(1, 4096), Shape.matrix(4096, 4096), Shape.matrix(1, 4096)).splits());
        assertTrue(!plan(Kernel.MATVEC, Shape.matrix(4096, 4096), Shape.vector(4096), Shape.vector(4096)).splits());
    }

    @Test
    void aSplitProductWithFewColumnsSplitsByRowsOfC() {
        // 784-128-10's X @ W1 at batch 32: B is 784 x 128 (784 KB), the shared index outermost.
        ProductPlan narrow = plan(Kernel.MATMUL, Shape.matrix(32, 784), Shape.matrix(784, 128), Shape.matrix(32, 128));
        assertEquals(ProductPlan.Form.ROWS_SHARED_OUTER, narrow.form());
        assertTrue(narrow.splits() && narrow.splitsByRows());
        assertTrue(plan(Kernel.MATMUL, Shape.matrix(32, 784), Shape.matrix(784, 256), Shape.matrix(32, 256)).splitsByRows());
        // Wider, or B read transposed (gathered by panels, by columns of C): split by columns.
        assertFalse(plan(Kernel.MATMUL, Shape.matrix(32, 784), Shape.matrix(784, 264), Shape.matrix(32, 264)).splitsByRows());
        assertFalse(plan(Kernel.MATMUL, Shape.matrix(64, 1024), Shape.matrix(1024, 1024), Shape.matrix(64, 1024)).splitsByRows());
        ProductPlan nt = plan(Kernel.MATMUL_NT, Shape.matrix(32, 784), Shape.matrix(128, 784), Shape.matrix(32, 128));
        assertEquals(ProductPlan.Form.ROWS_SHARED_OUTER, nt.form());
        assertFalse(nt.splitsByRows());
        // Only the shared-index-outer form: one row of C at a time or in tiles splits by rows anyway.
        assertFalse(plan(Kernel.MATMUL, Shape.matrix(64, 128), Shape.matrix(128, 128), Shape.matrix(64, 128)).splitsByRows());
    }

    @Test
    void longRowsRunOnRowArraysOneRowAtATimeOrInTilesWhileBFitsInCache() {
        int n = ProductPlan.ROW_ARRAY_MIN_COLS;
        assertEquals(ProductPlan.Form.FLAT_AXPY, plan(Kernel.MATMUL, Shape.matrix(8, 8), Shape.matrix(8, n - 1), Shape.matrix(8, n - 1)).form());
        ProductPlan small = plan(Kernel.MATMUL, Shape.matrix(8, 8), Shape.matrix(8, n), Shape.matrix(8, n));
        assertEquals(ProductPlan.Form.ROWS_ONE_ROW, small.form());
        assertEquals(0, small.columnBlock());
        // B past the first-level cache's share and within the second's: C in tiles of rows, blocked when long.
        ProductPlan weightGradient = plan(Kernel.MATMUL_TN, Shape.matrix(64, 1024), Shape.matrix(64, 1024), Shape.matrix(1024, 1024));
        assertEquals(ProductPlan.Form.ROWS_TILES, weightGradient.form());
        assertEquals(ProductPlan.COLUMN_BLOCK, weightGradient.columnBlock());
        assertEquals(ProductPlan.TILE_ROWS, weightGradient.tileRows(), "tiles of 32 rows of a column block of 512");
        ProductPlan belowTheEdge = plan(Kernel.MATMUL, Shape.matrix(8, 255), Shape.matrix(255, 16), Shape.matrix(8, 16));
        assertEquals(256 * 16, ProductPlan.ROW_TILE_MIN_B);
        assertEquals(ProductPlan.Form.ROWS_ONE_ROW, belowTheEdge.form());
        ProductPlan atTheEdge = plan(Kernel.MATMUL, Shape.matrix(8, 256), Shape.matrix(256, 16), Shape.matrix(8, 16));
        assertEquals(ProductPlan.Form.ROWS_TILES, atTheEdge.form(), "B of 32 KB goes in tiles");
        assertEquals(0, atTheEdge.columnBlock());
        assertEquals(ProductPlan.NARROW_TILE_ROWS, atTheEdge.tileRows(), "short rows: tiles of 16");
        ProductPlan mnist = plan(Kernel.MATMUL_TN, Shape.matrix(32, 784), Shape.matrix(32, 128), Shape.matrix(784, 128));
        assertEquals(ProductPlan.Form.ROWS_TILES, mnist.form(), "784-128-10's dW1 at batch 32");
        assertEquals(ProductPlan.NARROW_TILE_ROWS, mnist.tileRows());
        ProductPlan wider = plan(Kernel.MATMUL_TN, Shape.matrix(32, 784), Shape.matrix(32, 129), Shape.matrix(784, 129));
        assertEquals(ProductPlan.TILE_ROWS, wider.tileRows(), "rows past 128 columns: tiles of 32");
        ProductPlan batch64 = plan(Kernel.MATMUL_TN, Shape.matrix(64, 784), Shape.matrix(64, 128), Shape.matrix(784, 128));
        assertEquals(64 * 128, ProductPlan.NARROW_TILE_MAX_B);
        assertEquals(ProductPlan.NARROW_TILE_ROWS, batch64.tileRows(), "short rows over B of 64 KB: tiles of 16");
        ProductPlan largerB = plan(Kernel.MATMUL_TN, Shape.matrix(65, 784), Shape.matrix(65, 128), Shape.matrix(784, 128));
        assertEquals(ProductPlan.Form.ROWS_TILES, largerB.form());
        assertEquals(ProductPlan.TILE_ROWS, largerB.tileRows(), "short rows over B past 64 KB: tiles of 32 (B read once per 32 rows)");
        // B of 1024 x 1024 is past the threshold: the shared index goes outermost, C in column blocks.
        ProductPlan big = plan(Kernel.MATMUL, Shape.matrix(64, 1024), Shape.matrix(1024, 1024), Shape.matrix(64, 1024));
        assertTrue(1024L * 1024 > ProductPlan.ROW_OUTER_MAX_B);
        assertEquals(ProductPlan.Form.ROWS_SHARED_OUTER, big.form());
        assertEquals(ProductPlan.COLUMN_BLOCK, big.columnBlock());
        ProductPlan narrow = plan(Kernel.MATMUL, Shape.matrix(64, 1024), Shape.matrix(1024, 256), Shape.matrix(64, 256));
        assertEquals(ProductPlan.Form.ROWS_SHARED_OUTER, narrow.form());
        assertEquals(0, narrow.columnBlock(), "rows shorter than a block are not blocked");
    }

    @Test
    void columnBlocksHoldTheSameBytesInEitherPrecision() {
        assertEquals(512, ProductPlan.COLUMN_BLOCK);
        assertEquals(ProductPlan.COLUMN_BLOCK_BYTES, ProductPlan.COLUMN_BLOCK * Double.BYTES);
        Shape x = Shape.matrix(64, 1024);
        Shape w = Shape.matrix(1024, 1024);
        ProductPlan doubles = ProductPlan.of(Kernel.MATMUL, x, w, x, false, false, false, Double.BYTES);
        ProductPlan floats = ProductPlan.of(Kernel.MATMUL, x, w, x, false, false, false, Float.BYTES);
        assertEquals(ProductPlan.Form.ROWS_SHARED_OUTER, floats.form());
        assertEquals(512, doubles.columnBlock());
        assertEquals(0, floats.columnBlock(), "1,024 floats are one block: not blocked");
        Shape wide = Shape.matrix(64, 2048);
        assertEquals(1024, ProductPlan.of(Kernel.MATMUL, wide, Shape.matrix(2048, 2048), wide, false, false, false, Float.BYTES).columnBlock());
        ProductPlan gradient = ProductPlan.of(Kernel.MATMUL_TN, Shape.matrix(48, 1024), Shape.matrix(48, 1100), Shape.matrix(1024, 1100), false, false, false, Float.BYTES);
        assertEquals(ProductPlan.Form.ROWS_TILES, gradient.form());
        assertEquals(1024, gradient.columnBlock(), "tiles' column blocks too");
        assertEquals(ProductPlan.TILE_ROWS, gradient.tileRows());
        assertEquals(doubles, ProductPlan.of(Kernel.MATMUL, x, w, x, false, false, false), "doubles by default");
    }

    @Test
    void withSimdEveryLongProductIsOneGemmCall() {
        for (Kernel k : new Kernel[] {Kernel.MATMUL, Kernel.MATMUL_NT, Kernel.MATMUL_TN}) {
            ProductPlan p = ProductPlan.of(k, Shape.matrix(32, 32), Shape.matrix(32, 32), Shape.matrix(32, 32), true, false, true);
            assertEquals(ProductPlan.Form.SIMD, p.form(), k.toString());
            assertTrue(p.accumulate());
        }
        assertEquals(ProductPlan.Form.FLAT_AXPY,
                ProductPlan.of(Kernel.MATMUL, Shape.matrix(2, 2), Shape.matrix(2, 2), Shape.matrix(2, 2), false, false, true).form());
    }

    @Test
    void vectorProducts() {
        ProductPlan mv = ProductPlan.of(Kernel.MATVEC, Shape.matrix(5, 3), Shape.vector(3), Shape.vector(5), false, true, false);
        assertEquals(ProductPlan.Form.ROW_DOTS, mv.form());
        assertTrue(mv.epilogue());
        assertEquals("s", mv.right().index("0", "s"));
        int few = ProductPlan.VECMAT_DOT_MAX_COLS - 1;
        assertEquals(ProductPlan.Form.COLUMN_SUMS, plan(Kernel.VECMAT, Shape.vector(3), Shape.matrix(3, few), Shape.vector(few)).form());
        assertEquals(ProductPlan.Form.AXPY, plan(Kernel.VECMAT, Shape.vector(3), Shape.matrix(3, few + 1), Shape.vector(few + 1)).form());
        Shape varying = Shape.matrix(new Shape.Axis(3, null), new Shape.Axis(4, "B"));
        assertEquals(ProductPlan.Form.AXPY, plan(Kernel.VECMAT, Shape.vector(3), varying, Shape.vector(new Shape.Axis(4, "B"))).form(),
                "a size that varies per call is not summed in registers");
    }

    @Test
    void matrixProductsTakeAnEpilogueInEveryFormButNotWhenTheyAdd() {
        for (boolean simd : new boolean[] {false, true}) {
            for (Kernel k : new Kernel[] {Kernel.MATMUL, Kernel.MATMUL_NT, Kernel.MATMUL_TN}) {
                for (int n : new int[] {2, 64, 1024}) {
                    ProductPlan p = ProductPlan.of(k, Shape.matrix(n, n), Shape.matrix(n, n), Shape.matrix(n, n), false, true, simd);
                    assertTrue(p.epilogue(), k + " " + n + " " + p.form());
                }
            }
        }
        assertThrows(IllegalArgumentException.class,
                () -> ProductPlan.of(Kernel.MATMUL, Shape.matrix(2, 2), Shape.matrix(2, 2), Shape.matrix(2, 2), true, true, false));
        assertThrows(IllegalArgumentException.class,
                () -> ProductPlan.of(Kernel.VECMAT, Shape.vector(2), Shape.matrix(2, 2), Shape.vector(2), false, true, false));
        assertThrows(IllegalArgumentException.class, () -> plan(Kernel.DOT, Shape.vector(2), Shape.vector(2), Shape.SCALAR));
    }
}
