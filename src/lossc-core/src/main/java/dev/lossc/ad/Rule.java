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

    /** True if applying the rule reads the forward value of operand {@code k} (and so needs it kept). */
    boolean readsOperand(int k);

    /** True if applying the rule reads the op's forward result. */
    boolean readsResult();

    record Elementwise(String template, String math) implements Rule {
        public boolean readsOperand(int k) {
            return k == 0 ? template.contains("{x}") || template.contains("{a}") : template.contains("{b}");
        }

        public boolean readsResult() {
            return template.contains("{y}");
        }
    }

    /**
     * {@code reads}: which forward values the kernel reads ('0', '1' for operands, 'y' for the
     * result). {@code once}: the kernel writes every element of the operand's adjoint exactly once, so
     * when it is the first to write that adjoint it may assign instead of accumulating.
     */
    record Kernel(String kernel, String math, boolean once, String reads) implements Rule {
        public boolean readsOperand(int k) {
            return reads.indexOf((char) ('0' + k)) >= 0;
        }

        public boolean readsResult() {
            return reads.indexOf('y') >= 0;
        }
    }
}
