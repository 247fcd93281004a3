package dev.lossc.ir;

import dev.lossc.check.Symbol;
import dev.lossc.diag.Pos;
import dev.lossc.prim.Attributes;
import dev.lossc.prim.Prim;
import dev.lossc.prim.Scalar;
import dev.lossc.types.Shape;
import java.util.List;

/**
 * IR statements, the same for the forward and the backward pass. Every computation is
 * {@code out = prim(args)} or, with {@code accumulate}, {@code out += prim(args)}; an
 * elementwise computation, once lowered for code generation, is a {@link Map} of a scalar
 * expression over its inputs (what fusion merges). {@code note}s say where a backward statement
 * comes from; generated code shows them as comments.
 */
public sealed interface Stmt {
    /** The kinds of IR statement. */
    enum Kind { OP, MAP, ASSIGN, ZERO, LOOP }

    /** Which kind this is: switch on it in a switch expression (no default), which fails to compile when a kind is added. */
    Kind kind();

    Pos pos();

    /**
     * {@code out (+)= prim(args; attributes)}: the attributes are the primitive's constants (an
     * exponent, an alpha, an axis, a slice's stride). With an {@code epilogue}, each element of the
     * result goes straight into the epilogue's map and {@code out} itself is never stored (a
     * matrix-vector product, its bias and activation in one loop).
     */
    record Op(Value out, Prim prim, List<Value> args, Attributes attributes, boolean accumulate, Pos pos, Note note, Epilogue epilogue)
            implements Stmt {
        @Override
        public Kind kind() {
            return Kind.OP;
        }

        public Op {
            args = List.copyOf(args);
        }

        public Op(Value out, Prim prim, List<Value> args, Attributes attributes, boolean accumulate, Pos pos, Note note) {
            this(out, prim, args, attributes, accumulate, pos, note, null);
        }

        public Op(Value out, Prim prim, List<Value> args, Attributes attributes, Pos pos) {
            this(out, prim, args, attributes, false, pos, null, null);
        }

        /** This op with other operands, the rest kept. */
        public Op withArgs(Prim p, List<Value> newArgs) {
            return new Op(out, p, newArgs, attributes, accumulate, pos, note, epilogue);
        }
    }

    /**
     * {@code out (+)= expr(result element, args…)} for each element of an op's result: in
     * {@code expr}, {@link Scalar.In} 0 is that element and {@code In k} is {@code args[k - 1]}
     * at the same element (or the scalar itself).
     */
    record Epilogue(Value out, Scalar expr, List<Value> args, boolean accumulate, Note note) {
        public Epilogue {
            args = List.copyOf(args);
        }
    }

    /**
     * {@code out (+)= expr(args)}, element by element over {@code domain}: {@link Scalar.In}
     * {@code i} reads {@code args[i]} at the current element, a scalar argument is the same for
     * every element and a vector argument of a matrix domain is repeated on every row. When
     * {@code out} is smaller than the domain (a scalar, or a vector of a matrix domain), the values
     * are summed into it: that is the adjoint of a broadcast.
     */
    record Map(Value out, Scalar expr, List<Value> args, Shape domain, boolean accumulate, Pos pos, Note note) implements Stmt {
        @Override
        public Kind kind() {
            return Kind.MAP;
        }

        public Map {
            args = List.copyOf(args);
        }

        /** True if every element of {@code out} gets exactly one value (no summing). */
        public boolean isPointwise() {
            return out.shape().size() == domain.size();
        }
    }

    /**
     * Where a backward statement comes from, for the comment above its code: the rule of operand
     * {@code k} of the primitive that computed {@code result}, or (with {@code prim} null) a text.
     */
    record Note(Value operand, Value result, Prim prim, int k, Attributes attributes, String text, Note also) {
        public static Note of(String text) {
            return new Note(null, null, null, -1, Attributes.NONE, text, null);
        }

        /** The {@code k} of a tangent's note. */
        public static final int TANGENT = -2;

        /**
         * Forward mode's: the tangent of {@code written}, by {@code prim}'s tangent rule (null for a
         * fused loop, a copy or a fill), of the statement {@code of} describes (null in the forward pass).
         */
        public static Note tangent(Value written, Prim prim, Attributes attributes, Note of) {
            return new Note(null, written, prim, TANGENT, attributes, null, of);
        }

        public boolean isTangent() {
            return k == TANGENT;
        }

        /** This note, then {@code earlier}'s (a fused statement cites every rule it computes). */
        public static Note join(Note later, Note earlier) {
            if (later == null) {
                return earlier;
            }
            if (earlier == null) {
                return later;
            }
            return new Note(later.operand, later.result, later.prim, later.k, later.attributes, later.text, join(later.also, earlier));
        }
    }

    /** {@code var := source} (a whole copy; lowered to a {@link Map} for code generation). */
    record Assign(Value var, Value source, Pos pos) implements Stmt {
        @Override
        public Kind kind() {
            return Kind.ASSIGN;
        }
    }

    /** {@code target = 0}, every element. */
    record Zero(Value target, Pos pos) implements Stmt {
        @Override
        public Kind kind() {
            return Kind.ZERO;
        }
    }

    /** The body once per value of the loop variable, from {@code from} up, or (reversed) from {@code to - 1} down. */
    record Loop(Symbol.Loop loop, List<Stmt> body, boolean reversed, Pos pos) implements Stmt {
        @Override
        public Kind kind() {
            return Kind.LOOP;
        }

        public Loop {
            body = List.copyOf(body);
        }

        public Loop(Symbol.Loop loop, List<Stmt> body, Pos pos) {
            this(loop, body, false, pos);
        }
    }

    /** Exhaustive dispatch over statements: a new kind of statement fails to compile until every walker handles it. */
    interface Visitor<R> {
        R op(Op op);

        R map(Map map);

        R assign(Assign assign);

        R zero(Zero zero);

        R loop(Loop loop);
    }

    static <R> R visit(Stmt s, Visitor<R> v) {
        if (s instanceof Op op) {
            return v.op(op);
        } else if (s instanceof Map m) {
            return v.map(m);
        } else if (s instanceof Assign a) {
            return v.assign(a);
        } else if (s instanceof Zero z) {
            return v.zero(z);
        } else if (s instanceof Loop l) {
            return v.loop(l);
        }
        throw new IllegalStateException("unknown statement " + s.getClass().getSimpleName());
    }

    /** The value a statement writes (for a loop, null). */
    static Value written(Stmt s) {
        return visit(s, new Visitor<>() {
            public Value op(Op op) {
                return op.epilogue() != null ? op.epilogue().out() : op.out();
            }

            public Value map(Map m) {
                return m.out();
            }

            public Value assign(Assign a) {
                return a.var();
            }

            public Value zero(Zero z) {
                return z.target();
            }

            public Value loop(Loop l) {
                return null;
            }
        });
    }

    /** The values a statement reads (for a loop, those of its body). */
    static List<Value> read(Stmt s) {
        return visit(s, new Visitor<>() {
            public List<Value> op(Op op) {
                if (op.epilogue() != null) {
                    List<Value> all = new java.util.ArrayList<>(op.args());
                    all.addAll(op.epilogue().args());
                    return op.epilogue().accumulate() ? concat(all, op.epilogue().out()) : all;
                }
                return op.accumulate() ? concat(op.args(), op.out()) : op.args();
            }

            public List<Value> map(Map m) {
                return m.accumulate() ? concat(m.args(), m.out()) : m.args();
            }

            public List<Value> assign(Assign a) {
                return List.of(a.source());
            }

            public List<Value> zero(Zero z) {
                return List.of();
            }

            public List<Value> loop(Loop l) {
                List<Value> all = new java.util.ArrayList<>();
                for (Stmt b : l.body()) {
                    all.addAll(read(b));
                }
                return all;
            }
        });
    }

    private static List<Value> concat(List<Value> a, Value b) {
        List<Value> all = new java.util.ArrayList<>(a);
        all.add(b);
        return all;
    }
}
