package dev.lossc.opt;

import dev.lossc.ir.Stmt;
import dev.lossc.ir.Value;
import dev.lossc.prim.Prim;
import dev.lossc.prim.Scalar;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A matrix-vector product whose result only feeds the elementwise map right after it (its bias and
 * activation, say) computes that map as it stores each row's sum: {@code h = sigmoid(W @ x + b)}
 * is one loop, and {@code W @ x} needs no array. Forward pass only; one sweep.
 */
final class EpilogueFusion implements Pass {
    public String name() {
        return "epilogue-fusion";
    }

    public String summary() {
        return "a matrix-vector product and the map that alone reads it become one loop";
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
            if (s instanceof Stmt.Op op && i + 1 < block.size() && block.get(i + 1) instanceof Stmt.Map m && fits(op, m, reads)) {
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
                i++;
                continue;
            }
            out.add(s);
        }
        return out;
    }

    /** The map reads the product's result (read by nothing else) at each element, and everything else at the same element or once. */
    private static boolean fits(Stmt.Op op, Stmt.Map m, Map<Value, Integer> reads) {
        Value y = op.out();
        if (op.prim() != Prim.MATVEC || op.epilogue() != null || op.accumulate() || y.kind() != Value.Kind.TEMP
                || reads.getOrDefault(y, 0) != 1 || !m.args().contains(y) || !m.isPointwise() || !m.domain().equals(y.shape())
                || m.out().kind() == Value.Kind.VIEW) {
            return false;
        }
        for (Value a : m.args()) {
            if (a.shape().size() != 1 && !a.shape().equals(m.domain())) {
                return false;
            }
            if (a.root() == m.out().root() && a != y) {
                return false;
            }
        }
        return op.args().stream().noneMatch(a -> a.root() == m.out().root());
    }
}
