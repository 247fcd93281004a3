package dev.lossc.codegen;

import dev.lossc.ir.Stmt;
import dev.lossc.ir.Value;
import dev.lossc.types.Precision;
import dev.lossc.types.Shape;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The loop and sum forms every kernel is written with: a loop over an axis (straight code when it
 * runs once, the actual size when its dim varies per call), sums in index order (a short one
 * starting from its first term), every element of a shape, and reads of values by flat index.
 */
final class Loops {
    /** Sums of fixed length with fewer terms than this start from their first term ({@link #startsFromFirstTerm}). */
    static final int SHORT_SUM = 16;

    final Layout layout;
    final Precision precision;
    /** The element type ({@code double} or {@code float}) and its zero, as emitted. */
    final String real;
    final String realZero;

    Loops(Layout layout) {
        this.layout = layout;
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
    String sum(String local) {
        return precision.narrow(local);
    }

    /** {@code Math.exp(x)}, as the element type. */
    String exp(String x) {
        return precision.narrow("Math.exp(" + x + ")");
    }

    /** {@code for (int var = 0; var < n; var++) body(var)}, or {@code body("0")} alone when n is 1. */
    static void loop(Code c, String var, int n, Consumer<String> body) {
        if (n == 1) {
            body.accept("0");
            return;
        }
        c.open("for (int $L = 0; $L < $L; $L++)", var, var, n, var);
        body.accept(var);
        c.close();
    }

    /**
     * {@code for (int var = 0; var < extent; var++)} over an axis: straight code for a fixed size of
     * 1, the actual size for a dim that varies per call.
     */
    void loop(Code c, String var, Shape.Axis n, Consumer<String> body) {
        if (!n.varies()) {
            loop(c, var, n.size(), body);
            return;
        }
        c.open("for (int $L = 0; $L < $L; $L++)", var, var, layout.extent(n), var);
        body.accept(var);
        c.close();
    }

    /**
     * Declares the {@code double} local {@code acc} as {@code Σ term(var)} over {@code var < n},
     * added in index order. A short sum ({@link #startsFromFirstTerm}) starts from its first term.
     */
    void sumOf(Code c, String acc, String var, Shape.Axis n, Function<String, String> term) {
        if (n.varies()) {
            c.declare("double $L = 0.0", acc);
            loop(c, var, n, v -> c.add("$L += $L", acc, term.apply(v)));
        } else {
            sumOf(c, acc, var, n.size(), term);
        }
    }

    /**
     * Whether a sum over a fixed {@code n} terms starts from its first term rather than from
     * {@code 0.0}. On small networks these chains of dependent additions are the critical path, and
     * the addition of {@code 0.0} is one more link: the 2-2-2 example went from 57 to 49 ns with
     * this and {@link ProductPlan#VECMAT_DOT_MAX_COLS} (docs/performance.md). A long sum gains
     * nothing and keeps the shorter code. The result differs from {@code 0.0 + …} only in the sign
     * of a zero ({@code -0.0} when every term is {@code -0.0}). A size that varies per call may be
     * 0: its sum starts from {@code 0.0}.
     */
    static boolean startsFromFirstTerm(int n) {
        return n >= 1 && n < SHORT_SUM;
    }

    /** {@link #sumOf(Code, String, String, Shape.Axis, Function)} over a fixed size. */
    static void sumOf(Code c, String acc, String var, int n, Function<String, String> term) {
        if (!startsFromFirstTerm(n)) {
            c.declare("double $L = 0.0", acc);
            loop(c, var, n, v -> c.add("$L += $L", acc, term.apply(v)));
            return;
        }
        c.declare("double $L = $L", acc, term.apply("0"));
        afterTheFirst(c, var, n, v -> c.add("$L += $L", acc, term.apply(v)));
    }

    /** {@code body(var)} for {@code var} from 1 to {@code n - 1}: nothing, straight code for one, or a loop. */
    static void afterTheFirst(Code c, String var, int n, Consumer<String> body) {
        if (n == 2) {
            body.accept("1");
        } else if (n > 2) {
            c.open("for (int $L = 1; $L < $L; $L++)", var, var, n, var);
            body.accept(var);
            c.close();
        }
    }

    /**
     * Every element of {@code s} in this call, by flat index: one loop over the elements when
     * they are contiguous (a fixed shape, or one whose rows vary), a loop per row and column when
     * the column count varies (rows keep the maximum's stride).
     */
    void each(Code c, Shape s, Consumer<String> body) {
        if (!s.varies()) {
            loop(c, "i", s.size(), body);
        } else if (!s.isMatrix() || s.colDim() == null) {
            c.open("for (int i = 0; i < $L; i++)", layout.count(s));
            body.accept("i");
            c.close();
        } else {
            loop(c, "i", s.rowAxis(), i -> loop(c, "j", s.colAxis(), j -> body.accept(flat(i, s.cols(), j))));
        }
    }

    /** Element by flat index of {@code v}, as a Java expression. */
    Function<String, String> at(Value v) {
        return idx -> layout.at(v, idx);
    }

    /** The flat index of (row, col) in rows of {@code cols} elements. */
    static String flat(String row, int cols, String col) {
        return Layout.add(Layout.mul(row, cols), col);
    }

    /** Zeroes an op's result first, unless the op adds into it. */
    void zeroUnlessAccumulating(Code c, Stmt.Op op) {
        if (!op.accumulate()) {
            Function<String, String> Y = at(op.out());
            each(c, op.out().shape(), i -> c.add("$L = $L", Y.apply(i), realZero));
        }
    }

    interface RowBody {
        /** {@code row}: the row index; {@code element}: column index → flat index of that row's element. */
        void emit(String row, Function<String, String> element);
    }

    /** Runs {@code body} once per row ({@code r}), or once with row 0 for a vector. */
    void rows(Code c, Shape s, RowBody body) {
        int n = s.cols();
        loop(c, "r", s.rowAxis(), r -> body.emit(r, j -> flat(r, n, j)));
    }
}
