package dev.lossc.codegen;

import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import dev.lossc.check.Symbol;
import dev.lossc.ir.IrProgram;
import dev.lossc.ir.Stmt;
import dev.lossc.ir.Value;
import dev.lossc.types.Shape;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * The methods of {@code --derivatives} beyond the gradient: {@code hvp}, {@code jvp}, and for
 * each output {@code NAME_jvp} and {@code NAME_jacobian}, each with the private methods its
 * statements go in. Like {@code lossAndGradient} they check their arguments, hold the caller's
 * arrays only for the call and allocate nothing.
 */
final class DerivativeWriter {
    private final ClassWriter w;
    private final ApiWriter api;
    private final DerivativePlans d;
    /** The caller's direction and destination, as parameters (named like no input). */
    private final String v;
    private final String out;
    /** The unit direction a Jacobian's sweeps use. */
    private final String unit;
    /** Loop counters of the copies out (named like no input). */
    private final String row;
    private final String col;
    private final String param;

    DerivativeWriter(ClassWriter w, ApiWriter api, DerivativePlans d) {
        this.w = w;
        this.api = api;
        this.d = d;
        this.v = w.names.allocate("v");
        this.out = w.outputDestination != null ? w.outputDestination : w.names.allocate("out");
        this.unit = d.jacobian() && !d.outputs().isEmpty() ? w.names.allocate("unitDirection") : null;
        for (DerivativePlans.OutputTangent o : d.outputs()) {
            if (o.reverse() != null) {
                w.layout.namePrimal(o.reverse().seed(), o.reverse().seed().name());
            }
        }
        this.row = w.names.allocate("row");
        this.col = w.names.allocate("col");
        this.param = w.names.allocate("param");
    }

    /** The class Javadoc's paragraph on the derivatives it has. */
    com.palantir.javapoet.CodeBlock javadoc() {
        List<String> has = new java.util.ArrayList<>();
        if (d.hvp()) {
            has.add("{@code hvp} (the Hessian of the loss times a direction, with the gradient)");
        }
        if (d.jvpForward() != null) {
            has.add("{@code jvp} (the loss's directional derivative)");
        }
        if (d.jvp() && !d.outputs().isEmpty()) {
            has.add("{@code NAME_jvp} for each output");
        }
        if (d.jacobian() && !d.outputs().isEmpty()) {
            has.add("{@code NAME_jacobian} for each output, by forward sweeps (one per parameter) or reverse sweeps (one per\n"
                    + "output element), whichever is fewer");
        }
        return com.palantir.javapoet.CodeBlock.of("\n<p>Derivatives beyond the gradient ({@code --derivatives}): $L. Forward mode, generated as\n"
                + "source like the gradient: the tangent of every statement, allocation-free.\n", String.join("; ", has));
    }

    /** The fields: the direction and destination held during a call, and the Jacobian's unit direction. */
    void fields(TypeSpec.Builder type) {
        type.addField(FieldSpec.builder(w.arrayType, w.layout.direction, Modifier.PRIVATE)
                .addJavadoc("The direction of a derivative call (the params' tangent), held during the call.\n").build());
        if (d.hvp()) {
            type.addField(FieldSpec.builder(w.arrayType, w.layout.tangentOut, Modifier.PRIVATE)
                    .addJavadoc("Where {@code hvp} writes the Hessian times the direction (the gradient's tangent), held during the call.\n").build());
        }
        for (DerivativePlans.OutputTangent o : d.outputs()) {
            if (o.reverse() != null && d.jacobian()) {
                Value seed = o.reverse().seed();
                String name = w.layout.primalName(seed);
                FieldSpec.Builder f = seed.shape().isScalar() ? FieldSpec.builder(w.scalarType, name, Modifier.PRIVATE)
                        : FieldSpec.builder(w.arrayType, name, Modifier.PRIVATE, Modifier.FINAL).initializer("new $L[$L]", w.precision.type(), seed.shape().size());
                type.addField(f.addJavadoc("The adjoint output {@code $L}'s reverse sweeps start from: one element set at a time.\n", o.output().name()).build());
            }
        }
        if (unit != null) {
            type.addField(FieldSpec.builder(w.arrayType, unit, Modifier.PRIVATE, Modifier.FINAL)
                    .addJavadoc("A unit direction: a Jacobian's forward sweeps set one element at a time.\n")
                    .initializer("new $L[PARAMETER_COUNT]", w.precision.type()).build());
        }
    }

    /** The public methods and their bodies' private methods. */
    void methods(TypeSpec.Builder type, List<String> outputMethods, List<ClassWriter.OutputPlan> outputs) {
        if (d.hvp()) {
            type.addMethod(hvp());
            body(type, "hvpForward", d.hvpForward());
            body(type, "hvpBackward", d.hvpBackward());
        }
        if (d.jvpForward() != null) {
            type.addMethod(jvp());
            body(type, "jvpForward", d.jvpForward());
        }
        for (DerivativePlans.OutputTangent o : d.outputs()) {
            String method = outputMethods.get(indexOf(outputs, o.output()));
            String compute = w.names.allocate("compute_" + method + "_tangent");
            if (d.jvp()) {
                type.addMethod(outputJvp(o, method, compute));
            }
            if (d.jacobian() && o.reverse() != null) {
                String forward = w.names.allocate("compute_" + method + "_forward");
                String backward = w.names.allocate("compute_" + method + "_backward");
                type.addMethod(reverseJacobian(o, method, forward, backward));
                body(type, forward, o.reverse().forward());
                body(type, backward, o.reverse().backward());
            } else if (d.jacobian()) {
                type.addMethod(jacobian(o, method, compute));
            }
            if (d.jvp() || o.reverse() == null) {
                body(type, compute, o.body());
            }
        }
    }

    private static int indexOf(List<ClassWriter.OutputPlan> outputs, IrProgram.Output o) {
        for (int k = 0; k < outputs.size(); k++) {
            if (outputs.get(k).output() == o) {
                return k;
            }
        }
        throw new IllegalStateException("no output " + o.name());
    }

    private void body(TypeSpec.Builder type, String name, List<Stmt> body) {
        Chunker chunker = new Chunker(w.source, w.layout, w.new MethodNamer(name + "_"));
        type.addMethod(MethodSpec.methodBuilder(name).addModifiers(Modifier.PRIVATE).addCode(chunker.body(w.units(body), List.of())).build());
        chunker.methods().forEach(type::addMethod);
    }

    private void direction(MethodSpec.Builder m, String what) {
        m.addParameter(w.arrayType, v);
        m.addJavadoc("@param $L $L: one value per parameter, in the order of {@link #parameters()}\n", v, what);
        m.addStatement("checkLength($S, $L, PARAMETER_COUNT)", v, v);
    }

    private MethodSpec hvp() {
        MethodSpec.Builder m = MethodSpec.methodBuilder("hvp").addModifiers(Modifier.PUBLIC).returns(w.scalarType);
        m.addJavadoc("Computes the loss, writes its gradient into {@link #gradient()} (as {@code lossAndGradient} does)\n"
                + "and the Hessian of the loss with respect to the parameters times {@code $L} into {@code $L}: forward\n"
                + "mode over the backward pass (the tangent of every adjoint statement), exact, in about twice the\n"
                + "time of {@code lossAndGradient}. A training call, like {@code lossAndGradient}.\n\n", v, out);
        List<Symbol.Dim> dims = w.ir.varyingDims(w.ir.inputs(), w.ir.body(), w.ir.loss().shape());
        api.inputParameters(m, w.ir.inputs(), dims);
        direction(m, "the direction");
        m.addParameter(w.arrayType, out);
        m.addJavadoc("@param $L where the product goes: one value per parameter, in the same order\n", out);
        m.addJavadoc("@return the loss\n@throws IllegalArgumentException if an array argument is null or has the wrong length$L\n",
                dims.isEmpty() ? "" : ", or a size is outside its range");
        m.addStatement("checkLength($S, $L, PARAMETER_COUNT)", out, out);
        api.checkInputs(m, w.ir.inputs(), dims);
        api.runningVarianceRows(m, w.ir.body(), new java.util.HashSet<>());
        api.holdInputs(m, w.ir.inputs());
        m.addStatement("this.$L = $L", w.layout.direction, v).addStatement("this.$L = $L", w.layout.tangentOut, out);
        m.addStatement("hvpForward()").addStatement("hvpBackward()");
        api.releaseInputs(m, w.ir.inputs());
        m.addStatement("this.$L = null", w.layout.direction).addStatement("this.$L = null", w.layout.tangentOut);
        return m.addStatement("return $L", w.layout.at(w.ir.loss(), false, "0")).build();
    }

    private MethodSpec jvp() {
        MethodSpec.Builder m = MethodSpec.methodBuilder("jvp").addModifiers(Modifier.PUBLIC).returns(w.scalarType);
        m.addJavadoc("The directional derivative of the loss along {@code $L} (the gradient dotted with it), by forward\n"
                + "mode: one pass with tangents, no backward pass. A training call, like {@code loss}.\n\n", v);
        List<Symbol.Dim> dims = w.ir.varyingDims(w.ir.inputs(), w.ir.body(), w.ir.loss().shape());
        api.inputParameters(m, w.ir.inputs(), dims);
        direction(m, "the direction");
        m.addJavadoc("@return the loss's derivative along {@code $L}\n@throws IllegalArgumentException if an array argument is null or has the wrong length$L\n",
                v, dims.isEmpty() ? "" : ", or a size is outside its range");
        api.checkInputs(m, w.ir.inputs(), dims);
        api.runningVarianceRows(m, w.ir.body(), new java.util.HashSet<>());
        api.holdInputs(m, w.ir.inputs());
        m.addStatement("this.$L = $L", w.layout.direction, v).addStatement("jvpForward()");
        api.releaseInputs(m, w.ir.inputs());
        m.addStatement("this.$L = null", w.layout.direction);
        return m.addStatement("return $L", w.layout.at(d.lossTangent(), false, "0")).build();
    }

    /** An output's parameters (its inputs) and checks, shared by its jvp and Jacobian. */
    private List<Value> outputInputs(MethodSpec.Builder m, DerivativePlans.OutputTangent o) {
        List<Value> needed = w.ir.inputsOf(o.output());
        api.inputParameters(m, needed, dims(o));
        return needed;
    }

    private List<Symbol.Dim> dims(DerivativePlans.OutputTangent o) {
        return w.ir.varyingDims(w.ir.inputsOf(o.output()), o.body(), o.output().value().shape());
    }

    private MethodSpec outputJvp(DerivativePlans.OutputTangent o, String method, String compute) {
        Shape s = o.output().value().shape();
        MethodSpec.Builder m = MethodSpec.methodBuilder(w.names.allocate(method + "_jvp")).addModifiers(Modifier.PUBLIC).returns(w.arrayType);
        m.addJavadoc("The directional derivative of output {@code $L} $L along {@code $L}, by forward mode (an\n"
                + "inference call, like {@link #$L}).\n\n", o.output().name(), o.output().value().logicalShape(), v, method);
        List<Value> needed = outputInputs(m, o);
        direction(m, "the direction");
        m.addParameter(w.arrayType, out);
        m.addJavadoc("@param $L where the derivative goes: $L elements, laid out as the output\n@return {@code $L}\n", out, s.elements(), out);
        m.addJavadoc("@throws IllegalArgumentException if an array argument is null or has the wrong length\n");
        checkDestination(m, s, s.varies() ? w.layout.count(s) : Integer.toString(s.size()));
        api.checkInputs(m, needed, dims(o));
        api.holdInputs(m, needed);
        m.addStatement("this.$L = $L", w.layout.direction, v).addStatement("$L()", compute);
        copyOut(m, o, s, "1", "0");
        api.releaseInputs(m, needed);
        m.addStatement("this.$L = null", w.layout.direction);
        return m.addStatement("return $L", out).build();
    }

    private MethodSpec jacobian(DerivativePlans.OutputTangent o, String method, String compute) {
        Shape s = o.output().value().shape();
        MethodSpec.Builder m = jacobianMethod(o, method, "forward sweeps, one per parameter, each a pass with\n"
                + "tangents along that parameter's unit direction.\n\n");
        List<Value> needed = w.ir.inputsOf(o.output());
        m.addStatement("this.$L = $L", w.layout.direction, unit);
        m.beginControlFlow("for (int $L = 0; $L < PARAMETER_COUNT; $L++)", param, param, param);
        m.addStatement("$L[$L] = $L", unit, param, w.precision.literal(1.0)).addStatement("$L()", compute)
                .addStatement("$L[$L] = $L", unit, param, w.precision.zero());
        copyOut(m, o, s, "PARAMETER_COUNT", param);
        m.endControlFlow();
        api.releaseInputs(m, needed);
        m.addStatement("this.$L = null", w.layout.direction);
        return m.addStatement("return $L", out).build();
    }

    private MethodSpec reverseJacobian(DerivativePlans.OutputTangent o, String method, String forward, String backward) {
        Shape s = o.output().value().shape();
        MethodSpec.Builder m = jacobianMethod(o, method, "reverse sweeps: the output once, then one backward\n"
                + "pass per element (the output has fewer elements than there are parameters). Leaves the last\n"
                + "row in {@link #gradient()}.\n\n");
        List<Value> needed = w.ir.inputsOf(o.output());
        m.addStatement("$L()", forward);
        Value seed = o.reverse().seed();
        eachElement(m, s, (index, flat) -> {
            m.addStatement("$L = $L", w.layout.at(seed, index), w.precision.literal(1.0)).addStatement("$L()", backward)
                    .addStatement("$L = $L", w.layout.at(seed, index), w.precision.zero());
            m.addStatement("System.arraycopy($L, 0, $L, ($L) * PARAMETER_COUNT, PARAMETER_COUNT)", Layout.GRAD, out, flat);
        });
        api.releaseInputs(m, needed);
        return m.addStatement("return $L", out).build();
    }

    /** {@code NAME_jacobian}'s declaration, Javadoc ({@code how} it is computed), checks, and its inputs held. */
    private MethodSpec.Builder jacobianMethod(DerivativePlans.OutputTangent o, String method, String how) {
        Shape s = o.output().value().shape();
        MethodSpec.Builder m = MethodSpec.methodBuilder(w.names.allocate(method + "_jacobian")).addModifiers(Modifier.PUBLIC).returns(w.arrayType);
        m.addJavadoc("The Jacobian of output {@code $L} $L with respect to the parameters, row-major\n"
                + "{@code [output elements, PARAMETER_COUNT]}: row {@code i} is the gradient of element {@code i} (an\n"
                + "inference call, like {@link #$L}). Computed by $L", o.output().name(), o.output().value().logicalShape(), method, how);
        List<Value> needed = outputInputs(m, o);
        m.addParameter(w.arrayType, out);
        String count = s.varies() ? w.layout.count(s) : Integer.toString(s.size());
        m.addJavadoc("@param $L where the Jacobian goes: $L × PARAMETER_COUNT elements\n@return {@code $L}\n", out, s.elements(), out);
        m.addJavadoc("@throws IllegalArgumentException if an array argument is null or has the wrong length\n");
        checkDestination(m, s, "(" + count + ") * PARAMETER_COUNT");
        api.checkInputs(m, needed, dims(o));
        api.holdInputs(m, needed);
        return m;
    }

    private void checkDestination(MethodSpec.Builder m, Shape s, String count) {
        if (s.varies()) {
            m.addStatement("checkAtLeast($S, $L, $L, $S)", out, out, count, s.elements());
        } else {
            m.addStatement("checkLength($S, $L, $L)", out, out, count);
        }
    }

    /** Element {@code i} of the tangent into {@code out[i * stride + at]}, rows stored at the maximum's stride written packed. */
    private void copyOut(MethodSpec.Builder m, DerivativePlans.OutputTangent o, Shape s, String stride, String at) {
        eachElement(m, s, (index, flat) -> m.addStatement("$L[$L] = $L", out,
                stride.equals("1") ? flat : "(" + flat + ") * " + stride + " + " + at, w.layout.at(o.tangent(), false, index)));
    }

    /**
     * The loops over an output's elements at this call's sizes; {@code body} gets each element's
     * index in the output's storage (rows at the maximum's stride) and its index packed.
     */
    private void eachElement(MethodSpec.Builder m, Shape s, java.util.function.BiConsumer<String, String> body) {
        String rows = s.isMatrix() ? w.layout.extent(s.rowAxis()) : "1";
        String cols = s.isMatrix() ? w.layout.extent(s.colAxis()) : w.layout.count(s);
        String index = s.isMatrix() ? Layout.add(Layout.mul(row, s.cols()), col) : col;
        String flat = s.isMatrix() ? row + " * " + cols + " + " + col : col;
        if (s.isMatrix()) {
            m.beginControlFlow("for (int $L = 0; $L < $L; $L++)", row, row, rows, row);
        }
        m.beginControlFlow("for (int $L = 0; $L < $L; $L++)", col, col, cols, col);
        body.accept(index, flat);
        m.endControlFlow();
        if (s.isMatrix()) {
            m.endControlFlow();
        }
    }
}
