package dev.lossc.ir;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Statements with some values replaced by others (views of a renamed root follow it). */
public final class Rename {
    private Rename() {}

    public static Stmt stmt(Stmt s, Map<Value, Value> to) {
        return Stmt.visit(s, new Stmt.Visitor<Stmt>() {
            public Stmt op(Stmt.Op op) {
                Stmt.Epilogue e = op.epilogue() == null ? null : new Stmt.Epilogue(value(op.epilogue().out(), to), op.epilogue().expr(),
                        values(op.epilogue().args(), to), op.epilogue().accumulate(), op.epilogue().note());
                return new Stmt.Op(value(op.out(), to), op.prim(), values(op.args(), to), op.attributes(), op.accumulate(), op.pos(), op.note(), e);
            }

            public Stmt map(Stmt.Map m) {
                return new Stmt.Map(value(m.out(), to), m.expr(), values(m.args(), to), m.domain(), m.accumulate(), m.pos(), m.note());
            }

            public Stmt assign(Stmt.Assign a) {
                return new Stmt.Assign(value(a.var(), to), value(a.source(), to), a.pos());
            }

            public Stmt zero(Stmt.Zero z) {
                return new Stmt.Zero(value(z.target(), to), z.pos());
            }

            public Stmt loop(Stmt.Loop l) {
                List<Stmt> body = new ArrayList<>();
                for (Stmt b : l.body()) {
                    body.add(stmt(b, to));
                }
                return new Stmt.Loop(l.loop(), body, l.reversed(), l.pos());
            }
        });
    }

    private static List<Value> values(List<Value> vs, Map<Value, Value> to) {
        List<Value> out = new ArrayList<>();
        for (Value v : vs) {
            out.add(value(v, to));
        }
        return out;
    }

    public static Value value(Value v, Map<Value, Value> to) {
        if (v.kind() == Value.Kind.VIEW) {
            Value root = to.get(v.root());
            return root == null ? v : Value.view(v.id(), root, v.viewOffset(), v.shape());
        }
        return to.getOrDefault(v, v);
    }
}
