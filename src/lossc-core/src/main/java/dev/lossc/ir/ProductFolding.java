package dev.lossc.ir;

import dev.lossc.prim.Prim;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Folds transposes into the products that read them, before differentiation: {@code X @
 * transpose(W)} (PyTorch's {@code nn.Linear} layout) becomes {@code matmul_nt(X, W)},
 * {@code transpose(A) @ B} becomes {@code matmul_tn(A, B)}, {@code transpose(A) @ x} becomes
 * {@code x @ A} and {@code x @ transpose(A)} becomes {@code A @ x}. No transposed copy is made
 * on any call, and reverse mode applies the folded products' own rules, so the gradient does not
 * transpose either. A transpose that nothing else reads is then dead and is dropped by the passes.
 */
public final class ProductFolding {
    private ProductFolding() {}

    /** The program with its body's and every output's products folded. */
    public static IrProgram fold(IrProgram p) {
        List<IrProgram.Output> outputs = new ArrayList<>();
        for (IrProgram.Output o : p.outputs()) {
            outputs.add(new IrProgram.Output(o.name(), o.value(), fold(o.body(), o.value()), o.pos()));
        }
        List<Value> live = new ArrayList<>();
        live.add(p.loss());
        p.outputs().forEach(o -> live.add(o.value()));
        // What a custom rule reads is read after the forward pass too (by the backward pass).
        for (Custom c : p.customs().values()) {
            live.addAll(c.args());
            for (Stmt s : c.grad()) {
                live.addAll(Stmt.read(s));
            }
            for (Stmt s : c.jvp()) {
                live.addAll(Stmt.read(s));
            }
        }
        return new IrProgram(p.className(), p.dims(), p.paramSymbols(), p.inputs(), p.params(), p.vars(),
                fold(p.body(), live.toArray(Value[]::new)), p.loss(), p.nextId(), outputs, p.stateSymbols(), p.states(), p.customs());
    }

    /**
     * The statements with every product that reads a transpose's result reading its operand
     * instead, and without the transposes that nothing reads any more ({@code results}: the
     * values the statements are run for, read after them).
     */
    public static List<Stmt> fold(List<Stmt> body, Value... results) {
        Map<Value, Value> transposes = new IdentityHashMap<>();
        collect(body, transposes);
        if (transposes.isEmpty()) {
            return body;
        }
        List<Stmt> folded = rewrite(body, transposes);
        Set<Value> read = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Value v : results) {
            read.add(v.root());
        }
        for (Stmt s : folded) {
            Stmt.read(s).forEach(v -> read.add(v.root()));
        }
        transposes.keySet().removeIf(read::contains);
        return transposes.isEmpty() ? folded : without(folded, transposes.keySet());
    }

    /** The statements without the transposes that write one of {@code dead}. */
    private static List<Stmt> without(List<Stmt> body, Set<Value> dead) {
        List<Stmt> out = new ArrayList<>();
        for (Stmt s : body) {
            if (s instanceof Stmt.Op op && op.prim() == Prim.TRANSPOSE && dead.contains(op.out())) {
                continue;
            }
            out.add(s instanceof Stmt.Loop l ? new Stmt.Loop(l.loop(), without(l.body(), dead), l.reversed(), l.pos()) : s);
        }
        return out;
    }

    /** Each transpose's result and its operand (temps are written once). */
    private static void collect(List<Stmt> body, Map<Value, Value> out) {
        for (Stmt s : body) {
            Stmt.visit(s, new Stmt.Visitor<Void>() {
                public Void op(Stmt.Op op) {
                    if (op.prim() == Prim.TRANSPOSE && !op.accumulate() && op.epilogue() == null && op.out().kind() == Value.Kind.TEMP) {
                        out.put(op.out(), op.args().get(0));
                    }
                    return null;
                }

                public Void map(Stmt.Map m) {
                    return null;
                }

                public Void assign(Stmt.Assign a) {
                    return null;
                }

                public Void zero(Stmt.Zero z) {
                    return null;
                }

                public Void loop(Stmt.Loop l) {
                    collect(l.body(), out);
                    return null;
                }
            });
        }
    }

    private static List<Stmt> rewrite(List<Stmt> body, Map<Value, Value> transposes) {
        List<Stmt> out = new ArrayList<>();
        for (Stmt s : body) {
            out.add(Stmt.visit(s, new Stmt.Visitor<Stmt>() {
                public Stmt op(Stmt.Op op) {
                    return folded(op, transposes);
                }

                public Stmt map(Stmt.Map m) {
                    return m;
                }

                public Stmt assign(Stmt.Assign a) {
                    return a;
                }

                public Stmt zero(Stmt.Zero z) {
                    return z;
                }

                public Stmt loop(Stmt.Loop l) {
                    return new Stmt.Loop(l.loop(), rewrite(l.body(), transposes), l.reversed(), l.pos());
                }
            }));
        }
        return out;
    }

    /** One product with a transposed operand read through the product that reads it untransposed. */
    static Stmt.Op folded(Stmt.Op op, Map<Value, Value> transposes) {
        Prim p = op.prim();
        if (p.kernel() == null) {
            return op;
        }
        List<Value> a = op.args();
        return switch (p.kernel()) {
            case MATMUL -> {
                Value right = transposes.get(a.get(1));
                if (right != null) {
                    yield op.withArgs(Prim.MATMUL_NT, List.of(a.get(0), right));
                }
                Value left = transposes.get(a.get(0));
                yield left != null ? op.withArgs(Prim.MATMUL_TN, List.of(left, a.get(1))) : op;
            }
            case MATVEC -> {
                Value m = transposes.get(a.get(0));
                yield m != null ? op.withArgs(Prim.VECMAT, List.of(a.get(1), m)) : op;
            }
            case VECMAT -> {
                Value m = transposes.get(a.get(1));
                yield m != null ? op.withArgs(Prim.MATVEC, List.of(m, a.get(0))) : op;
            }
            default -> op;
        };
    }
}
