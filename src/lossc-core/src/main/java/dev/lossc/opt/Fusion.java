package dev.lossc.opt;

import dev.lossc.ir.Stmt;
import dev.lossc.ir.Value;
import dev.lossc.prim.Scalar;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Chains of elementwise maps become one loop: when a map's result {@code t} is read by exactly one
 * later map of the same domain in the same block, and nothing in between writes what the first
 * one reads, the second computes the first's expression in place of reading {@code t}, and
 * {@code t} needs no storage. {@code matvec + b} then {@code sigmoid} is one loop; so is the
 * adjoint chain of {@code 0.5 * sum((t - y) ^ 2)}.
 */
final class Fusion implements Pass {
    public String name() {
        return "fusion";
    }

    public String summary() {
        return "elementwise chains as one loop; the intermediate arrays disappear";
    }

    public Plan apply(Plan p) {
        Plan current = p;
        while (true) {
            Plan next = once(current);
            if (next == null) {
                return current;
            }
            current = next;
        }
    }

    /** One fusion anywhere in the plan, or null. */
    private static Plan once(Plan p) {
        Map<Value, Integer> reads = Blocks.readCounts(List.of(p.forward(), p.backward()));
        reads.merge(p.primal().loss(), 1, Integer::sum);
        List<Stmt> f = fuse(p.forward(), reads);
        if (f != null) {
            return p.with(f, p.backward());
        }
        List<Stmt> b = fuse(p.backward(), reads);
        return b == null ? null : p.with(p.forward(), b);
    }

    private static List<Stmt> fuse(List<Stmt> block, Map<Value, Integer> reads) {
        for (int i = 0; i < block.size(); i++) {
            if (block.get(i) instanceof Stmt.Loop l) {
                List<Stmt> inner = fuse(l.body(), reads);
                if (inner != null) {
                    List<Stmt> out = new ArrayList<>(block);
                    out.set(i, new Stmt.Loop(l.loop(), inner, l.reversed(), l.pos()));
                    return out;
                }
                continue;
            }
            if (!(block.get(i) instanceof Stmt.Map producer) || !fusible(producer, reads)) {
                continue;
            }
            Value t = producer.out();
            for (int j = i + 1; j < block.size(); j++) {
                Stmt s = block.get(j);
                if (s instanceof Stmt.Map consumer && Uses.reads(s, t)) {
                    if (consumer.domain().equals(producer.domain()) && !consumer.out().root().equals(t)
                            && producer.args().stream().noneMatch(a -> a.root() == consumer.out().root())
                            && cheapEnough(producer, consumer)) {
                        List<Stmt> out = new ArrayList<>(block);
                        out.set(j, merge(producer, consumer));
                        out.remove(i);
                        return out;
                    }
                    break;
                }
                if (Uses.reads(s, t) || Uses.writes(s, t) || producer.args().stream().anyMatch(a -> Uses.writes(s, a.root()))) {
                    break;
                }
            }
        }
        return null;
    }

    /** A pointwise assignment to a whole temp (or temp adjoint) that exactly one statement reads. */
    private static boolean fusible(Stmt.Map m, Map<Value, Integer> reads) {
        Value t = m.out();
        boolean temp = t.kind() == Value.Kind.TEMP || (t.kind() == Value.Kind.ADJOINT && t.primal().kind() == Value.Kind.TEMP);
        return temp && !m.accumulate() && m.isPointwise() && t.shape().equals(m.domain()) && reads.getOrDefault(t, 0) == 1;
    }

    /** Computing the producer twice per element is fine only when it is plain arithmetic. */
    private static boolean cheapEnough(Stmt.Map producer, Stmt.Map consumer) {
        int index = indexOf(consumer.args(), producer.out());
        long uses = countIn(consumer.expr(), index);
        return uses <= 1 || !Scalar.contains(producer.expr(), e -> e instanceof Scalar.Call || e instanceof Scalar.Select);
    }

    private static long countIn(Scalar e, int index) {
        long[] n = {0};
        Scalar.replace(e, v -> {
            if (v instanceof Scalar.In in && in.index() == index) {
                n[0]++;
            }
            return null;
        });
        return n[0];
    }

    private static int indexOf(List<Value> args, Value v) {
        for (int k = 0; k < args.size(); k++) {
            if (args.get(k) == v) {
                return k;
            }
        }
        throw new IllegalStateException(v.label() + " is not an argument");
    }

    /** The consumer with the producer's expression in place of its result. */
    private static Stmt.Map merge(Stmt.Map producer, Stmt.Map consumer) {
        List<Value> inputs = new ArrayList<>();
        int t = indexOf(consumer.args(), producer.out());
        Scalar inner = Scalar.replace(producer.expr(), v -> v instanceof Scalar.In in ? Blocks.in(inputs, producer.args().get(in.index())) : null);
        Scalar expr = Scalar.replace(consumer.expr(), v -> {
            if (v instanceof Scalar.In in) {
                return in.index() == t ? inner : Blocks.in(inputs, consumer.args().get(in.index()));
            }
            return null;
        });
        return new Stmt.Map(consumer.out(), Scalar.simplify(expr), inputs, consumer.domain(), consumer.accumulate(), consumer.pos(),
                Stmt.Note.join(consumer.note(), producer.note()));
    }
}
