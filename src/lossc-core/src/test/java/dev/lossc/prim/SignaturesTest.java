package dev.lossc.prim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.lossc.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The shape rules of the table, each on its own: the result, or what it tells the checker. */
class SignaturesTest {
    private static final Shape S = Shape.SCALAR;
    private static final Shape.Axis B = new Shape.Axis(64, "B");

    /** What a rule reported, as text, in order. */
    private static final class Recorded implements Signature.Problems {
        final List<String> said = new ArrayList<>();

        @Override
        public void expected(int at, String shownAs, String expects) {
            said.add("expected@" + at + (shownAs == null ? "" : shownAs) + ": " + expects);
        }

        @Override
        public void mismatch(Shape a, Shape b) {
            said.add("mismatch " + a + " " + b);
        }

        @Override
        public void badAttribute(int index, String expects) {
            said.add("attribute " + index + ": " + expects);
        }
    }

    private static Shape v(int n) {
        return Shape.vector(n);
    }

    private static Shape m(int r, int c) {
        return Shape.matrix(r, c);
    }

    private static Shape apply(Signature sig, Attributes attrs, Recorded r, Shape... ops) {
        return sig.result(List.of(ops), attrs, r);
    }

    private static Shape ok(Signature sig, Attributes attrs, Shape... ops) {
        Recorded r = new Recorded();
        Shape out = apply(sig, attrs, r, ops);
        assertEquals(List.of(), r.said);
        return out;
    }

    private static List<String> refused(Signature sig, Attributes attrs, Shape... ops) {
        Recorded r = new Recorded();
        assertNull(apply(sig, attrs, r, ops));
        return r.said;
    }

    @Test
    void broadcastingFollowsNumPy() {
        Attributes none = Attributes.NONE;
        assertEquals(m(3, 4), ok(Signatures.BROADCAST, none, m(3, 4), v(4)));
        assertEquals(m(3, 4), ok(Signatures.BROADCAST, none, m(3, 1), m(1, 4)));
        assertEquals(m(3, 4), ok(Signatures.BROADCAST, none, S, m(3, 4)));
        assertEquals(v(5), ok(Signatures.BROADCAST, none, v(5), v(1)));
        assertEquals(m(3, 4), ok(Signatures.BROADCAST, none, m(3, 4), v(4), m(3, 1)));
        assertEquals(List.of("mismatch [3, 4] [3]"), refused(Signatures.BROADCAST, none, m(3, 4), v(3)));
        assertEquals(List.of("expected@-1: three shapes that broadcast together"),
                refused(Signatures.BROADCAST, none, v(2), v(2), v(3)));
        // An axis that varies per call never stretches: it is not a fixed 1.
        Shape varying = Shape.matrix(B, Shape.Axis.of(4));
        assertEquals(varying, ok(Signatures.BROADCAST, none, varying, v(4)));
        assertNull(Signatures.broadcast(Shape.matrix(B, Shape.Axis.of(4)), Shape.matrix(Shape.Axis.of(64), Shape.Axis.of(4))));
    }

    @Test
    void productsTakeTheirAxesFromTheOperandsTheyRead() {
        Attributes none = Attributes.NONE;
        assertEquals(v(3), ok(Signatures.product(Prim.Kernel.MATVEC), none, m(3, 5), v(5)));
        assertEquals(v(5), ok(Signatures.product(Prim.Kernel.VECMAT), none, v(3), m(3, 5)));
        assertEquals(m(2, 7), ok(Signatures.product(Prim.Kernel.MATMUL), none, m(2, 5), m(5, 7)));
        // A @ transpose(B): B is [n, k]; transpose(A) @ B: A is [k, m].
        assertEquals(m(2, 7), ok(Signatures.product(Prim.Kernel.MATMUL_NT), none, m(2, 5), m(7, 5)));
        assertEquals(m(2, 7), ok(Signatures.product(Prim.Kernel.MATMUL_TN), none, m(5, 2), m(5, 7)));
        // The dim that varies per call stays on the result's axis.
        assertEquals(Shape.matrix(B, Shape.Axis.of(10)),
                ok(Signatures.product(Prim.Kernel.MATMUL_NT), none, Shape.matrix(B, Shape.Axis.of(128)), m(10, 128)));
        assertEquals(S, ok(Signatures.DOT, none, v(4), v(4)));
        assertEquals(List.of("expected@-1: two vectors of equal length"), refused(Signatures.DOT, none, v(4), v(3)));
        assertEquals(m(4, 3), ok(Signatures.OUTER, none, v(4), v(3)));
        assertEquals(List.of("expected@-1: two vectors"), refused(Signatures.OUTER, none, m(4, 1), v(3)));
        assertEquals(m(5, 2), ok(Signatures.TRANSPOSE, none, m(2, 5)));
        assertEquals(List.of("expected@-1: a matrix"), refused(Signatures.TRANSPOSE, none, v(5)));
    }

    @Test
    void reductionsCheckTheirAxis() {
        assertEquals(v(4), ok(Signatures.AXIS_OF_MATRIX, Attributes.ints(0), m(3, 4)));
        assertEquals(v(3), ok(Signatures.AXIS_OF_MATRIX, Attributes.ints(1), m(3, 4)));
        assertEquals(List.of("attribute 0: an integer constant from -2 to 1"), refused(Signatures.AXIS_OF_MATRIX, Attributes.ints(2), m(3, 4)));
        assertEquals(List.of("expected@0(X, axis): a matrix"), refused(Signatures.AXIS_OF_MATRIX, Attributes.ints(0), v(4)));
        assertEquals(S, ok(Signatures.ROWWISE_REDUCE, Attributes.NONE, v(4)));
        assertEquals(v(3), ok(Signatures.ROWWISE_REDUCE, Attributes.NONE, m(3, 4)));
        assertEquals(List.of("expected@-1: a vector or a matrix"), refused(Signatures.ROWWISE_REDUCE, Attributes.NONE, S));
        assertEquals(m(3, 4), ok(Signatures.ROWWISE, Attributes.NONE, m(3, 4)));
        assertEquals(List.of("expected@-1: a vector or a matrix"), refused(Signatures.ROWWISE, Attributes.NONE, S));
    }

    @Test
    void alongAnAxisKeepsTheShapeForAnAxisTheOperandHas() {
        Attributes forward1 = Attributes.ints(1, 0);
        assertEquals(m(3, 4), ok(Signatures.ALONG_AXIS, forward1, m(3, 4)));
        assertEquals(v(4), ok(Signatures.ALONG_AXIS, Attributes.ints(0, 0), v(4)));
        assertEquals(List.of("attribute 0: 0 or -1, the axis of a vector"), refused(Signatures.ALONG_AXIS, forward1, v(4)));
        assertEquals(List.of("attribute 0: an integer constant from -2 to 1"), refused(Signatures.ALONG_AXIS, Attributes.ints(2, 0), m(3, 4)));
        assertEquals(List.of("expected@0: a vector or a matrix"), refused(Signatures.ALONG_AXIS, forward1, S));
    }

    @Test
    void concatJoinsFixedSizesAlongTheAxis() {
        assertEquals(v(7), ok(Signatures.CONCAT, Attributes.ints(-1), v(3), v(4)));
        assertEquals(m(5, 4), ok(Signatures.CONCAT, Attributes.ints(0), m(2, 4), m(3, 4)));
        assertEquals(m(2, 9), ok(Signatures.CONCAT, Attributes.ints(1), m(2, 4), m(2, 5)));
        assertEquals(List.of("expected@-1(A, B, 0): two matrices with the same number of columns"),
                refused(Signatures.CONCAT, Attributes.ints(0), m(2, 4), m(3, 5)));
        assertEquals(List.of("expected@-1(A, B, 1): two matrices with the same number of rows"),
                refused(Signatures.CONCAT, Attributes.ints(1), m(2, 4), m(3, 4)));
        assertEquals(List.of("expected@-1: two vectors (or two matrices and an axis)"),
                refused(Signatures.CONCAT, Attributes.ints(-1), m(2, 4), m(2, 4)));
        assertEquals(List.of("attribute 0: an integer constant from -2 to 1"), refused(Signatures.CONCAT, Attributes.ints(3), m(2, 4), m(2, 4)));
        Shape varying = Shape.matrix(B, Shape.Axis.of(4));
        assertEquals(List.of("expected@-1(A, B, 0): sizes that do not vary per call along axis 0"),
                refused(Signatures.CONCAT, Attributes.ints(0), varying, m(2, 4)));
        assertEquals(Shape.matrix(B, Shape.Axis.of(6)), ok(Signatures.CONCAT, Attributes.ints(1), varying, Shape.matrix(B, Shape.Axis.of(2))));
    }

    @Test
    void gathersAndPicksFollowTheirIndexes() {
        Shape ids = v(6);
        assertEquals(m(6, 8), ok(Signatures.GATHER, Attributes.NONE, m(100, 8), ids));
        assertEquals(v(6), ok(Signatures.GATHER, Attributes.NONE, v(100), ids));
        assertEquals(v(32), ok(Signatures.PICK, Attributes.NONE, m(32, 10), v(32)));
    }
}
