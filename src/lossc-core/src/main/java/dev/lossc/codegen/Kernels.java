package dev.lossc.codegen;

import com.palantir.javapoet.CodeBlock;
import dev.lossc.ad.Rule;
import dev.lossc.ir.Prim;
import dev.lossc.ir.Shape;
import dev.lossc.ir.Stmt;
import dev.lossc.ir.Value;
import java.util.function.Function;

/**
 * The Java code of every primitive: one forward emitter each, and the structured adjoint kernels
 * the derivative table names. Elementwise ops share one loop emitter that handles broadcasting
 * (a scalar operand is read once, a vector operand of a matrix op is read by column).
 * Kernel-local names ({@code i}, {@code j}, {@code p}, {@code r}, {@code acc}, {@code g}, …) are
 * reserved, so they never clash with the model's names.
 */
final class Kernels {
    static final String[] LOCALS = {"i", "j", "p", "r", "acc", "acc0", "acc1", "acc2", "acc3", "g", "mx", "shift", "e", "lse", "a"};

    /** Rows computed together by {@link #rowDots}: independent sums the CPU can overlap. */
    private static final int DOT_ROWS = 4;

    /**
     * {@code store(row, sum)} for every row {@code i < rows}, where {@code sum} is
     * {@code Σ_j left(i, j) * right(j)} accumulated in {@code j} order. Four rows share each load of
     * {@code right(j)} and run four independent sums (a single sum is one long chain of dependent
     * additions); every row's sum is still the same sequence of additions, so results are unchanged.
     */
    private static void rowDots(CodeBlock.Builder c, int rows, int cols,
                                java.util.function.BiFunction<String, String, String> left,
                                Function<String, String> right,
                                java.util.function.BiConsumer<String, String> store) {
        int blocked = rows - rows % DOT_ROWS;
        if (blocked > 0) {
            c.beginControlFlow("for (int i = 0; i < $L; i += $L)", blocked, DOT_ROWS)
                    .addStatement("double acc0 = 0.0")
                    .addStatement("double acc1 = 0.0")
                    .addStatement("double acc2 = 0.0")
                    .addStatement("double acc3 = 0.0")
                    .beginControlFlow("for (int j = 0; j < $L; j++)", cols)
                    .addStatement("double a = $L", right.apply("j"));
            for (int r = 0; r < DOT_ROWS; r++) {
                c.addStatement("acc$L += $L * a", r, left.apply(r == 0 ? "i" : "i + " + r, "j"));
            }
            c.endControlFlow();
            for (int r = 0; r < DOT_ROWS; r++) {
                store.accept(r == 0 ? "i" : "i + " + r, "acc" + r);
            }
            c.endControlFlow();
        }
        if (blocked < rows) {
            c.beginControlFlow("for (int i = $L; i < $L; i++)", blocked, rows)
                    .addStatement("double acc = 0.0")
                    .beginControlFlow("for (int j = 0; j < $L; j++)", cols)
                    .addStatement("acc += $L * $L", left.apply("i", "j"), right.apply("j"))
                    .endControlFlow();
            store.accept("i", "acc");
            c.endControlFlow();
        }
    }

    private final Layout layout;

    Kernels(Layout layout) {
        this.layout = layout;
    }

    /** Puts code that declares locals at its top level in a block of its own, so kernels can follow each other. */
    static CodeBlock scoped(CodeBlock code) {
        boolean declares = false;
        for (String line : code.toString().split("\n")) {
            declares |= line.startsWith("double ");
        }
        if (!declares) {
            return code;
        }
        return CodeBlock.builder().add("{\n").indent().add(code).unindent().add("}\n").build();
    }

    /** An element accessor: index expression → Java expression of the element. */
    private Function<String, String> val(Value v) {
        return idx -> layout.at(v, false, idx);
    }

    private Function<String, String> adj(Value v) {
        return idx -> layout.at(v, true, idx);
    }

    // ------------------------------------------------------------------ forward

    CodeBlock forward(Stmt.Op op) {
        return scoped(forwardCode(op));
    }

    private CodeBlock forwardCode(Stmt.Op op) {
        if (op.prim().isElementwise()) {
            return elementwise(op, null, -1, false);
        }
        Value y = op.out();
        Value x = op.args().get(0);
        Function<String, String> Y = val(y);
        Function<String, String> X = val(x);
        CodeBlock.Builder c = CodeBlock.builder();
        Shape xs = x.shape();
        switch (op.prim()) {
            case MATVEC -> {
                int m = xs.rows();
                int n = xs.cols();
                Function<String, String> v = val(op.args().get(1));
                rowDots(c, m, n, (i, j) -> X.apply(Layout.add(Layout.mul(i, n), j)), v,
                        (i, acc) -> c.addStatement("$L = $L", Y.apply(i), acc));
            }
            case VECMAT -> {
                Shape as = op.args().get(1).shape();
                int n = as.rows();
                int k = as.cols();
                Function<String, String> A = val(op.args().get(1));
                c.beginControlFlow("for (int j = 0; j < $L; j++)", k)
                        .addStatement("$L = 0.0", Y.apply("j"))
                        .endControlFlow()
                        .beginControlFlow("for (int i = 0; i < $L; i++)", n)
                        .addStatement("double a = $L", X.apply("i"))
                        .beginControlFlow("for (int j = 0; j < $L; j++)", k)
                        .addStatement("$L += a * $L", Y.apply("j"), A.apply(Layout.add(Layout.mul("i", k), "j")))
                        .endControlFlow()
                        .endControlFlow();
            }
            case MATMUL -> {
                // p-outer order: each row of B is read once and stays in cache while every row of C
                // takes its share; the inner loop is an axpy. Each C[i, j] still sums over p in order.
                int m = xs.rows();
                int n = xs.cols();
                int k = op.args().get(1).shape().cols();
                Function<String, String> B = val(op.args().get(1));
                c.beginControlFlow("for (int i = 0; i < $L; i++)", m * k)
                        .addStatement("$L = 0.0", Y.apply("i"))
                        .endControlFlow()
                        .beginControlFlow("for (int p = 0; p < $L; p++)", n)
                        .beginControlFlow("for (int i = 0; i < $L; i++)", m)
                        .addStatement("double a = $L", X.apply(Layout.add(Layout.mul("i", n), "p")))
                        .beginControlFlow("for (int j = 0; j < $L; j++)", k)
                        .addStatement("$L += a * $L", Y.apply(Layout.add(Layout.mul("i", k), "j")), B.apply(Layout.add(Layout.mul("p", k), "j")))
                        .endControlFlow()
                        .endControlFlow()
                        .endControlFlow();
            }
            case DOT -> {
                Function<String, String> b = val(op.args().get(1));
                c.addStatement("double acc = 0.0")
                        .beginControlFlow("for (int i = 0; i < $L; i++)", xs.cols())
                        .addStatement("acc += $L * $L", X.apply("i"), b.apply("i"))
                        .endControlFlow()
                        .addStatement("$L = acc", Y.apply("0"));
            }
            case OUTER -> {
                int m = xs.cols();
                int n = op.args().get(1).shape().cols();
                Function<String, String> b = val(op.args().get(1));
                c.beginControlFlow("for (int i = 0; i < $L; i++)", m)
                        .addStatement("double a = $L", X.apply("i"))
                        .beginControlFlow("for (int j = 0; j < $L; j++)", n)
                        .addStatement("$L = a * $L", Y.apply(Layout.add(Layout.mul("i", n), "j")), b.apply("j"))
                        .endControlFlow()
                        .endControlFlow();
            }
            case TRANSPOSE -> {
                int m = xs.rows();
                int n = xs.cols();
                c.beginControlFlow("for (int i = 0; i < $L; i++)", m)
                        .beginControlFlow("for (int j = 0; j < $L; j++)", n)
                        .addStatement("$L = $L", Y.apply(Layout.add(Layout.mul("j", m), "i")), X.apply(Layout.add(Layout.mul("i", n), "j")))
                        .endControlFlow()
                        .endControlFlow();
            }
            case SUM -> {
                c.addStatement("double acc = 0.0");
                if (xs.size() == 1) {
                    c.addStatement("acc += $L", X.apply("0"));
                } else {
                    c.beginControlFlow("for (int i = 0; i < $L; i++)", xs.size())
                            .addStatement("acc += $L", X.apply("i"))
                            .endControlFlow();
                }
                c.addStatement("$L = acc", Y.apply("0"));
            }
            case SUM_AXIS0 -> {
                int m = xs.rows();
                int n = xs.cols();
                c.beginControlFlow("for (int j = 0; j < $L; j++)", n)
                        .addStatement("$L = 0.0", Y.apply("j"))
                        .endControlFlow()
                        .beginControlFlow("for (int i = 0; i < $L; i++)", m)
                        .beginControlFlow("for (int j = 0; j < $L; j++)", n)
                        .addStatement("$L += $L", Y.apply("j"), X.apply(Layout.add(Layout.mul("i", n), "j")))
                        .endControlFlow()
                        .endControlFlow();
            }
            case SUM_AXIS1 -> {
                int m = xs.rows();
                int n = xs.cols();
                c.beginControlFlow("for (int i = 0; i < $L; i++)", m)
                        .addStatement("double acc = 0.0")
                        .beginControlFlow("for (int j = 0; j < $L; j++)", n)
                        .addStatement("acc += $L", X.apply(Layout.add(Layout.mul("i", n), "j")))
                        .endControlFlow()
                        .addStatement("$L = acc", Y.apply("i"))
                        .endControlFlow();
            }
            case SOFTMAX, LOG_SOFTMAX, LOGSUMEXP -> rows(c, xs, (row, e) -> {
                int n = xs.cols();
                c.addStatement("double mx = Double.NEGATIVE_INFINITY")
                        .beginControlFlow("for (int j = 0; j < $L; j++)", n)
                        .addStatement("mx = Math.max(mx, $L)", X.apply(e))
                        .endControlFlow()
                        .addStatement("double shift = Double.isInfinite(mx) ? 0.0 : mx")
                        .addStatement("double acc = 0.0");
                if (op.prim() == Prim.SOFTMAX) {
                    c.beginControlFlow("for (int j = 0; j < $L; j++)", n)
                            .addStatement("double e = Math.exp($L - shift)", X.apply(e))
                            .addStatement("$L = e", Y.apply(e))
                            .addStatement("acc += e")
                            .endControlFlow()
                            .beginControlFlow("for (int j = 0; j < $L; j++)", n)
                            .addStatement("$L /= acc", Y.apply(e))
                            .endControlFlow();
                } else {
                    c.beginControlFlow("for (int j = 0; j < $L; j++)", n)
                            .addStatement("acc += Math.exp($L - shift)", X.apply(e))
                            .endControlFlow()
                            .addStatement("double lse = shift + Math.log(acc)");
                    if (op.prim() == Prim.LOG_SOFTMAX) {
                        c.beginControlFlow("for (int j = 0; j < $L; j++)", n)
                                .addStatement("$L = $L - lse", Y.apply(e), X.apply(e))
                                .endControlFlow();
                    } else {
                        c.addStatement("$L = lse", Y.apply(row));
                    }
                }
            });
            default -> throw new IllegalStateException("no forward emitter for " + op.prim());
        }
        return c.build();
    }

    private interface RowBody {
        void emit(String row, String element);
    }

    /** Runs {@code body} once per row ({@code r}), or once with row 0 for a vector. */
    private static void rows(CodeBlock.Builder c, Shape s, RowBody body) {
        int n = s.cols();
        if (s.rows() == 1) {
            body.emit("0", "j");
        } else {
            c.beginControlFlow("for (int r = 0; r < $L; r++)", s.rows());
            body.emit("r", Layout.add(Layout.mul("r", n), "j"));
            c.endControlFlow();
        }
    }

    // ------------------------------------------------------------------ elementwise

    private static String forwardTemplate(Prim prim, double k) {
        return switch (prim) {
            case NEG -> "-{x}";
            case ADD -> "{a} + {b}";
            case SUB -> "{a} - {b}";
            case MUL -> "{a} * {b}";
            case DIV -> "{a} / {b}";
            case POW -> k == 2 ? "{x} * {x}" : k == 1 ? "{x}" : k == 3 ? "{x} * {x} * {x}" : k == -1 ? "1.0 / {x}"
                    : k == 0.5 ? "Math.sqrt({x})" : "Math.pow({x}, {k})";
            case SIGMOID -> "sigmoid({x})";
            case TANH -> "Math.tanh({x})";
            case RELU -> "Math.max({x}, 0.0)";
            case SOFTPLUS -> "softplus({x})";
            case EXP -> "Math.exp({x})";
            case LOG -> "Math.log({x})";
            case SQRT -> "Math.sqrt({x})";
            case ABS -> "Math.abs({x})";
            case LEAKY_RELU -> "{x} > 0.0 ? {x} : {k} * {x}";
            case MAX -> "Math.max({a}, {b})";
            case MIN -> "Math.min({a}, {b})";
            case COPY -> "{x}";
            default -> throw new IllegalStateException(prim + " is not elementwise");
        };
    }

    /**
     * One elementwise loop. With {@code rule == null} it computes the op; otherwise it accumulates
     * operand {@code operand}'s adjoint by the rule's template.
     */
    private CodeBlock elementwise(Stmt.Op op, Rule.Elementwise rule, int operand, boolean overwrite) {
        Value y = op.out();
        Shape s = y.shape();
        boolean rowBroadcast = false;
        for (Value a : op.args()) {
            rowBroadcast |= s.isMatrix() && a.shape().isVector();
        }
        String flat;
        String col;
        CodeBlock.Builder c = CodeBlock.builder();
        int loops;
        if (rowBroadcast) {
            flat = Layout.add(Layout.mul("i", s.cols()), "j");
            col = "j";
            loops = 2;
        } else if (s.size() == 1) {
            flat = "0";
            col = "0";
            loops = 0;
        } else {
            flat = "i";
            col = "i";
            loops = 1;
        }
        String[] idx = new String[op.args().size()];
        for (int k = 0; k < idx.length; k++) {
            Shape as = op.args().get(k).shape();
            idx[k] = as.isScalar() ? "0" : as.equals(s) ? flat : col;
        }
        String template = rule == null ? forwardTemplate(op.prim(), op.attribute()) : rule.template();
        String expr = substitute(template, op, idx, flat);
        boolean reduceToScalar = rule != null && op.args().get(operand).shape().isScalar() && loops > 0;
        String statement;
        if (rule == null) {
            statement = layout.at(y, false, flat) + " = " + expr;
        } else if (reduceToScalar) {
            statement = "acc += " + expr;
        } else {
            statement = layout.at(op.args().get(operand), true, idx[operand]) + (overwrite ? " = " : " += ") + expr;
        }
        if (reduceToScalar) {
            c.addStatement("double acc = 0.0");
        }
        if (loops == 2) {
            c.beginControlFlow("for (int i = 0; i < $L; i++)", s.rows()).beginControlFlow("for (int j = 0; j < $L; j++)", s.cols());
        } else if (loops == 1) {
            c.beginControlFlow("for (int i = 0; i < $L; i++)", s.size());
        }
        c.addStatement("$L", statement);
        for (int l = 0; l < loops; l++) {
            c.endControlFlow();
        }
        if (reduceToScalar) {
            c.addStatement("$L $L acc", layout.at(op.args().get(operand), true, "0"), overwrite ? "=" : "+=");
        }
        return c.build();
    }

    private String substitute(String template, Stmt.Op op, String[] idx, String flat) {
        String out = template;
        if (out.contains("{dy}")) {
            out = out.replace("{dy}", layout.at(op.out(), true, flat));
        }
        if (out.contains("{y}")) {
            out = out.replace("{y}", layout.at(op.out(), false, flat));
        }
        if (out.contains("{x}") || out.contains("{a}")) {
            String x0 = layout.at(op.args().get(0), false, idx[0]);
            out = out.replace("{x}", x0).replace("{a}", x0);
        }
        if (out.contains("{b}")) {
            out = out.replace("{b}", layout.at(op.args().get(1), false, idx[1]));
        }
        return out.replace("{k1}", Layout.literal(op.attribute() - 1)).replace("{k}", Layout.literal(op.attribute()));
    }

    // ------------------------------------------------------------------ adjoints

    /** Operand {@code operand}'s adjoint contribution; {@code overwrite}: the first write, so assign. */
    CodeBlock adjoint(Stmt.Op op, int operand, Rule rule, boolean overwrite) {
        return scoped(adjointCode(op, operand, rule, overwrite));
    }

    private CodeBlock adjointCode(Stmt.Op op, int operand, Rule rule, boolean overwrite) {
        String w = overwrite ? "=" : "+=";
        if (rule instanceof Rule.Elementwise e) {
            return elementwise(op, e, operand, overwrite);
        }
        String kernel = ((Rule.Kernel) rule).kernel();
        Value y = op.out();
        Value x = op.args().get(0);
        Shape xs = x.shape();
        Function<String, String> X = val(x);
        Function<String, String> Y = val(y);
        Function<String, String> dY = adj(y);
        Function<String, String> dX = adj(op.args().get(operand));
        Function<String, String> B = op.args().size() > 1 ? val(op.args().get(1)) : null;
        CodeBlock.Builder c = CodeBlock.builder();
        switch (kernel) {
            case "matvec.dA" -> {
                int m = xs.rows();
                int n = xs.cols();
                c.beginControlFlow("for (int i = 0; i < $L; i++)", m)
                        .addStatement("double g = $L", dY.apply("i"))
                        .beginControlFlow("for (int j = 0; j < $L; j++)", n)
                        .addStatement("$L " + w + " g * $L", dX.apply(Layout.add(Layout.mul("i", n), "j")), B.apply("j"))
                        .endControlFlow()
                        .endControlFlow();
            }
            case "matvec.dx" -> {
                int m = xs.rows();
                int n = xs.cols();
                c.beginControlFlow("for (int i = 0; i < $L; i++)", m)
                        .addStatement("double g = $L", dY.apply("i"))
                        .beginControlFlow("for (int j = 0; j < $L; j++)", n)
                        .addStatement("$L " + w + " $L * g", dX.apply("j"), X.apply(Layout.add(Layout.mul("i", n), "j")))
                        .endControlFlow()
                        .endControlFlow();
            }
            case "vecmat.dx" -> {
                Shape as = op.args().get(1).shape();
                int n = as.rows();
                int k = as.cols();
                rowDots(c, n, k, (i, j) -> B.apply(Layout.add(Layout.mul(i, k), j)), dY,
                        (i, acc) -> c.addStatement("$L " + w + " $L", dX.apply(i), acc));
            }
            case "vecmat.dA" -> {
                Shape as = op.args().get(1).shape();
                int n = as.rows();
                int k = as.cols();
                c.beginControlFlow("for (int i = 0; i < $L; i++)", n)
                        .addStatement("double a = $L", X.apply("i"))
                        .beginControlFlow("for (int j = 0; j < $L; j++)", k)
                        .addStatement("$L " + w + " a * $L", dX.apply(Layout.add(Layout.mul("i", k), "j")), dY.apply("j"))
                        .endControlFlow()
                        .endControlFlow();
            }
            case "matmul.dA" -> {
                int m = xs.rows();
                int n = xs.cols();
                int k = op.args().get(1).shape().cols();
                c.beginControlFlow("for (int p = 0; p < $L; p++)", n);
                rowDots(c, m, k, (i, j) -> dY.apply(Layout.add(Layout.mul(i, k), j)), j -> B.apply(Layout.add(Layout.mul("p", k), j)),
                        (i, acc) -> c.addStatement("$L " + w + " $L", dX.apply(Layout.add(Layout.mul(i, n), "p")), acc));
                c.endControlFlow();
            }
            case "matmul.dB" -> {
                int m = xs.rows();
                int n = xs.cols();
                int k = op.args().get(1).shape().cols();
                c.beginControlFlow("for (int p = 0; p < $L; p++)", n)
                        .beginControlFlow("for (int i = 0; i < $L; i++)", m)
                        .addStatement("double a = $L", X.apply(Layout.add(Layout.mul("i", n), "p")))
                        .beginControlFlow("for (int j = 0; j < $L; j++)", k)
                        .addStatement("$L " + w + " a * $L", dX.apply(Layout.add(Layout.mul("p", k), "j")), dY.apply(Layout.add(Layout.mul("i", k), "j")))
                        .endControlFlow()
                        .endControlFlow()
                        .endControlFlow();
            }
            case "dot.da", "dot.db" -> {
                Function<String, String> other = val(op.args().get(1 - operand));
                c.addStatement("double g = $L", dY.apply("0"))
                        .beginControlFlow("for (int i = 0; i < $L; i++)", xs.cols())
                        .addStatement("$L " + w + " g * $L", dX.apply("i"), other.apply("i"))
                        .endControlFlow();
            }
            case "outer.da" -> {
                int m = xs.cols();
                int n = op.args().get(1).shape().cols();
                rowDots(c, m, n, (i, j) -> dY.apply(Layout.add(Layout.mul(i, n), j)), B,
                        (i, acc) -> c.addStatement("$L " + w + " $L", dX.apply(i), acc));
            }
            case "outer.db" -> {
                int m = xs.cols();
                int n = op.args().get(1).shape().cols();
                c.beginControlFlow("for (int i = 0; i < $L; i++)", m)
                        .addStatement("double a = $L", X.apply("i"))
                        .beginControlFlow("for (int j = 0; j < $L; j++)", n)
                        .addStatement("$L " + w + " $L * a", dX.apply("j"), dY.apply(Layout.add(Layout.mul("i", n), "j")))
                        .endControlFlow()
                        .endControlFlow();
            }
            case "transpose.dx" -> {
                int m = xs.rows();
                int n = xs.cols();
                c.beginControlFlow("for (int i = 0; i < $L; i++)", m)
                        .beginControlFlow("for (int j = 0; j < $L; j++)", n)
                        .addStatement("$L " + w + " $L", dX.apply(Layout.add(Layout.mul("i", n), "j")), dY.apply(Layout.add(Layout.mul("j", m), "i")))
                        .endControlFlow()
                        .endControlFlow();
            }
            case "sum.dx" -> {
                c.addStatement("double g = $L", dY.apply("0"));
                if (xs.size() == 1) {
                    c.addStatement("$L " + w + " g", dX.apply("0"));
                } else {
                    c.beginControlFlow("for (int i = 0; i < $L; i++)", xs.size())
                            .addStatement("$L " + w + " g", dX.apply("i"))
                            .endControlFlow();
                }
            }
            case "sum0.dx", "sum1.dx" -> {
                int m = xs.rows();
                int n = xs.cols();
                boolean axis0 = kernel.equals("sum0.dx");
                c.beginControlFlow("for (int i = 0; i < $L; i++)", m);
                if (!axis0) {
                    c.addStatement("double g = $L", dY.apply("i"));
                }
                c.beginControlFlow("for (int j = 0; j < $L; j++)", n)
                        .addStatement("$L " + w + " $L", dX.apply(Layout.add(Layout.mul("i", n), "j")), axis0 ? dY.apply("j") : "g")
                        .endControlFlow()
                        .endControlFlow();
            }
            case "softmax.dx", "log_softmax.dx", "logsumexp.dx" -> rows(c, xs, (row, e) -> {
                int n = xs.cols();
                switch (kernel) {
                    case "softmax.dx" -> c.addStatement("double acc = 0.0")
                            .beginControlFlow("for (int j = 0; j < $L; j++)", n)
                            .addStatement("acc += $L * $L", dY.apply(e), Y.apply(e))
                            .endControlFlow()
                            .beginControlFlow("for (int j = 0; j < $L; j++)", n)
                            .addStatement("$L " + w + " $L * ($L - acc)", dX.apply(e), Y.apply(e), dY.apply(e))
                            .endControlFlow();
                    case "log_softmax.dx" -> c.addStatement("double acc = 0.0")
                            .beginControlFlow("for (int j = 0; j < $L; j++)", n)
                            .addStatement("acc += $L", dY.apply(e))
                            .endControlFlow()
                            .beginControlFlow("for (int j = 0; j < $L; j++)", n)
                            .addStatement("$L " + w + " $L - Math.exp($L) * acc", dX.apply(e), dY.apply(e), Y.apply(e))
                            .endControlFlow();
                    default -> c.addStatement("double g = $L", dY.apply(row))
                            .addStatement("double lse = $L", Y.apply(row))
                            .beginControlFlow("for (int j = 0; j < $L; j++)", n)
                            .addStatement("$L " + w + " g * Math.exp($L - lse)", dX.apply(e), X.apply(e))
                            .endControlFlow();
                }
            });
            default -> throw new IllegalStateException("no adjoint kernel " + kernel);
        }
        return c.build();
    }

    // ------------------------------------------------------------------ vars

    CodeBlock assign(Stmt.Assign a) {
        Value var = a.var();
        int n = var.shape().size();
        CodeBlock.Builder c = CodeBlock.builder();
        if (n == 1) {
            return c.addStatement("$L = $L", layout.at(var, false, "0"), layout.at(a.source(), false, "0")).build();
        }
        boolean scalarSource = a.source().shape().isScalar();
        return c.beginControlFlow("for (int i = 0; i < $L; i++)", n)
                .addStatement("$L = $L", layout.at(var, false, "i"), layout.at(a.source(), false, scalarSource ? "0" : "i"))
                .endControlFlow()
                .build();
    }

    CodeBlock unassign(Stmt.Assign a, boolean sourceActive, boolean overwrite) {
        Value var = a.var();
        int n = var.shape().size();
        CodeBlock.Builder c = CodeBlock.builder();
        String i = n == 1 ? "0" : "i";
        if (n > 1) {
            c.beginControlFlow("for (int i = 0; i < $L; i++)", n);
        }
        if (sourceActive) {
            c.addStatement("$L $L $L", layout.at(a.source(), true, i), overwrite ? "=" : "+=", layout.at(var, true, i));
        }
        c.addStatement("$L = 0.0", layout.at(var, true, i));
        if (n > 1) {
            c.endControlFlow();
        }
        return c.build();
    }
}
