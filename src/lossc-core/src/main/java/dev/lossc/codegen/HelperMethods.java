package dev.lossc.codegen;

import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.lossc.check.Symbol;
import dev.lossc.ir.IrProgram;
import dev.lossc.prim.ScalarFn;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.lang.model.element.Modifier;

/**
 * The private static helpers of a generated class, all written one way (as JavaPoet methods) and
 * each added only when the class uses it: the scalar functions of the rule language that
 * {@code java.lang.Math} lacks, the seeded generator of the initializers, and the argument checks.
 */
final class HelperMethods {
    private static final TypeName INTS = TypeName.get(int[].class);

    private HelperMethods() {}

    /**
     * Adds every helper the class needs, and no other: the scalar functions its code calls, the
     * generator its initializers draw from, and the checks its methods make of their arguments.
     */
    static void addNeeded(TypeSpec.Builder type, IrProgram ir, List<ClassWriter.OutputPlan> outputs, Set<ScalarFn> usedFunctions,
                          TypeName arrayType, boolean derivatives, boolean single) {
        Set<String> methods = new LinkedHashSet<>();
        Set<ScalarFn.HelperField> fields = new LinkedHashSet<>();
        for (ScalarFn f : usedFunctions) {
            methods.addAll(f.helperMethods(single));
            fields.addAll(f.helperFields(single));
        }
        for (ScalarFn.HelperField f : fields) {
            type.addField(FieldSpec.builder(TypeName.get(primitive(f.type())), f.name(), Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                    .initializer(f.initializer().replace("$", "$$")).build());
        }
        for (String m : methods) {
            type.addMethod(scalar(m));
        }
        boolean random = ir.paramSymbols().stream().anyMatch(p -> switch (p.init().kind()) {
            case UNIFORM, XAVIER, NORMAL, HE -> true;
            case ZEROS, ONES -> false;
        });
        boolean normal = ir.paramSymbols().stream().anyMatch(p -> switch (p.init().kind()) {
            case NORMAL, HE -> true;
            case ZEROS, ONES, UNIFORM, XAVIER -> false;
        });
        boolean uniform = ir.paramSymbols().stream().anyMatch(p -> switch (p.init().kind()) {
            case UNIFORM, XAVIER -> true;
            case ZEROS, ONES, NORMAL, HE -> false;
        });
        if (random) {
            randomHelpers(type, uniform, normal);
        }
        if (derivatives || ir.inputs().stream().anyMatch(in -> !in.isInteger() && !in.shape().isScalar() && !in.shape().varies())
                || outputs.stream().anyMatch(o -> o.output().value().shape().size() > 1 && !o.output().value().shape().varies())) {
            type.addMethod(checkLength(arrayType));
        }
        if (ir.inputs().stream().anyMatch(in -> in.isInteger() && !in.shape().isScalar() && !in.shape().varies())) {
            type.addMethod(checkIndices());
        }
        if (ir.dims().stream().anyMatch(Symbol.Dim::varying)) {
            type.addMethod(checkSize());
        }
        if (ir.inputs().stream().anyMatch(in -> !in.isInteger() && in.shape().varies())
                || outputs.stream().anyMatch(o -> o.output().value().shape().size() > 1 && o.output().value().shape().varies())) {
            type.addMethod(checkAtLeast(arrayType));
        }
        if (ir.inputs().stream().anyMatch(in -> in.isInteger() && in.shape().varies())) {
            type.addMethod(checkIndicesAtLeast());
        }
        if (ir.inputs().stream().anyMatch(in -> in.isInteger() && in.shape().isScalar() && in.limit() > 0)) {
            type.addMethod(checkIndex());
        }
    }

    /** A helper method, {@code private static double NAME(double x)}, from its body ({@link ScalarFn#helperMethodBody}). */
    static MethodSpec scalar(String name) {
        return MethodSpec.methodBuilder(name).addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(double.class).addParameter(double.class, "x")
                .addCode(ScalarFn.helperMethodBody(name).replaceAll("\n\\s*\n", "\n").replace("$", "$$")).build();
    }

    /** The type of a helper's field: a primitive type's name. */
    private static Class<?> primitive(String type) {
        return switch (type) {
            case "boolean" -> boolean.class;
            case "int" -> int.class;
            case "double" -> double.class;
            default -> throw new IllegalStateException("a helper's field must be boolean, int or double: " + type);
        };
    }

    private static void randomHelpers(TypeSpec.Builder type, boolean uniform, boolean normal) {
        type.addMethod(MethodSpec.methodBuilder("mix64").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(long.class).addParameter(long.class, "z")
                .addComment("SplitMix64's finalizer: a fixed, portable bit mixer.")
                .addStatement("z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L")
                .addStatement("z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL")
                .addStatement("return z ^ (z >>> 31)").build());
        if (uniform) {
            type.addMethod(MethodSpec.methodBuilder("uniform").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(double.class).addParameter(long.class, "seed").addParameter(int.class, "k")
                .addComment("The k-th uniform number in [0, 1) of the stream for this seed.")
                .addStatement("return (mix64(seed + (3L * k + 1L) * 0x9E3779B97F4A7C15L) >>> 11) * 0x1.0p-53").build());
        }
        if (normal) {
            type.addMethod(MethodSpec.methodBuilder("normal").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(double.class).addParameter(long.class, "seed").addParameter(int.class, "k")
                .addComment("The k-th standard normal number of the stream for this seed (Box-Muller).")
                .addStatement("double u1 = 1.0 - (mix64(seed + (3L * k + 2L) * 0x9E3779B97F4A7C15L) >>> 11) * 0x1.0p-53")
                .addStatement("double u2 = (mix64(seed + (3L * k + 3L) * 0x9E3779B97F4A7C15L) >>> 11) * 0x1.0p-53")
                .addStatement("return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2)").build());
        }
    }

    /** An int vector input: not null, of its length, every value in {@code 0..limit-1} (no bound if 0). */
    private static MethodSpec checkIndices() {
        return MethodSpec.methodBuilder("checkIndices").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(String.class, "name").addParameter(INTS, "array").addParameter(int.class, "expected")
                .addParameter(int.class, "limit")
                .beginControlFlow("if (array == null)")
                .addStatement("throw new IllegalArgumentException(name + \" must not be null (expected length \" + expected + \")\")")
                .endControlFlow()
                .beginControlFlow("if (array.length != expected)")
                .addStatement("throw new IllegalArgumentException(name + \" has length \" + array.length + \" but must have length \" + expected)")
                .endControlFlow()
                .beginControlFlow("for (int i = 0; i < expected && limit > 0; i++)")
                .beginControlFlow("if (array[i] < 0 || array[i] >= limit)")
                .addStatement("throw new IllegalArgumentException(name + \"[\" + i + \"] is \" + array[i] + \", outside the valid range 0..\" + (limit - 1))")
                .endControlFlow()
                .endControlFlow().build();
    }

    /** An int scalar input: in {@code 0..limit-1}. */
    private static MethodSpec checkIndex() {
        return MethodSpec.methodBuilder("checkIndex").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(String.class, "name").addParameter(int.class, "value").addParameter(int.class, "limit")
                .beginControlFlow("if (value < 0 || value >= limit)")
                .addStatement("throw new IllegalArgumentException(name + \" is \" + value + \", outside the valid range 0..\" + (limit - 1))")
                .endControlFlow().build();
    }

    /** A dim that varies per call: its size in {@code 1..max}. */
    private static MethodSpec checkSize() {
        return MethodSpec.methodBuilder("checkSize").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(String.class, "name").addParameter(int.class, "size").addParameter(int.class, "max")
                .beginControlFlow("if (size < 1 || size > max)")
                .addStatement("throw new IllegalArgumentException(\"dim \" + name + \" is \" + size + \", outside its range 1..\" + max)")
                .endControlFlow().build();
    }

    /** An array sized by a dim that varies per call: not null, at least {@code needed} long (the rest is ignored). */
    private static MethodSpec checkAtLeast(TypeName arrayType) {
        return atLeast(MethodSpec.methodBuilder("checkAtLeast"), arrayType).build();
    }

    /** The signature and checks both at-least helpers share: not null, at least {@code needed} long. */
    private static MethodSpec.Builder atLeast(MethodSpec.Builder m, TypeName array) {
        return m.addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(String.class, "name").addParameter(array, "array").addParameter(int.class, "needed")
                .addParameter(String.class, "spelled")
                .beginControlFlow("if (array == null)")
                .addStatement("throw new IllegalArgumentException(name + \" must not be null (expected length \" + spelled + \" = \" + needed + \")\")")
                .endControlFlow()
                .beginControlFlow("if (array.length < needed)")
                .addStatement("throw new IllegalArgumentException(name + \" has length \" + array.length + \" but must have at least \" + spelled + \" = \" + needed)")
                .endControlFlow();
    }

    /** An int vector sized by a dim that varies per call: as {@code checkAtLeast}, and its first {@code needed} values in range. */
    private static MethodSpec checkIndicesAtLeast() {
        return atLeast(MethodSpec.methodBuilder("checkIndicesAtLeast"), INTS).addParameter(int.class, "limit")
                .beginControlFlow("for (int i = 0; i < needed && limit > 0; i++)")
                .beginControlFlow("if (array[i] < 0 || array[i] >= limit)")
                .addStatement("throw new IllegalArgumentException(name + \"[\" + i + \"] is \" + array[i] + \", outside the valid range 0..\" + (limit - 1))")
                .endControlFlow()
                .endControlFlow().build();
    }

    private static MethodSpec checkLength(TypeName arrayType) {
        return MethodSpec.methodBuilder("checkLength").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addParameter(String.class, "name").addParameter(arrayType, "array").addParameter(int.class, "expected")
                .beginControlFlow("if (array == null)")
                .addStatement("throw new IllegalArgumentException(name + \" must not be null (expected length \" + expected + \")\")")
                .endControlFlow()
                .beginControlFlow("if (array.length != expected)")
                .addStatement("throw new IllegalArgumentException(name + \" has length \" + array.length + \" but must have length \" + expected)")
                .endControlFlow().build();
    }
}
