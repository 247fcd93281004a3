package dev.lossc.codegen;

import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import dev.lossc.ir.Stmt;
import dev.lossc.prim.Prim;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * The generator of a class whose loss uses {@code dropout} (version 3): SplitMix64, one 64-bit
 * state the class owns, {@code setSeed(long)} to restart it (0 at construction), and one draw per
 * mask element in the order the loss computes them. It is a fixed, portable algorithm, so a seed
 * gives the same masks on every JVM; a class without dropout has none of it.
 */
final class DropoutGenerator {
    private DropoutGenerator() {}

    static final String STATE = "dropoutState";

    /** True if {@code statements} (loops included) draw a dropout mask. */
    static boolean used(List<Stmt> statements) {
        for (Stmt s : statements) {
            if (s instanceof Stmt.Op op && op.prim() == Prim.DROPOUT_MASK) {
                return true;
            }
            if (s instanceof Stmt.Loop l && used(l.body())) {
                return true;
            }
        }
        return false;
    }

    static void addTo(TypeSpec.Builder type) {
        type.addField(FieldSpec.builder(long.class, STATE, Modifier.PRIVATE)
                .addJavadoc("The state of the dropout masks' generator (SplitMix64): {@link #setSeed(long)}.\n").build());
        type.addMethod(MethodSpec.methodBuilder("setSeed").addModifiers(Modifier.PUBLIC).addParameter(long.class, "seed")
                .addJavadoc("Restarts the generator of the dropout masks: after {@code setSeed(s)}, the calls of {@code loss} and\n"
                        + "{@code lossAndGradient} draw the same masks, call after call, as after any other {@code setSeed(s)}\n"
                        + "(the generator starts at seed 0). Output methods use no mask (inference) and draw nothing.\n")
                .addStatement("$L = seed", STATE).build());
        type.addMethod(MethodSpec.methodBuilder(Kernels.DROPOUT_DRAW).addModifiers(Modifier.PRIVATE).returns(double.class)
                .addComment("The next uniform number in [0, 1): SplitMix64, a Weyl step and its finalizer.")
                .addStatement("long z = $L += 0x9E3779B97F4A7C15L", STATE)
                .addStatement("z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L")
                .addStatement("z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL")
                .addStatement("return ((z ^ (z >>> 31)) >>> 11) * 0x1.0p-53").build());
    }
}
