package dev.lossc.check;

/** Scalar evaluation of elementwise built-ins, for folding constant expressions. */
final class Folding {
    private Folding() {}

    static double unary(Builtin f, double x, double attribute) {
        return switch (f) {
            case NEG -> -x;
            case POW -> Math.pow(x, attribute);
            case SIGMOID -> x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
            case TANH -> Math.tanh(x);
            case RELU -> Math.max(x, 0.0);
            case SOFTPLUS -> Math.max(x, 0.0) + Math.log1p(Math.exp(-Math.abs(x)));
            case EXP -> Math.exp(x);
            case LOG -> Math.log(x);
            case SQRT -> Math.sqrt(x);
            case ABS -> Math.abs(x);
            case LEAKY_RELU -> x > 0 ? x : attribute * x;
            default -> throw new IllegalArgumentException(f + " is not elementwise unary");
        };
    }

    static double binary(Builtin f, double a, double b) {
        return switch (f) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case MAX -> Math.max(a, b);
            case MIN -> Math.min(a, b);
            default -> throw new IllegalArgumentException(f + " is not elementwise binary");
        };
    }
}
