package dev.lossc.opt;

import dev.lossc.ir.Stmt;
import dev.lossc.ir.Value;
import dev.lossc.prim.Prim;
import dev.lossc.prim.Scalar;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A product whose result only feeds the elementwise map right after it (its bias and activation,
 * say) computes that map as it stores each element: {@code h = sigmoid(W @ x + b)} is one loop,
 * and {@code tanh(X @ W + b)} applies {@code tanh} to each row of C while the row is in cache,
 * on the thread that computed it; the product's result needs no array. A matrix product's map
 * may read its other arguments broadcast (a bias by column) and must assign, not add (the forms
 * that sum C in memory compute it into the map's array and apply the map there). Forward pass
 * only; one sweep.
 */
final class EpilogueFusion implements Pass {
    private static final Set<Prim.Kernel> MATRIX_PRODUCTS = EnumSet.of(Prim.Kernel.MATMUL, Prim.Kernel.MATMUL_NT, Prim.Kernel.MATMUL_TN);

    public String name() {
        return "epilogue-fusion";
    }

    public String summary() {
        return "a product and the map that alone reads it become one kernel: the map is applied as each element is stored";
    }

    public Plan apply(Plan p) {
        Map<Value, Integer> reads = Blocks.readCounts(List.of(p.forward(), p.backward()));
        reads.merge(p.primal().loss(), 1, Integer::sum);
        return p.with(sweep(p.forward(), reads), p.backward());
    }

    private static List<Stmt> sweep(List<Stmt> block, Map<Value, Integer> reads) {
        List<Stmt> out = new ArrayList<>();
        for (int i = 0; i < block.size(); i++) {
            Stmt s = block.get(i);
            if (s instanceof Stmt.Loop l) {
                out.add(new Stmt.Loop(l.loop(), sweep(l.body(), reads), l.reversed(), l.pos()));
                continue;
            }
            int at = s instanceof Stmt.Op op ? reader(block, i, op) : -1;
            if (at > 0 && block.get(at) instanceof Stmt.Map m && fits((Stmt.Op) s, m, reads)) {
                Stmt.Op op = (Stmt.Op) s;
                // Statements between the product and its map that neither read its result nor
                // write its operands run first (a bias scaled before it is added, say).
                out.addAll(block.subList(i + 1, at));
                int t = -1;
                for (int k = 0; k < m.args().size(); k++) {
                    if (m.args().get(k) == op.out()) {
                        t = k;
                    }
                }
                int index = t;
                List<Value> args = new ArrayList<>();
                Scalar expr = Scalar.replace(m.expr(), v -> {
                    if (v instanceof Scalar.In in) {
                        if (in.index() == index) {
                            return new Scalar.In(0);
                        }
                        Scalar r = Blocks.in(args, m.args().get(in.index()));
                        return new Scalar.In(((Scalar.In) r).index() + 1);
                    }
                    return null;
                });
                Stmt.Epilogue e = new Stmt.Epilogue(m.out(), expr, args, m.accumulate(), m.note());
                out.add(new Stmt.Op(op.out(), op.prim(), op.args(), op.attributes(), false, op.pos(), op.note(), e));
                i = at;
                continue;
            }
            out.add(s);
        }
        return out;
    }

    /** Statements a product may move past to reach its map: a few elementwise ones. */
    private static final int LOOKAHEAD = 4;

    /**
     * The index of the first statement after {@code i} that reads the product's result, if every
     * statement before it is an elementwise one (not a loop, not another op) that writes no
     * operand's array; otherwise -1.
     */
    private static int reader(List<Stmt> block, int i, Stmt.Op op) {
        for (int k = i + 1; k < block.size() && k <= i + LOOKAHEAD; k++) {
            Stmt s = block.get(k);
            if (Stmt.read(s).stream().anyMatch(v -> v.root() == op.out().root())) {
                return s instanceof Stmt.Loop ? -1 : k;
            }
            if (s instanceof Stmt.Loop || s instanceof Stmt.Op) {
                // Not past a loop, nor past another product (which may take the map itself).
                return -1;
            }
            Value w = Stmt.written(s).root();
            if (w == op.out().root() || op.args().stream().anyMatch(a -> a.root() == w)) {
                return -1;
            }
        }
        return -1;
    }

    /**
     * The map reads the product's result (read by nothing else) at each element, and everything
     * else at the same element or once (after a matrix-vector product), or broadcast and
     * assigning (after a matrix product).
     */
    private static boolean fits(Stmt.Op op, Stmt.Map m, Map<Value, Integer> reads) {
        Value y = op.out();
        boolean matrix = MATRIX_PRODUCTS.contains(op.prim().kernel());
        if (!(op.prim() == Prim.MATVEC || matrix) || op.epilogue() != null || op.accumulate() || y.kind() != Value.Kind.TEMP
                || reads.getOrDefault(y, 0) != 1 || !m.args().contains(y) || !m.isPointwise() || !m.domain().equals(y.shape())
                || m.out().kind() == Value.Kind.VIEW || matrix && m.accumulate()) {
            return false;
        }
        for (Value a : m.args()) {
            if (!matrix && a.shape().size() != 1 && !a.shape().equals(m.domain())) {
                return false;
            }
            if (a.root() == m.out().root() && a != y) {
                return false;
            }
        }
        return op.args().stream().noneMatch(a -> a.root() == m.out().root());
    }
}
