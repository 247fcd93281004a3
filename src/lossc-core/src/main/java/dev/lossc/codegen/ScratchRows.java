package dev.lossc.codegen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import javax.lang.model.element.Modifier;

/**
 * The row arrays the matrix products of a class work on (C's rows, B's panels and tiles), one
 * {@code double[][]} (or {@code float[][]}) field per role and size. Each row is longer than the
 * product needs, so that the array object (a 16-byte header, then the elements) is a whole number
 * of 64-byte cache lines, and the constructor allocates every row, one after another, once the
 * fields are set: rows allocated in sequence lie in sequence, so they all start at the same place
 * in a cache line, and the JVM keeps them that way when its collector moves them (rows of this
 * size are copied one after another). Then the vectorized loop of a product, which C2 aligns to
 * its store into C's row, reads B's rows aligned too: no 64-byte load crosses two cache lines
 * (docs/performance.md, "Rows that start at the same place in a cache line").
 */
final class ScratchRows {
    /** The bytes of an array's header on a 64-bit HotSpot JVM (compressed class pointers, or compact headers for double[]). */
    static final int ARRAY_HEADER = 16;
    static final int LINE = 64;

    private record Rows(String field, int rows, int cols) {}

    private final Map<String, Rows> fields = new LinkedHashMap<>();
    private final int elementBytes;

    ScratchRows(int elementBytes) {
        this.elementBytes = elementBytes;
    }

    /** The field for {@code rows} rows of {@code cols} elements in this role, named by {@code allocate} the first time. */
    String field(String role, int rows, int cols, UnaryOperator<String> allocate) {
        return fields.computeIfAbsent(role + ":" + rows + "x" + cols,
                key -> new Rows(allocate.apply("scratch_" + role + rows + "x" + cols), rows, cols)).field();
    }

    /** The length of a row of {@code cols} elements: the least at or above it whose array fills whole cache lines. */
    int padded(int cols) {
        int n = cols;
        while ((ARRAY_HEADER + (long) n * elementBytes) % LINE != 0) {
            n++;
        }
        return n;
    }

    /**
     * A Java expression for {@link #padded} of the int expression {@code length}: the least length at
     * or above it that is 6 modulo 8 (double) or 12 modulo 16 (float).
     */
    String paddedExpression(String length) {
        int modulus = LINE / elementBytes;
        int residue = padded(0);
        return "(" + length + " + " + (modulus - residue - 1 + modulus) % modulus + ") / " + modulus + " * " + modulus + " + " + residue;
    }

    /**
     * Adds the fields (the arrays of rows) to the class, and returns the code that allocates their
     * rows, one after another (empty if the class has none): the constructor runs it, or, in a
     * parallel class, the method that allocates the threads' rows too.
     */
    CodeBlock addTo(TypeSpec.Builder type, TypeName element, StorageAccount account) {
        CodeBlock.Builder code = CodeBlock.builder();
        if (fields.isEmpty()) {
            return code.build();
        }
        code.add("// The products' rows, allocated one after another, each a whole number of 64-byte cache lines:\n")
                .add("// they start at the same place in a cache line, so a vectorized loop over them reads whole lines.\n");
        for (Rows f : fields.values()) {
            type.addField(FieldSpec.builder(ArrayTypeName.of(ArrayTypeName.of(element)), f.field(), Modifier.PRIVATE, Modifier.FINAL)
                    .addJavadoc("Rows for matrix products: C2 vectorizes loops over row arrays, not over offsets into flat ones.\n")
                    .initializer("new $T[$L][]", element, f.rows()).build());
            code.beginControlFlow("for (int i = 0; i < $L; i++)", f.rows())
                    .addStatement("$L[i] = new $T[$L]", f.field(), element, padded(f.cols()))
                    .endControlFlow();
            account.scratch((long) f.rows() * padded(f.cols()));
        }
        return code.build();
    }
}
