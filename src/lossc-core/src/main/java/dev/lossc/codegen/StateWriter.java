package dev.lossc.codegen;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.lossc.ir.Value;
import javax.lang.model.element.Modifier;

/**
 * The states of a class (version 3; a class without states has none of this): their flat array
 * {@code states()}, beside {@code parameters()} and apart from it (no optimizer touches them, no
 * gradient has them), each state's offset in it, and {@code stateLayout()} in the form of
 * {@code parameterLayout()}, which lossc-runtime reads to load and save them by name.
 */
final class StateWriter {
    static final String COUNT = "STATE_COUNT";
    /** The members only a class with states has. */
    static final String[] MEMBERS = {"states", "stateLayout", COUNT};

    private StateWriter() {}

    /** {@code STATE_COUNT} and each state's {@code NAME_OFFSET}. */
    static void constants(ClassWriter w, TypeSpec.Builder type) {
        int total = 0;
        for (Value s : w.ir.states()) {
            total += s.shape().size();
        }
        type.addField(FieldSpec.builder(int.class, COUNT, Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("Length of {@link #states()}.\n").initializer("$L", total).build());
        int offset = 0;
        for (Value s : w.ir.states()) {
            type.addField(FieldSpec.builder(int.class, w.layout.offsetOf(s), Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
                    .addJavadoc("Offset of state {@code $L} $L ($L elements$L) in the flat array of the states.\n",
                            s.name(), s.shape(), s.shape().size(), s.shape().isMatrix() ? ", row-major" : "")
                    .initializer("$L", offset).build());
            offset += s.shape().size();
        }
    }

    /** The array, {@code states()} and {@code stateLayout()}. */
    static void members(ClassWriter w, TypeSpec.Builder type, TypeName arrayType) {
        type.addField(FieldSpec.builder(arrayType, Layout.STATES, Modifier.PRIVATE, Modifier.FINAL)
                .initializer("new $L[$L]", w.layout.precision().type(), COUNT).build());
        type.addMethod(MethodSpec.methodBuilder("states").addModifiers(Modifier.PUBLIC).returns(arrayType)
                .addJavadoc("The states (not trained: {@code batch_norm}'s running statistics) as one flat array, in declaration\n"
                        + "order; the live array, not a copy. Training calls ({@code loss}, {@code lossAndGradient}) update\n"
                        + "them; output methods read them.\n")
                .addStatement("return $L", Layout.STATES).build());
        CodeBlock rows = LayoutMethods.layoutRows(w.layout, w.ir.states(), w.ir.stateSymbols());
        type.addMethod(MethodSpec.methodBuilder("stateLayout").addModifiers(Modifier.PUBLIC, Modifier.STATIC).returns(Object[][].class)
                .addJavadoc("Every state, in the order of {@link #states()}, as a row {@code {name, stateDictName, int[] shape,\n"
                        + "offset}} (the form of {@link #parameterLayout()}): what lossc-runtime's\n"
                        + "{@code Parameters.of(parameterLayout(), stateLayout())} reads to load and save the parameters and the\n"
                        + "states together. A new array on each call.\n")
                .addCode(rows).build());
    }
}
