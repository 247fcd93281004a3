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

    record Kernel(String kernel, String math) implements Rule {}
}
