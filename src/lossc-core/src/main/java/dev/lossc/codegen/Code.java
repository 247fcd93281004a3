package dev.lossc.codegen;

import com.palantir.javapoet.CodeBlock;

/**
 * One kernel's code as it is written: JavaPoet's builder, which also records whether a local is
 * declared outside every loop. Such a kernel's code goes in a block of its own ({@link #scoped}),
 * so that kernels can follow each other in one method without their locals clashing.
 */
final class Code {
    private final CodeBlock.Builder b = CodeBlock.builder();
    private int depth;
    private boolean declaresAtTop;

    /** A statement that declares a local ({@code double acc = 0.0}). */
    Code declare(String format, Object... args) {
        declaresAtTop |= depth == 0;
        b.addStatement(format, args);
        return this;
    }

    /** A statement that declares nothing. */
    Code add(String format, Object... args) {
        b.addStatement(format, args);
        return this;
    }

    /** A line comment. */
    Code comment(String text) {
        b.add("// $L\n", text);
        return this;
    }

    /** Opens a loop (or another block), {@code for (…)}. */
    Code open(String format, Object... args) {
        depth++;
        b.beginControlFlow(format, args);
        return this;
    }

    /** Closes a block and opens the next of the same statement, {@code } else {}. */
    Code nextControlFlow(String format, Object... args) {
        b.nextControlFlow(format, args);
        return this;
    }

    Code close() {
        depth--;
        b.endControlFlow();
        return this;
    }

    /** The code, in a block of its own when it declares a local outside every loop. */
    CodeBlock scoped() {
        if (depth != 0) {
            throw new IllegalStateException("a block is left open");
        }
        CodeBlock code = b.build();
        if (!declaresAtTop) {
            return code;
        }
        return CodeBlock.builder().add("{\n").indent().add(code).unindent().add("}\n").build();
    }

    /** The code as written (its locals, if any, are the caller's to scope). */
    CodeBlock build() {
        return b.build();
    }
}
