package dev.lossc.ad;

import dev.lossc.ir.Prim;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The derivative table: one entry per primitive and operand, and the only place in the compiler
 * that knows a derivative. Corner cases follow PyTorch (docs/language.md section 6): relu'(0) = 0,
 * abs'(0) = 0, leaky_relu'(0) = alpha, ties of max/min split the adjoint in half.
 */
public final class Rules {
    private static final Map<Prim, List<Rule>> TABLE = new EnumMap<>(Prim.class);

    private static void elementwise(Prim p, String... templatesAndMath) {
        Rule[] rules = new Rule[templatesAndMath.length / 2];
        for (int i = 0; i < rules.length; i++) {
            rules[i] = new Rule.Elementwise(templatesAndMath[2 * i], templatesAndMath[2 * i + 1]);
        }
        TABLE.put(p, List.of(rules));
    }

    /**
     * Kernel rules, four strings per operand: name; math; whether each adjoint element is written
     * once ("once") or accumulated ("acc"); the forward values it reads ("0", "1": operands, "y": result).
     */
    private static void kernel(Prim p, String... rulesInFours) {
        Rule[] rules = new Rule[rulesInFours.length / 4];
        for (int i = 0; i < rules.length; i++) {
            rules[i] = new Rule.Kernel(rulesInFours[4 * i], rulesInFours[4 * i + 1], rulesInFours[4 * i + 2].equals("once"), rulesInFours[4 * i + 3]);
        }
        TABLE.put(p, List.of(rules));
    }

    static {
        elementwise(Prim.NEG, "-{dy}", "dx -= dy");
        elementwise(Prim.ADD, "{dy}", "da += dy", "{dy}", "db += dy");
        elementwise(Prim.SUB, "{dy}", "da += dy", "-{dy}", "db -= dy");
        elementwise(Prim.MUL, "{dy} * {b}", "da += dy * b", "{dy} * {a}", "db += dy * a");
        elementwise(Prim.DIV, "{dy} / {b}", "da += dy / b", "-{dy} * {y} / {b}", "db -= dy * y / b");
        elementwise(Prim.POW, "{dy} * {k} * Math.pow({x}, {k1})", "dx += dy * p * x^(p-1)");
        elementwise(Prim.SIGMOID, "{dy} * {y} * (1.0 - {y})", "dx += dy * y * (1 - y)");
        elementwise(Prim.TANH, "{dy} * (1.0 - {y} * {y})", "dx += dy * (1 - y^2)");
        elementwise(Prim.RELU, "{x} > 0.0 ? {dy} : 0.0", "dx += x > 0 ? dy : 0");
        elementwise(Prim.SOFTPLUS, "{dy} * sigmoid({x})", "dx += dy * sigmoid(x)");
        elementwise(Prim.EXP, "{dy} * {y}", "dx += dy * y");
        elementwise(Prim.LOG, "{dy} / {x}", "dx += dy / x");
        elementwise(Prim.SQRT, "{dy} * 0.5 / {y}", "dx += dy / (2 * y)");
        elementwise(Prim.ABS, "{x} > 0.0 ? {dy} : {x} < 0.0 ? -{dy} : 0.0", "dx += dy * sign(x)");
        elementwise(Prim.LEAKY_RELU, "{x} > 0.0 ? {dy} : {k} * {dy}", "dx += x > 0 ? dy : alpha * dy");
        elementwise(Prim.MAX,
                "{a} > {b} ? {dy} : {a} == {b} ? 0.5 * {dy} : 0.0", "da += a > b ? dy : a == b ? dy / 2 : 0",
                "{b} > {a} ? {dy} : {a} == {b} ? 0.5 * {dy} : 0.0", "db += b > a ? dy : a == b ? dy / 2 : 0");
        elementwise(Prim.MIN,
                "{a} < {b} ? {dy} : {a} == {b} ? 0.5 * {dy} : 0.0", "da += a < b ? dy : a == b ? dy / 2 : 0",
                "{b} < {a} ? {dy} : {a} == {b} ? 0.5 * {dy} : 0.0", "db += b < a ? dy : a == b ? dy / 2 : 0");
        elementwise(Prim.COPY, "{dy}", "dx += dy");
        kernel(Prim.MATVEC, "matvec.dA", "dA += outer(dy, x)", "once", "1", "matvec.dx", "dx += transpose(A) @ dy", "acc", "0");
        kernel(Prim.VECMAT, "vecmat.dx", "dx += A @ dy", "once", "1", "vecmat.dA", "dA += outer(x, dy)", "once", "0");
        kernel(Prim.MATMUL, "matmul.dA", "dA += dC @ transpose(B)", "once", "1", "matmul.dB", "dB += transpose(A) @ dC", "acc", "0");
        kernel(Prim.DOT, "dot.da", "da += dy * b", "once", "1", "dot.db", "db += dy * a", "once", "0");
        kernel(Prim.OUTER, "outer.da", "da += dC @ b", "once", "1", "outer.db", "db += a @ dC", "acc", "0");
        kernel(Prim.TRANSPOSE, "transpose.dx", "dA += transpose(dB)", "once", "");
        kernel(Prim.SUM, "sum.dx", "dx += dy (every element)", "once", "");
        kernel(Prim.SUM_AXIS0, "sum0.dx", "dX[i, j] += dy[j]", "once", "");
        kernel(Prim.SUM_AXIS1, "sum1.dx", "dX[i, j] += dy[i]", "once", "");
        kernel(Prim.SOFTMAX, "softmax.dx", "dx += y * (dy - sum(dy * y)) (per row)", "once", "y");
        kernel(Prim.LOG_SOFTMAX, "log_softmax.dx", "dx += dy - exp(y) * sum(dy) (per row)", "once", "y");
        kernel(Prim.LOGSUMEXP, "logsumexp.dx", "dx += dy * exp(x - y) (per row)", "once", "0y");
        for (Prim p : Prim.values()) {
            if (!TABLE.containsKey(p) || TABLE.get(p).size() != p.arity()) {
                throw new ExceptionInInitializerError("derivative table is missing a rule for " + p);
            }
        }
    }

    private Rules() {}

    public static Rule of(Prim prim, int operand) {
        return TABLE.get(prim).get(operand);
    }

    /** The rule with a constant attribute folded in where that makes it simpler (x^2, x^1, x^0). */
    public static Rule of(Prim prim, int operand, double attribute) {
        if (prim == Prim.POW) {
            if (attribute == 2) {
                return new Rule.Elementwise("{dy} * 2.0 * {x}", "dx += dy * 2 * x");
            }
            if (attribute == 1) {
                return new Rule.Elementwise("{dy}", "dx += dy");
            }
            if (attribute == 0) {
                return new Rule.Elementwise("0.0", "dx += 0");
            }
        }
        return of(prim, operand);
    }
}
