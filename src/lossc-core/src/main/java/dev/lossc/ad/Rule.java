package dev.lossc.ad;

/**
 * How one operand of one primitive receives its adjoint. Elementwise rules are Java expression
 * templates over one element: {@code {x}}, {@code {a}}, {@code {b}} are the operands,
 * {@code {y}} the result, {@code {dy}} the result's adjoint, {@code {k}} the attribute (exponent or
 * alpha) and {@code {k1}} the exponent minus one. Structured rules name a kernel the code
 * generator implements. {@code math} is how the rule reads in dumps and generated comments.
 */
public sealed interface Rule {
    String math();

    record Elementwise(String template, String math) implements Rule {}

    /**
     * {@code once}: the kernel writes every element of the operand's adjoint exactly once, so
     * when it is the first to write that adjoint it may assign instead of accumulating.
     */
    record Kernel(String kernel, String math, boolean once) implements Rule {}
}
