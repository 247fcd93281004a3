package dev.lossc.prim;

import java.util.List;
import java.util.function.IntFunction;

/**
 * The directional derivative of a {@link Scalar} expression, symbolically: what forward mode
 * writes for a fused elementwise loop of the backward pass ({@code d_x += dy * (1 - y * y)} has
 * the tangent {@code t_d_x += t_dy * (1 - y * y) + dy * -(t_y * y + y * t_y)}). Comparisons are
 * locally constant, a select differentiates its chosen branch, and each {@link ScalarFn} has its
 * derivative here; {@code max} and {@code min} split a tie in half, as their primitives do.
 */
public final class ScalarTangent {
    private ScalarTangent() {}

    private static final Scalar ZERO = new Scalar.Num(0.0);

    /**
     * {@code Σ_i ∂e/∂In(i) · t(i)}, simplified; {@code tangent} gives the expression of input
     * {@code i}'s tangent, or null when it is zero. {@link Scalar.Num} 0 when nothing varies.
     */
    public static Scalar of(Scalar e, IntFunction<Scalar> tangent) {
        return Scalar.simplify(d(e, tangent));
    }

    /** True if {@code e} is the constant 0. */
    public static boolean isZero(Scalar e) {
        return e instanceof Scalar.Num n && n.value() == 0.0;
    }

    private static Scalar d(Scalar e, IntFunction<Scalar> t) {
        if (e instanceof Scalar.In in) {
            Scalar r = t.apply(in.index());
            return r == null ? ZERO : r;
        }
        if (e instanceof Scalar.Num || e instanceof Scalar.Cmp || e instanceof Scalar.Attribute) {
            return ZERO;
        }
        if (e instanceof Scalar.Neg n) {
            Scalar a = d(n.operand(), t);
            return isZero(a) ? ZERO : new Scalar.Neg(a);
        }
        if (e instanceof Scalar.Select s) {
            Scalar a = d(s.then(), t);
            Scalar b = d(s.otherwise(), t);
            return isZero(a) && isZero(b) ? ZERO : new Scalar.Select(s.cond(), a, b);
        }
        if (e instanceof Scalar.Bin b) {
            Scalar l = d(b.left(), t);
            Scalar r = d(b.right(), t);
            return switch (b.op()) {
                case '+' -> add(l, r);
                case '-' -> isZero(r) ? l : isZero(l) ? new Scalar.Neg(r) : new Scalar.Bin('-', l, r);
                case '*' -> add(mul(l, b.right()), mul(b.left(), r));
                // (l - (a / b) r) / b
                case '/' -> isZero(l) && isZero(r) ? ZERO
                        : new Scalar.Bin('/', isZero(r) ? l : new Scalar.Bin('-', l, mul(new Scalar.Bin('/', b.left(), b.right()), r)), b.right());
                default -> throw new IllegalStateException("operator " + b.op());
            };
        }
        if (e instanceof Scalar.Call c) {
            Scalar u = c.args().get(0);
            Scalar du = d(u, t);
            if (c.fn() == ScalarFn.MAX || c.fn() == ScalarFn.MIN) {
                Scalar dv = d(c.args().get(1), t);
                if (isZero(du) && isZero(dv)) {
                    return ZERO;
                }
                String wins = c.fn() == ScalarFn.MAX ? ">" : "<";
                Scalar v = c.args().get(1);
                return new Scalar.Select(new Scalar.Cmp(wins, u, v), du, new Scalar.Select(new Scalar.Cmp("==", u, v),
                        mul(new Scalar.Num(0.5), add(du, dv)), dv));
            }
            if (c.fn() == ScalarFn.POW) {
                Scalar p = c.args().get(1);
                Scalar dp = d(p, t);
                Scalar out = isZero(du) ? ZERO : mul(mul(p, call(ScalarFn.POW, u, new Scalar.Bin('-', p, new Scalar.Num(1.0)))), du);
                return isZero(dp) ? out : add(out, mul(mul(e, call(ScalarFn.LOG, u)), dp));
            }
            if (isZero(du)) {
                return ZERO;
            }
            Scalar local = switch (c.fn()) {
                case EXP -> e;
                case EXPM1 -> call(ScalarFn.EXP, u);
                case LOG -> new Scalar.Bin('/', new Scalar.Num(1.0), u);
                case LOG1P -> new Scalar.Bin('/', new Scalar.Num(1.0), new Scalar.Bin('+', new Scalar.Num(1.0), u));
                case TANH -> new Scalar.Bin('-', new Scalar.Num(1.0), new Scalar.Bin('*', e, e));
                case SQRT -> new Scalar.Bin('/', new Scalar.Num(0.5), e);
                case SIN -> call(ScalarFn.COS, u);
                case COS -> new Scalar.Neg(call(ScalarFn.SIN, u));
                case ABS -> new Scalar.Select(new Scalar.Cmp(">", u, ZERO), new Scalar.Num(1.0),
                        new Scalar.Select(new Scalar.Cmp("<", u, ZERO), new Scalar.Num(-1.0), ZERO));
                case SIGMOID -> new Scalar.Bin('*', e, new Scalar.Bin('-', new Scalar.Num(1.0), e));
                case SOFTPLUS -> call(ScalarFn.SIGMOID, u);
                // 2 / sqrt(pi) exp(-u²)
                case ERF -> new Scalar.Bin('*', new Scalar.Num(1.1283791670955126), call(ScalarFn.EXP, new Scalar.Neg(new Scalar.Bin('*', u, u))));
                case POW, MAX, MIN -> throw new IllegalStateException("handled above");
            };
            return mul(local, du);
        }
        throw new IllegalStateException("no tangent of " + e);
    }

    private static Scalar call(ScalarFn fn, Scalar... args) {
        return new Scalar.Call(fn, List.of(args));
    }

    private static Scalar add(Scalar a, Scalar b) {
        return isZero(a) ? b : isZero(b) ? a : new Scalar.Bin('+', a, b);
    }

    private static Scalar mul(Scalar a, Scalar b) {
        return isZero(a) || isZero(b) ? ZERO : new Scalar.Bin('*', a, b);
    }
}
