package dev.lossc.codegen;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import dev.lossc.check.Symbol;
import dev.lossc.ir.Value;
import dev.lossc.types.Shape;
import java.util.List;
import javax.lang.model.element.Modifier;

/** The layout methods of a generated class: its parameters, inputs and outputs described in java.base types. */
final class LayoutMethods {
    private final ClassWriter w;

    LayoutMethods(ClassWriter w) {
        this.w = w;
    }

    /**
     * {@code parameterLayout()}: each param's name, state-dict name, shape and offset, in java.base
     * types, so that a library (lossc-runtime's {@code Parameters}) can read and write parameters by
     * name without reflection and without the class depending on it.
     */
    MethodSpec parameterLayout() {
        CodeBlock rows = layoutRows(w.layout, w.ir.params(), w.ir.paramSymbols());
        return MethodSpec.methodBuilder("parameterLayout").addModifiers(Modifier.PUBLIC, Modifier.STATIC).returns(Object[][].class)
                .addJavadoc("Every parameter, in the order of {@link #parameters()}, as a row\n"
                        + "{@code {name, stateDictName, int[] shape, offset}}: what lossc-runtime's\n"
                        + "{@code Parameters.of(parameterLayout())} reads to load and save the parameters by name\n"
                        + "(lossc JSON, safetensors, npz). A new array on each call.\n")
                .addCode(rows).build();
    }

    /**
     * {@code inputLayout()}: each input's name, element type, shape and the dim its first size is,
     * when that varies per call, in java.base types: what a library needs to feed a class rows of
     * data by name (lossc-spark), without the class depending on it.
     */
    MethodSpec inputLayout() {
        CodeBlock.Builder rows = CodeBlock.builder().add("return new Object[][] {\n").indent();
        for (Value in : w.ir.inputs()) {
            Shape s = in.logicalShape();
            rows.add("{$S, $S, $L, $L},\n", in.name(), in.isInteger() ? "int" : w.precision.type(), sizes(s), varyingDim(s));
        }
        rows.unindent().add("};\n");
        return MethodSpec.methodBuilder("inputLayout").addModifiers(Modifier.PUBLIC, Modifier.STATIC).returns(Object[][].class)
                .addJavadoc("Every input, in the order {@code loss} and {@code lossAndGradient} take them, as a row\n"
                        + "{@code {name, elementType, int[] shape, varyingDim}}: {@code \"double\"}, {@code \"float\"} or\n"
                        + "{@code \"int\"}; the shape with the largest size of a dim that varies per call; that dim's\n"
                        + "name when the first size varies (the call then takes the actual size first), else null.\n"
                        + "A new array on each call.\n")
                .addCode(rows.build()).build();
    }

    /** {@code outputLayout()}: each output method's name, shape, varying dim and the inputs it takes. */
    MethodSpec outputLayout(List<ClassWriter.OutputPlan> outputs, List<String> outputMethods) {
        CodeBlock.Builder rows = CodeBlock.builder().add("return new Object[][] {\n").indent();
        for (int k = 0; k < outputs.size(); k++) {
            Shape s = outputs.get(k).output().value().logicalShape();
            List<String> needed = w.ir.inputsOf(outputs.get(k).output()).stream().map(in -> "\"" + in.name() + "\"").toList();
            rows.add("{$S, $L, $L, new String[] {$L}},\n", outputMethods.get(k), sizes(s), varyingDim(s), String.join(", ", needed));
        }
        return MethodSpec.methodBuilder("outputLayout").addModifiers(Modifier.PUBLIC, Modifier.STATIC).returns(Object[][].class)
                .addJavadoc("Every output method as a row {@code {method, int[] shape, varyingDim, String[] inputs}}: its\n"
                        + "shape (the largest size of a dim that varies per call), that dim's name when its first size\n"
                        + "varies, else null, and the inputs the method takes, in order. A new array on each call.\n")
                .addCode(rows.unindent().add("};\n").build()).build();
    }

    /** {@code new int[] {…}}: a shape's sizes (the largest of a dim that varies per call), as the layout methods give them. */
    private static CodeBlock sizes(Shape s) {
        List<String> sizes = s.axes().stream().map(a -> Integer.toString(a.size())).toList();
        return sizes.isEmpty() ? CodeBlock.of("new int[0]") : CodeBlock.of("new int[] {$L}", String.join(", ", sizes));
    }

    /** The name of the dim a shape's first size is when that varies per call, as a string literal; else {@code null}. */
    private static CodeBlock varyingDim(Shape s) {
        return !s.isScalar() && s.axis(0).varies() ? CodeBlock.of("$S", s.axis(0).dim()) : CodeBlock.of("null");
    }

    /** {@code return new Object[][] {{name, stateDictName, int[] shape, OFFSET}, …};}: the rows of {@code parameterLayout()} or {@code stateLayout()}. */
    static CodeBlock layoutRows(Layout layout, List<Value> values, List<? extends Symbol.Stored> symbols) {
        CodeBlock.Builder rows = CodeBlock.builder().add("return new Object[][] {\n").indent();
        for (Value v : values) {
            rows.add("{$S, $S, $L, $L},\n", v.name(), symbols.get(v.index()).key(), sizes(v.logicalShape()), layout.offsetOf(v));
        }
        return rows.unindent().add("};\n").build();
    }
}
