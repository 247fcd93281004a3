package dev.lossc.prim;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * A scalar expression over one element: the language the elementwise primitives are defined in
 * (their forward value and the derivative of each operand), and what a fused elementwise loop
 * computes. Rules are written as text in the target language's shape ({@code "dy * y * (1 - y)"})
 * and parsed once; the same tree is evaluated for constant folding and printed as Java, so a
 * primitive's meaning has one definition.
 *
 * <p>Variables: {@code x} (or {@code a}) is operand 0, {@code b} operand 1, {@code y} the result,
 * {@code dy} the result's adjoint, and a constant attribute by the name its primitive gives it
 * ({@code p}, {@code alpha}). In a fused loop, {@link In} reads input {@code i} of the loop at the
 * current element.
 */
public sealed interface Scalar {
    /** Operand {@code index} of the primitive (0 = {@code x}/{@code a}, 1 = {@code b}). */
    record Operand(int index) implements Scalar {}

    /** The primitive's result {@code y}. */
    record Result() implements Scalar {}

    /** The adjoint of the result, {@code dy}. */
    record ResultAdjoint() implements Scalar {}

    /** Constant attribute {@code index} of the primitive (an exponent, leaky_relu's alpha). */
    record Attribute(int index) implements Scalar {}

    /** Input {@code index} of a fused loop, at the current element. */
    record In(int index) implements Scalar {}

    record Num(double value) implements Scalar {}

    record Neg(Scalar operand) implements Scalar {}

    /** {@code + - * /}. */
    record Bin(char op, Scalar left, Scalar right) implements Scalar {}

    /** A comparison, 1.0 or 0.0: {@code < <= > >= == !=}. */
    record Cmp(String op, Scalar left, Scalar right) implements Scalar {}

    /** {@code cond ? then : otherwise}, where cond is non-zero. */
    record Select(Scalar cond, Scalar then, Scalar otherwise) implements Scalar {}

    record Call(ScalarFn fn, List<Scalar> args) implements Scalar {
        public Call {
            args = List.copyOf(args);
            if (args.size() != fn.arity()) {
                throw new IllegalArgumentException(fn + " takes " + fn.arity() + " arguments");
            }
        }
    }

    // ------------------------------------------------------------------ parsing

    /** Parses a rule. Grammar: ternary {@code c ? a : b} over comparisons over {@code + -} over {@code * /} over unary minus. */
    static Scalar parse(String text) {
        return parse(text, List.of());
    }

    /** Parses an expression over the inputs of a loop named {@code a}, {@code b}, {@code c}, {@code d}, {@code e} ({@link In} 0 … 4). */
    static Scalar parseInputs(String text) {
        Scalar e = parse(text, List.of("d", "e"));
        return replace(e, v -> v instanceof Operand o ? new In(o.index()) : v instanceof Attribute a ? new In(3 + a.index()) : null);
    }

    /** Parses a rule whose primitive has these attributes, read by name. */
    static Scalar parse(String text, List<String> attributes) {
        Parser p = new Parser(text, attributes);
        Scalar e = p.ternary();
        p.skip();
        if (p.pos != text.length()) {
            throw new IllegalArgumentException("unexpected '" + text.substring(p.pos) + "' in rule: " + text);
        }
        return e;
    }

    final class Parser {
        private final String s;
        private final List<String> attributes;
        private int pos;

        private Parser(String s, List<String> attributes) {
            this.s = s;
            this.attributes = attributes;
        }

        private void skip() {
            while (pos < s.length() && s.charAt(pos) == ' ') {
                pos++;
            }
        }

        private boolean eat(String token) {
            skip();
            if (s.startsWith(token, pos)) {
                pos += token.length();
                return true;
            }
            return false;
        }

        Scalar ternary() {
            Scalar c = comparison();
            if (eat("?")) {
                Scalar a = ternary();
                if (!eat(":")) {
                    throw new IllegalArgumentException("expected ':' in rule: " + s);
                }
                return new Select(c, a, ternary());
            }
            return c;
        }

        Scalar comparison() {
            Scalar l = sum();
            for (String op : List.of("<=", ">=", "==", "!=", "<", ">")) {
                if (eat(op)) {
                    return new Cmp(op, l, sum());
                }
            }
            return l;
        }

        Scalar sum() {
            Scalar l = product();
            while (true) {
                if (eat("+")) {
                    l = new Bin('+', l, product());
                } else if (eat("-")) {
                    l = new Bin('-', l, product());
                } else {
                    return l;
                }
            }
        }

        Scalar product() {
            Scalar l = unary();
            while (true) {
                if (eat("*")) {
                    l = new Bin('*', l, unary());
                } else if (eat("/")) {
                    l = new Bin('/', l, unary());
                } else {
                    return l;
                }
            }
        }

        Scalar unary() {
            if (eat("-")) {
                return new Neg(unary());
            }
            return primary();
        }

        Scalar primary() {
            skip();
            if (eat("(")) {
                Scalar e = ternary();
                if (!eat(")")) {
                    throw new IllegalArgumentException("expected ')' in rule: " + s);
                }
                return e;
            }
            int start = pos;
            if (pos < s.length() && (Character.isDigit(s.charAt(pos)) || s.charAt(pos) == '.')) {
                while (pos < s.length() && (Character.isDigit(s.charAt(pos)) || s.charAt(pos) == '.' || s.charAt(pos) == 'E'
                        || (s.charAt(pos) == '-' && s.charAt(pos - 1) == 'E'))) {
                    pos++;
                }
                return new Num(Double.parseDouble(s.substring(start, pos)));
            }
            while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '_')) {
                pos++;
            }
            String name = s.substring(start, pos);
            switch (name) {
                case "x", "a":
                    return new Operand(0);
                case "b":
                    return new Operand(1);
                case "c":
                    return new Operand(2);
                case "y":
                    return new Result();
                case "dy":
                    return new ResultAdjoint();
                default:
                    break;
            }
            if (attributes.contains(name)) {
                return new Attribute(attributes.indexOf(name));
            }
            ScalarFn fn = ScalarFn.valueOf(name.toUpperCase(Locale.ROOT));
            if (!eat("(")) {
                throw new IllegalArgumentException("expected '(' after " + name + " in rule: " + s);
            }
            List<Scalar> args = new ArrayList<>();
            do {
                args.add(ternary());
            } while (eat(","));
            if (!eat(")")) {
                throw new IllegalArgumentException("expected ')' in rule: " + s);
            }
            return new Call(fn, args);
        }
    }

    // ------------------------------------------------------------------ rewriting

    /** Replaces every leaf for which {@code leaf} returns non-null; rebuilds the rest. */
    static Scalar replace(Scalar e, Function<Scalar, Scalar> leaf) {
        Scalar r = leaf.apply(e);
        if (r != null) {
            return r;
        }
        if (e instanceof Neg n) {
            return new Neg(replace(n.operand(), leaf));
        } else if (e instanceof Bin b) {
            return new Bin(b.op(), replace(b.left(), leaf), replace(b.right(), leaf));
        } else if (e instanceof Cmp c) {
            return new Cmp(c.op(), replace(c.left(), leaf), replace(c.right(), leaf));
        } else if (e instanceof Select s) {
            return new Select(replace(s.cond(), leaf), replace(s.then(), leaf), replace(s.otherwise(), leaf));
        } else if (e instanceof Call c) {
            List<Scalar> args = new ArrayList<>();
            for (Scalar a : c.args()) {
                args.add(replace(a, leaf));
            }
            return new Call(c.fn(), args);
        }
        return e;
    }

    /** True if {@code e} contains a node for which {@code test} holds. */
    static boolean contains(Scalar e, java.util.function.Predicate<Scalar> test) {
        if (test.test(e)) {
            return true;
        }
        if (e instanceof Neg n) {
            return contains(n.operand(), test);
        } else if (e instanceof Bin b) {
            return contains(b.left(), test) || contains(b.right(), test);
        } else if (e instanceof Cmp c) {
            return contains(c.left(), test) || contains(c.right(), test);
        } else if (e instanceof Select s) {
            return contains(s.cond(), test) || contains(s.then(), test) || contains(s.otherwise(), test);
        } else if (e instanceof Call c) {
            for (Scalar a : c.args()) {
                if (contains(a, test)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Folds what is constant once the attribute is known: arithmetic on numbers, a select on a
     * constant condition, and the exact power identities {@code pow(x, 1) = x}, {@code pow(x, 0) = 1}
     * and {@code e * 1 = e}. Nothing that could change a result under IEEE arithmetic is rewritten.
     */
    static Scalar simplify(Scalar e) {
        if (e instanceof Neg n) {
            Scalar a = simplify(n.operand());
            return a instanceof Num v ? new Num(-v.value()) : new Neg(a);
        } else if (e instanceof Bin b) {
            Scalar l = simplify(b.left());
            Scalar r = simplify(b.right());
            if (l instanceof Num x && r instanceof Num y) {
                return new Num(binary(b.op(), x.value(), y.value()));
            }
            if (b.op() == '*' && r instanceof Num y && y.value() == 1.0) {
                return l;
            }
            if (b.op() == '*' && l instanceof Num x && x.value() == 1.0) {
                return r;
            }
            return new Bin(b.op(), l, r);
        } else if (e instanceof Cmp c) {
            Scalar l = simplify(c.left());
            Scalar r = simplify(c.right());
            if (l instanceof Num x && r instanceof Num y) {
                return new Num(compare(c.op(), x.value(), y.value()) ? 1.0 : 0.0);
            }
            return new Cmp(c.op(), l, r);
        } else if (e instanceof Select s) {
            Scalar c = simplify(s.cond());
            if (c instanceof Num v) {
                return simplify(v.value() != 0 ? s.then() : s.otherwise());
            }
            return new Select(c, simplify(s.then()), simplify(s.otherwise()));
        } else if (e instanceof Call c) {
            List<Scalar> args = new ArrayList<>();
            for (Scalar a : c.args()) {
                args.add(simplify(a));
            }
            if (c.fn() == ScalarFn.POW && args.get(1) instanceof Num k) {
                if (k.value() == 1.0) {
                    return args.get(0);
                }
                if (k.value() == 0.0) {
                    return new Num(1.0);
                }
                // Small integer and half powers of a leaf, as multiplications and a square root
                // (PyTorch computes x ** 0.5 as sqrt too): cheaper than Math.pow.
                Scalar x = args.get(0);
                boolean leaf = !(x instanceof Neg || x instanceof Bin || x instanceof Cmp || x instanceof Select || x instanceof Call);
                if (leaf && k.value() == 2.0) {
                    return new Bin('*', x, x);
                }
                if (leaf && k.value() == 3.0) {
                    return new Bin('*', new Bin('*', x, x), x);
                }
                if (leaf && k.value() == -1.0) {
                    return new Bin('/', new Num(1.0), x);
                }
                if (leaf && k.value() == 0.5) {
                    return new Call(ScalarFn.SQRT, List.of(x));
                }
            }
            if (args.stream().allMatch(a -> a instanceof Num)) {
                double[] v = args.stream().mapToDouble(a -> ((Num) a).value()).toArray();
                return new Num(c.fn().apply(v));
            }
            return new Call(c.fn(), args);
        }
        return e;
    }

    // ------------------------------------------------------------------ evaluation

    /** The value, with {@code leaf} giving the value of every variable. */
    static double eval(Scalar e, java.util.function.ToDoubleFunction<Scalar> leaf) {
        if (e instanceof Num n) {
            return n.value();
        } else if (e instanceof Neg n) {
            return -eval(n.operand(), leaf);
        } else if (e instanceof Bin b) {
            return binary(b.op(), eval(b.left(), leaf), eval(b.right(), leaf));
        } else if (e instanceof Cmp c) {
            return compare(c.op(), eval(c.left(), leaf), eval(c.right(), leaf)) ? 1.0 : 0.0;
        } else if (e instanceof Select s) {
            return eval(s.cond(), leaf) != 0 ? eval(s.then(), leaf) : eval(s.otherwise(), leaf);
        } else if (e instanceof Call c) {
            double[] v = new double[c.args().size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = eval(c.args().get(i), leaf);
            }
            return c.fn().apply(v);
        }
        return leaf.applyAsDouble(e);
    }

    private static double binary(char op, double a, double b) {
        return switch (op) {
            case '+' -> a + b;
            case '-' -> a - b;
            case '*' -> a * b;
            case '/' -> a / b;
            default -> throw new IllegalArgumentException("operator " + op);
        };
    }

    private static boolean compare(String op, double a, double b) {
        return switch (op) {
            case "<" -> a < b;
            case "<=" -> a <= b;
            case ">" -> a > b;
            case ">=" -> a >= b;
            case "==" -> a == b;
            case "!=" -> a != b;
            default -> throw new IllegalArgumentException("comparison " + op);
        };
    }

    // ------------------------------------------------------------------ printing

    /**
     * Java source for {@code e}; {@code leaf} gives the Java expression of every variable, and
     * {@code used} hears of every scalar function used (so its helper can be emitted).
     */
    static String java(Scalar e, Function<Scalar, String> leaf, java.util.function.Consumer<ScalarFn> used) {
        return java(e, leaf, used, false);
    }

    /**
     * Java source for {@code e} in {@code float} when {@code single}: literals get an {@code f},
     * and a call of a function that returns {@code double} ({@code Math.exp}, a helper) is cast
     * back to {@code float}, so the whole expression is a {@code float} when its leaves are.
     */
    static String java(Scalar e, Function<Scalar, String> leaf, java.util.function.Consumer<ScalarFn> used, boolean single) {
        JavaPrinter p = new JavaPrinter(leaf, used);
        p.single = single;
        return p.print(e, 0);
    }

    /** The rule as a reader sees it (in dumps and comments): operands as x, or a and b for two. */
    static String text(Scalar e, int arity) {
        return new JavaPrinter(v -> {
            if (v instanceof Operand o) {
                return o.index() == 0 ? (arity == 1 ? "x" : "a") : o.index() == 1 ? "b" : "c";
            } else if (v instanceof Result) {
                return "y";
            } else if (v instanceof ResultAdjoint) {
                return "dy";
            } else if (v instanceof Attribute a) {
                return "k" + a.index();
            }
            return "in" + ((In) v).index();
        }, f -> { }).plain().print(e, 0);
    }

    final class JavaPrinter {
        private final Function<Scalar, String> leaf;
        private final java.util.function.Consumer<ScalarFn> used;
        private boolean plain;
        private boolean single;

        JavaPrinter(Function<Scalar, String> leaf, java.util.function.Consumer<ScalarFn> used) {
            this.leaf = leaf;
            this.used = used;
        }

        JavaPrinter plain() {
            plain = true;
            return this;
        }

        /** Precedence: 0 ternary, 1 comparison, 2 additive, 3 multiplicative, 4 unary, 5 primary. */
        String print(Scalar e, int context) {
            String s;
            int own;
            if (e instanceof Num n) {
                s = plain ? trim(n.value()) : literal(n.value(), single);
                own = n.value() < 0 ? 4 : 5;
            } else if (e instanceof Neg n) {
                s = "-" + print(n.operand(), 5);
                own = 4;
            } else if (e instanceof Bin b) {
                own = b.op() == '+' || b.op() == '-' ? 2 : 3;
                // Left-associative: the right operand of - and / (and of any same-level op, to keep
                // Java's evaluation order identical to the tree's) needs parentheses.
                s = print(b.left(), own) + " " + b.op() + " " + print(b.right(), own + 1);
            } else if (e instanceof Cmp c) {
                own = 1;
                s = print(c.left(), 2) + " " + c.op() + " " + print(c.right(), 2);
            } else if (e instanceof Select sel) {
                own = 0;
                String cond = sel.cond() instanceof Cmp ? print(sel.cond(), 1) : print(sel.cond(), 2) + " != " + literal(0.0, single);
                s = cond + " ? " + print(sel.then(), 1) + " : " + print(sel.otherwise(), 0);
            } else if (e instanceof Call c) {
                used.accept(c.fn());
                List<String> args = new ArrayList<>();
                for (Scalar a : c.args()) {
                    args.add(print(a, 0));
                }
                s = (plain ? c.fn().name().toLowerCase(Locale.ROOT) : c.fn().java(single)) + "(" + String.join(", ", args) + ")";
                own = 5;
                if (single && !c.fn().keepsFloat()) {
                    s = dev.lossc.types.Precision.FLOAT.narrow(s);
                    own = 4;
                }
            } else {
                s = leaf.apply(e);
                own = 5;
            }
            return own < context ? "(" + s + ")" : s;
        }

        private static String trim(double v) {
            return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
        }
    }

    /** A Java double literal (negative ones parenthesized, non-finite ones named). */
    static String literal(double v) {
        return dev.lossc.types.Precision.DOUBLE.literal(v);
    }

    /** A Java literal of {@code v} as a {@code double}, or as a {@code float} when {@code single}. */
    static String literal(double v, boolean single) {
        return (single ? dev.lossc.types.Precision.FLOAT : dev.lossc.types.Precision.DOUBLE).literal(v);
    }
}
