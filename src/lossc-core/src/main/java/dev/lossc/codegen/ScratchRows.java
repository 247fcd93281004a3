package dev.lossc.codegen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
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

    /** Adds the fields (the arrays of rows) to the class and the allocation of their rows to the constructor. */
    void addTo(TypeSpec.Builder type, MethodSpec.Builder constructor, TypeName element, StorageAccount account) {
        if (fields.isEmpty()) {
            return;
        }
        constructor.addComment("The products' rows, allocated one after another, each a whole number of 64-byte cache lines:")
                .addComment("they start at the same place in a cache line, so a vectorized loop over them reads whole lines.");
        for (Rows f : fields.values()) {
            type.addField(FieldSpec.builder(ArrayTypeName.of(ArrayTypeName.of(element)), f.field(), Modifier.PRIVATE, Modifier.FINAL)
                    .addJavadoc("Rows for matrix products: C2 vectorizes loops over row arrays, not over offsets into flat ones.\n")
                    .initializer("new $T[$L][]", element, f.rows()).build());
            constructor.beginControlFlow("for (int i = 0; i < $L; i++)", f.rows())
                    .addStatement("$L[i] = new $T[$L]", f.field(), element, padded(f.cols()))
                    .endControlFlow();
            account.scratch((long) f.rows() * padded(f.cols()));
        }
    }
}
