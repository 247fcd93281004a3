package dev.lossc.check;

import dev.lossc.ast.Expr;
import dev.lossc.ast.Exprs;
import dev.lossc.diag.DiagnosticKind;
import dev.lossc.diag.Pos;
import dev.lossc.prim.Attributes;
import dev.lossc.prim.Prim;
import dev.lossc.prim.Signatures;
import dev.lossc.types.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * Expressions: constants, names, the operators ({@code + - * /}, comparisons and {@code ^} as
 * their primitives with NumPy broadcasting; {@code @} as the product its operands' shapes pick),
 * then indexing ({@link Indexing}) and calls ({@link Calls}).
 */
final class Expressions {
    private final Session session;

    Expressions(Session session) {
        this.session = session;
    }

    Typed.Expr expr(Expr e, Ctx ctx) {
        if (e instanceof Expr.Num n) {
            return new Typed.Const(n.value(), n.pos());
        } else if (e instanceof Expr.Name n) {
            return name(n, ctx);
        } else if (e instanceof Expr.Neg n) {
            Typed.Expr a = expr(n.operand(), ctx);
            return a == null ? null : session.apply(Prim.NEG, List.of(a), Attributes.NONE, a.shape(), n.pos(), ctx);
        } else if (e instanceof Expr.Binary b) {
            return binary(b, ctx);
        } else if (e instanceof Expr.Pow p) {
            Typed.Expr base = expr(p.base(), ctx);
            Typed.Expr exponent = expr(p.exponent(), ctx);
            if (exponent != null && !(exponent instanceof Typed.Const)) {
                session.reporter.error(Exprs.start(p.exponent()), DiagnosticKind.NOT_CONSTANT, "the exponent of '^'");
                return null;
            }
            if (base == null || exponent == null) {
                return null;
            }
            return session.apply(Prim.POW, List.of(base), Attributes.reals(((Typed.Const) exponent).value()), base.shape(), p.pos(), ctx);
        } else if (e instanceof Expr.Index i) {
            return session.indexing.index(i, ctx);
        } else if (e instanceof Expr.Range r) {
            session.reporter.error(Exprs.start(r), DiagnosticKind.RANGE_NOT_INDEX);
            return null;
        } else if (e instanceof Expr.Call c) {
            return session.calls.call(c, ctx);
        } else if (e instanceof Expr.Tuple t) {
            session.reporter.error(t.pos(), DiagnosticKind.PAIR_NOT_A_VALUE);
            return null;
        }
        throw new IllegalStateException("no check for expression " + e.getClass().getSimpleName());
    }

    private Typed.Expr name(Expr.Name n, Ctx ctx) {
        String name = n.id().name();
        Symbol s = ctx.scope().lookup(name);
        if (s == null) {
            if (Names.isBuiltin(name)) {
                session.reporter.error(n.pos(), DiagnosticKind.FUNCTION_AS_VALUE, name);
            } else if (ctx.inDef() != null && name.equals(ctx.inDef().name())) {
                session.reporter.error(n.pos(), DiagnosticKind.RECURSIVE_CALL, name);
            } else {
                session.reporter.error(n.pos(), DiagnosticKind.UNKNOWN_NAME, name);
            }
            return null;
        }
        if (s instanceof Symbol.Dim d) {
            if (d.varying()) {
                session.reporter.error(n.pos(), DiagnosticKind.VARYING_DIM_USE, name, name, "a value");
                return null;
            }
            return new Typed.Const(d.value(), n.pos());
        } else if (s instanceof Symbol.Const c) {
            return new Typed.Const(c.value(), n.pos());
        } else if (s instanceof Symbol.Input in) {
            if (in.integer()) {
                session.reporter.error(n.pos(), DiagnosticKind.INT_AS_REAL, name, name);
                return null;
            }
            return new Typed.Ref(in, in.shape(), n.pos());
        } else if (s instanceof Symbol.Param p) {
            return new Typed.Ref(p, p.shape(), n.pos());
        } else if (s instanceof Symbol.State st) {
            session.reporter.error(n.pos(), DiagnosticKind.STATE_READ, name);
            return null;
        } else if (s instanceof Symbol.Let l) {
            return new Typed.Ref(l, l.shape(), n.pos());
        } else if (s instanceof Symbol.Var v) {
            return new Typed.Ref(v, v.shape(), n.pos());
        } else if (s instanceof Symbol.Loop l) {
            return new Typed.LoopIndex(l, n.pos());
        } else if (s instanceof Symbol.Def) {
            session.reporter.error(n.pos(), DiagnosticKind.FUNCTION_AS_VALUE, name);
        }
        return null;
    }

    private Typed.Expr binary(Expr.Binary b, Ctx ctx) {
        Typed.Expr l = expr(b.left(), ctx);
        Typed.Expr r = expr(b.right(), ctx);
        if (l == null || r == null) {
            return null;
        }
        if (b.op() == Expr.BinaryOp.MATMUL) {
            Shape a = l.shape();
            Shape c = r.shape();
            if (c.isTensor() && (a.isTensor() || a.isMatrix())) {
                // Version 3: batches of matrices, [B, H, T, E] @ [B, H, E, T] → [B, H, T, T], leading axes broadcast.
                return session.tensors.batchedProduct(l, r, b.pos(), ctx);
            }
            if (a.isTensor() && !c.isTensor() && !c.isScalar()) {
                // Version 3: a batch of matrices times one matrix (or vector), torch.matmul's broadcast: [B, T, D] @ [D, K] → [B, T, K].
                Shape.Axis last = a.axis(a.rank() - 1);
                List<Shape.Axis> lead = new ArrayList<>(a.axes().subList(0, a.rank() - 1));
                if (c.isMatrix() && last.equals(c.rowAxis())) {
                    lead.add(c.colAxis());
                    Shape s = session.checkedTensor(lead, "the result of '@'", b.pos());
                    return s == null ? null : session.apply(Prim.MATMUL, List.of(l, r), Attributes.NONE, s, b.pos(), ctx);
                }
                if (c.isVector() && last.equals(c.colAxis())) {
                    return session.apply(Prim.MATVEC, List.of(l, r), Attributes.NONE, Shape.of(lead), b.pos(), ctx);
                }
            }
            if (a.isMatrix() && c.isVector() && a.colAxis().equals(c.colAxis())) {
                return session.apply(Prim.MATVEC, List.of(l, r), Attributes.NONE, Shape.vector(a.rowAxis()), b.pos(), ctx);
            }
            if (a.isVector() && c.isMatrix() && a.colAxis().equals(c.rowAxis())) {
                return session.apply(Prim.VECMAT, List.of(l, r), Attributes.NONE, Shape.vector(c.colAxis()), b.pos(), ctx);
            }
            if (a.isMatrix() && c.isMatrix() && a.colAxis().equals(c.rowAxis())) {
                Shape s = session.checkedMatrix(a.rowAxis(), c.colAxis(), "the result of '@'", b.pos());
                return s == null ? null : session.apply(Prim.MATMUL, List.of(l, r), Attributes.NONE, s, b.pos(), ctx);
            }
            if (a.isVector() && c.isVector() && a.colAxis().equals(c.colAxis())) {
                return session.apply(Prim.DOT, List.of(l, r), Attributes.NONE, Shape.SCALAR, b.pos(), ctx);
            }
            session.reporter.error(b.pos(), DiagnosticKind.MATMUL_SHAPES, a, c);
            return null;
        }
        Prim f = switch (b.op()) {
            case ADD -> Prim.ADD;
            case SUB -> Prim.SUB;
            case MUL -> Prim.MUL;
            case DIV -> Prim.DIV;
            case LT -> Prim.LT;
            case LE -> Prim.LE;
            case GT -> Prim.GT;
            case GE -> Prim.GE;
            case EQ -> Prim.EQ;
            case NE -> Prim.NE;
            case MATMUL -> throw new IllegalStateException("'@' is handled above");
        };
        return broadcast(f, b.op().symbol, l, r, b.pos(), ctx);
    }

    private Typed.Expr broadcast(Prim f, String spelling, Typed.Expr l, Typed.Expr r, Pos pos, Ctx ctx) {
        Shape result = Signatures.broadcast(l.shape(), r.shape());
        if (result == null) {
            session.reporter.error(pos, DiagnosticKind.SHAPE_MISMATCH, spelling, l.shape(), r.shape());
            return null;
        }
        return session.apply(f, List.of(l, r), Attributes.NONE, result, pos, ctx);
    }
}
