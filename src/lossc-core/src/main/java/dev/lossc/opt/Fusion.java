package dev.lossc.opt;

import dev.lossc.ir.Stmt;
import dev.lossc.ir.Value;
import dev.lossc.prim.Scalar;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Chains of elementwise maps become one loop: when a map's result {@code t} is read by exactly one
 * later map of the same domain in the same block, and nothing in between writes what the first
 * one reads, the second computes the first's expression in place of reading {@code t}, and
 * {@code t} needs no storage. {@code matvec + b} then {@code sigmoid} is one loop; so is the
 * adjoint chain of {@code 0.5 * sum((t - y) ^ 2)}. One forward sweep per block (a fused map can
 * fuse again), repeated while it finds something: linear in the program per sweep.
 */
final class Fusion implements Pass {
    public String name() {
        return "fusion";
    }

    public String summary() {
        return "elementwise chains as one loop; the intermediate arrays disappear";
    }

    public Plan apply(Plan p) {
        return Blocks.untilStable(p, Fusion::sweep);
    }

    private static List<Stmt> sweep(List<Stmt> block, Map<Value, Integer> reads, boolean[] changed) {
        List<Stmt> out = new ArrayList<>();
        // Producers that may still fuse into a later map: their result, and their index in out.
        Map<Value, Integer> pending = new IdentityHashMap<>();
        for (Stmt s : block) {
            if (s instanceof Stmt.Loop l) {
                out.add(new Stmt.Loop(l.loop(), sweep(l.body(), reads, changed), l.reversed(), l.pos()));
                pending.clear();
                continue;
            }
            Stmt current = s;
            if (s instanceof Stmt.Map consumer) {
                for (Value a : consumer.args()) {
                    Integer at = pending.get(a);
                    if (at == null) {
                        continue;
                    }
                    Stmt.Map producer = (Stmt.Map) out.get(at);
                    Value consumerOut = consumer.out().root();
                    // Not when the consumer also reads the producer's result through a view (a row
                    // of it, broadcast): that read is not at the same element, and needs the array.
                    if (producer.domain().equals(consumer.domain()) && consumerOut != a
                            && consumer.args().stream().noneMatch(x -> x != a && x.root() == a)
                            && producer.args().stream().noneMatch(x -> x.root() == consumerOut)
                            && cheapEnough(producer, consumer)) {
                        consumer = merge(producer, consumer);
                        out.set(at, null);
                        pending.remove(a);
                        changed[0] = true;
                    }
                }
                current = consumer;
            }
            // What this statement writes invalidates producers that read it, or whose result it is.
            Value written = Stmt.written(current).root();
            pending.values().removeIf(at -> {
                Stmt.Map m = (Stmt.Map) out.get(at);
                return m.out().root() == written || m.args().stream().anyMatch(x -> x.root() == written);
            });
            for (Value r : Stmt.read(current)) {
                pending.remove(r.root());
            }
            out.add(current);
            if (current instanceof Stmt.Map m && fusible(m, reads)) {
                pending.put(m.out(), out.size() - 1);
            }
        }
        out.removeIf(x -> x == null);
        return out;
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
        long[] uses = {0};
        Scalar.replace(consumer.expr(), v -> {
            if (v instanceof Scalar.In in && in.index() == index) {
                uses[0]++;
            }
            return null;
        });
        return uses[0] <= 1 || !Scalar.contains(producer.expr(), e -> e instanceof Scalar.Call || e instanceof Scalar.Select);
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
