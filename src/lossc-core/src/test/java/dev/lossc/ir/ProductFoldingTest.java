package dev.lossc.ir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossc.LossCompiler;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Transposes read by products are folded into the products before differentiation. */
class ProductFoldingTest {
    private static final String DECLS = "input X[4, 3];\ninput x[3];\ninput u[5];\nparam W[5, 3];\nparam A[4, 5];\nparam B[4, 2];\n";

    /** The primal IR and the adjoint of a program. */
    private static String[] dumps(String body) {
        LossCompiler.Result r = LossCompiler.compile("f.loss", DECLS + body,
                new LossCompiler.Options("", Set.of(LossCompiler.Dump.IR, LossCompiler.Dump.ADJOINT)));
        assertTrue(r.ok(), r.render());
        return new String[] {r.dumps().get(LossCompiler.Dump.IR), r.dumps().get(LossCompiler.Dump.ADJOINT)};
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "sum(X @ transpose(W))          | matmul_nt(X, W)",
        "sum(transpose(A) @ B)          | matmul_tn(A, B)",
        "sum(transpose(W) @ u)          | vecmat(u, W)",
        "sum(x @ transpose(W))          | matvec(W, x)",
    })
    void aTransposeReadOnlyByAProductDisappears(String loss, String product) {
        String[] d = dumps("loss " + loss + ";\n");
        assertTrue(d[0].contains(product), d[0]);
        assertFalse(d[0].contains("transpose("), d[0]);
        assertFalse(d[1].contains("transpose("), "the gradient reads the operand untransposed too:\n" + d[1]);
    }

    @Test
    void bothOperandsTransposedKeepsOneTranspose() {
        String[] d = dumps("loss sum(transpose(W) @ transpose(A));\n");
        assertTrue(d[0].contains("matmul_nt("), d[0]);
        assertEquals(1, d[0].split("transpose\\(", -1).length - 1, d[0]);
    }

    @Test
    void aTransposeReadElsewhereStays() {
        String[] d = dumps("let T = transpose(W);\nloss sum(X @ T) + sum(T * T);\n");
        assertTrue(d[0].contains("matmul_nt(X, W)"), d[0]);
        assertTrue(d[0].contains("transpose(W)"), d[0]);
    }

    @Test
    void outputsAreFoldedToo() {
        LossCompiler.Result r = LossCompiler.compile("f.loss", DECLS + "output Y = X @ transpose(W);\nloss sum(Y);\n",
                LossCompiler.Options.DEFAULT);
        assertTrue(r.ok(), r.render());
        String java = r.output().orElseThrow().source();
        assertFalse(java.contains("= transpose("), java);
    }
}
