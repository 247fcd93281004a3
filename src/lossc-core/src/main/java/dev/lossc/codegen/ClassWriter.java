package dev.lossc.codegen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.lossc.check.ClassMembers;
import dev.lossc.check.Symbol;
import dev.lossc.diag.SourceText;
import dev.lossc.ir.IrProgram;
import dev.lossc.types.Precision;
import dev.lossc.types.Shape;
import dev.lossc.ir.Stmt;
import dev.lossc.ir.Value;
import dev.lossc.prim.ScalarFn;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.lang.model.element.Modifier;

/**
 * Phase 5: writes the generated class. Reads like an outline of it: constants, storage, the
 * public API, then the forward pass, the backward pass and the numeric helpers.
 */
public final class ClassWriter {
    static final ClassName ARRAYS = ClassName.get("java.util", "Arrays");
    private static final TypeName INTS = TypeName.get(int[].class);
    /** java.lang types the generated code names: the class and its fields must not hide them. */
    private static final Set<String> JAVA_LANG = Set.of("Math", "Double", "Float", "IllegalArgumentException", "String", "Object", "System", "Override", "Integer", "Long");

    private final IrProgram ir;
    private final List<Stmt> forward;
    private final List<Stmt> backward;
    private final List<OutputPlan> outputs;
    /** The Java method name of each output, in the order of {@link #outputs}. */
    private final List<String> outputMethods = new ArrayList<>();
    /** The caller's array an array output is written into (named before the inputs, so it is {@code out}). */
    private String outputDestination;
    private final SourceText source;
    private final String packageName;
    private final JavaNames names = new JavaNames();
    private final Layout layout;
    private final Kernels kernels;
    private final String className;
    private final List<Value> temps = new ArrayList<>();
    /** Scratch row arrays of the matrix-product kernels, by role and shape: name, rows, cols. */
    private final java.util.Map<String, Object[]> scratchFields = new java.util.LinkedHashMap<>();
    /** The scalar functions the emitted code calls: their helpers are emitted, no others. */
    private final java.util.Set<ScalarFn> usedFunctions = java.util.EnumSet.noneOf(ScalarFn.class);
    /** Every value the forward or backward pass reads or writes: only these get storage. */
    private final java.util.Set<Value> referenced = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    private final List<String> dimNames = new ArrayList<>();
    /** For a dim that varies per call: the constant holding its maximum ({@code MAX_B}); its actual size is in the field of {@link #dimNames}. */
    private final java.util.Map<String, String> maxNames = new java.util.HashMap<>();
    private int anonymous;
    /** With {@code --simd}, once a product uses it: the field holding {@link SimdKernel}'s panel of B. */
    private String simdPanel;
    private final boolean simd;
    private final Precision precision;
    /** The element type ({@code double} or {@code float}) and its arrays, as JavaPoet types. */
    private final TypeName scalarType;
    private final TypeName arrayType;

    /** An output and the optimized statements that compute it. */
    public record OutputPlan(IrProgram.Output output, List<Stmt> body) {
        public OutputPlan {
            body = List.copyOf(body);
        }
    }

    private ClassWriter(IrProgram ir, List<Stmt> forward, List<Stmt> backward, List<OutputPlan> outputs, SourceText source, String packageName,
                        boolean simd, Precision precision) {
        this.ir = ir;
        this.forward = forward;
        this.backward = backward;
        this.outputs = List.copyOf(outputs);
        this.source = source;
        this.packageName = packageName;
        this.precision = precision;
        this.scalarType = precision.single() ? TypeName.FLOAT : TypeName.DOUBLE;
        this.arrayType = ArrayTypeName.of(scalarType);
        this.layout = new Layout(names, readBy(backward), precision);
        this.simd = simd;
        java.util.function.Supplier<String> panel = !simd ? null : () -> {
            if (simdPanel == null) {
                simdPanel = names.allocate("simd_panel");
            }
            return simdPanel;
        };
        this.kernels = new Kernels(layout, usedFunctions::add, (role, rows, cols) -> scratchFields.computeIfAbsent(role + ":" + rows + "x" + cols,
                key -> new Object[] {names.allocate("scratch_" + role + rows + "x" + cols), rows, cols})[0].toString(), panel);
        String cls = JavaNames.className(ir.className());
        this.className = JAVA_LANG.contains(cls) ? cls + "_" : cls;
    }

    /**
     * The Java source of the generated class: {@code ir} gives the model's interface (dims, inputs,
     * params, loss), {@code forward} and {@code backward} the two passes as optimized IR.
     */
    public static String write(IrProgram ir, List<Stmt> forward, List<Stmt> backward, List<OutputPlan> outputs,
                               SourceText source, String packageName, boolean simd, Precision precision) {
        return new ClassWriter(ir, forward, backward, outputs, source, packageName, simd, precision).write();
    }

    /** The primal values a statement list reads (roots): those computed in loops keep one copy per iteration. */
    private static java.util.Set<Value> readBy(List<Stmt> body) {
        java.util.Set<Value> out = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Stmt s : body) {
            for (Value v : Stmt.read(s)) {
                if (v.root().kind() != Value.Kind.ADJOINT) {
                    out.add(v.root());
                }
            }
        }
        return out;
    }

    /** The simple name the class will have (the model name, made a valid Java name). */
    public static String className(String modelName) {
        String cls = JavaNames.className(modelName);
        return JAVA_LANG.contains(cls) ? cls + "_" : cls;
    }

    public static boolean isValidPackage(String packageName) {
        return JavaNames.isValidPackage(packageName);
    }

    private String write() {
        names.reserve(className, "java", "seed", "Arrays");
        names.reserve(ClassMembers.PUBLIC_METHODS.toArray(new String[0]));
        names.reserve(ClassMembers.PRIVATE_MEMBERS.toArray(new String[0]));
        for (ScalarFn f : ScalarFn.values()) {
            if (f.isHelper()) {
                names.reserve(f.java());
            }
        }
        for (OutputPlan o : outputs) {
            // Before the locals and java.lang names, which a method may share. The checker keeps
            // outputs off the class's own members; a Java keyword gets a suffix.
            outputMethods.add(names.allocate(o.output().name()));
        }
        names.reserve(JAVA_LANG.toArray(new String[0]));
        names.reserve(Kernels.LOCALS);
        if (simd) {
            names.reserve(SimdKernel.MEMBERS);
        }
        if (outputs.stream().anyMatch(o -> o.output().value().shape().size() > 1)) {
            outputDestination = names.allocate("out");
        }
        allocateNames();

        TypeSpec.Builder type = TypeSpec.classBuilder(className)
                .addModifiers(Modifier.PUBLIC, Modifier.FINAL);
        constants(type);
        storage(type);
        MethodSpec.Builder constructor = MethodSpec.constructorBuilder().addModifiers(Modifier.PUBLIC)
                .addJavadoc("Creates the model with parameters from {@code initParameters(0L)}.\n");
        for (int i = 0; i < allocations.size(); i += ALLOCATIONS_PER_METHOD) {
            String name = names.allocate("allocate" + (i / ALLOCATIONS_PER_METHOD + 1));
            MethodSpec.Builder alloc = MethodSpec.methodBuilder(name).addModifiers(Modifier.PRIVATE);
            allocations.subList(i, Math.min(allocations.size(), i + ALLOCATIONS_PER_METHOD)).forEach(alloc::addCode);
            type.addMethod(alloc.build());
            constructor.addStatement("$L()", name);
        }
        type.addMethod(constructor.addStatement("initParameters(0L)").build());
        type.addMethod(MethodSpec.methodBuilder("parameters").addModifiers(Modifier.PUBLIC).returns(arrayType)
                .addJavadoc("The parameters as one flat array, in declaration order (matrices row-major); the live array, not a copy.\n")
                .addStatement("return $L", Layout.PARAMS).build());
        type.addMethod(MethodSpec.methodBuilder("gradient").addModifiers(Modifier.PUBLIC).returns(arrayType)
                .addJavadoc("The gradient of the last {@code lossAndGradient} call, in the order of {@link #parameters()}; the live array.\n")
                .addStatement("return $L", Layout.GRAD).build());
        type.addMethod(parameterLayout());
        type.addMethod(initParameters());
        type.addMethod(entry("loss", false));
        type.addMethod(entry("lossAndGradient", true));
        List<Chunker> outputChunkers = new ArrayList<>();
        for (int k = 0; k < outputs.size(); k++) {
            outputChunkers.add(outputMethod(type, outputs.get(k), outputMethods.get(k)));
        }

        Chunker chunker = new Chunker(source, layout, new MethodNamer("forward"));
        type.addMethod(MethodSpec.methodBuilder("forward").addModifiers(Modifier.PRIVATE)
                .addCode(chunker.body(units(forward), List.of())).build());
        Chunker back = new Chunker(source, layout, new MethodNamer("backward"));
        type.addMethod(MethodSpec.methodBuilder("backward").addModifiers(Modifier.PRIVATE)
                .addCode(back.body(backwardUnits(), List.of())).build());
        chunker.methods().forEach(type::addMethod);
        back.methods().forEach(type::addMethod);
        outputChunkers.forEach(c -> c.methods().forEach(type::addMethod));
        for (Object[] f : scratchFields.values()) {
            type.addField(FieldSpec.builder(ArrayTypeName.of(arrayType), f[0].toString(), Modifier.PRIVATE, Modifier.FINAL)
                    .addJavadoc("Rows for matrix products: C2 vectorizes loops over row arrays, not over offsets into flat ones.\n")
                    .initializer("new $L[$L][$L]", precision.type(), f[1], f[2]).build());
        }
        helpers(type);
        if (simdPanel != null) {
            SimdKernel.addTo(type, simdPanel, precision);
        }
        // Last: whether the class needs more than java.base is known once its code is written.
        type.addJavadoc(classJavadoc());

        JavaFile file = JavaFile.builder(packageName, type.build())
                .skipJavaLangImports(true)
                .indent("    ")
                .addFileComment("Generated by lossc from $L. Do not edit.", Chunker.commentText(fileName()))
                .build();
        return file.toString();
    }

    private String fileName() {
        String f = source.name().replace('\\', '/');
        return f.substring(f.lastIndexOf('/') + 1);
    }

    private final class MethodNamer implements java.util.function.Supplier<String> {
        private final String prefix;
        private int next = 1;

        MethodNamer(String prefix) {
            this.prefix = prefix;
        }

        public String get() {
            return names.allocate(prefix + next++);
        }
    }

    // ------------------------------------------------------------------ names and storage

    private void allocateNames() {
        for (Symbol.Dim d : ir.dims()) {
            String name = names.allocate(d.name());
            dimNames.add(name);
            if (d.varying()) {
                maxNames.put(d.name(), names.allocate("MAX_" + d.name()));
                layout.nameDim(d.name(), name);
            }
        }
        for (Value p : ir.params()) {
            layout.nameParamOffset(p);
        }
        for (Value in : ir.inputs()) {
            layout.namePrimal(in, in.name());
        }
        for (Value v : ir.vars()) {
            layout.namePrimal(v, v.name());
        }
        collectTemps(ir.body());
        for (OutputPlan o : outputs) {
            collectTemps(o.output().body());
        }
        for (Value t : temps) {
            layout.namePrimal(t, t.name() != null ? t.name() : "tmp" + ++anonymous);
        }
        collectReferenced(forward);
        collectReferenced(backward);
        for (OutputPlan o : outputs) {
            collectReferenced(o.body());
            referenced.add(o.output().value());
        }
        for (Value v : ir.vars()) {
            if (adjointOf.containsKey(v)) {
                layout.nameAdjoint(v);
            }
        }
        for (Value v : temps) {
            if (adjointOf.containsKey(v)) {
                layout.nameAdjoint(v);
            }
        }
        collectLoops(forward);
        for (OutputPlan o : outputs) {
            collectLoops(o.body());
        }
    }

    private final java.util.Set<Value> seenTemps = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

    private void collectTemps(List<Stmt> body) {
        for (Stmt s : body) {
            if (s instanceof Stmt.Loop l) {
                collectTemps(l.body());
            } else if (Stmt.written(s).kind() == Value.Kind.TEMP && seenTemps.add(Stmt.written(s))) {
                temps.add(Stmt.written(s));
            }
        }
    }

    /** The adjoint value of each primal value whose adjoint the backward pass uses. */
    private final java.util.Map<Value, Value> adjointOf = new java.util.IdentityHashMap<>();

    private void collectReferenced(List<Stmt> body) {
        for (Stmt s : body) {
            if (s instanceof Stmt.Loop l) {
                collectReferenced(l.body());
                continue;
            }
            List<Value> all = new ArrayList<>(Stmt.read(s));
            all.add(Stmt.written(s));
            for (Value v : all) {
                Value root = v.root();
                referenced.add(root);
                if (root.kind() == Value.Kind.ADJOINT) {
                    adjointOf.put(root.primal(), root);
                }
            }
        }
    }

    private void collectLoops(List<Stmt> body) {
        for (Stmt s : body) {
            if (s instanceof Stmt.Loop l) {
                layout.loop(l.loop());
                collectLoops(l.body());
            }
        }
    }

    private void constants(TypeSpec.Builder type) {
        for (int k = 0; k < ir.dims().size(); k++) {
            Symbol.Dim d = ir.dims().get(k);
            if (d.varying()) {
                type.addField(FieldSpec.builder(int.class, maxNames.get(d.name()), Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
                        .addJavadoc("The largest size of dim {@code $L}, which varies per call (1 … $L).\n", d.name(), d.value())
                        .initializer("$L", d.value()).build());
                continue;
            }
            type.addField(FieldSpec.builder(int.class, dimNames.get(k), Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
                    .addJavadoc("dim {@code $L}.\n", d.name())
                    .initializer("$L", d.value()).build());
        }
        int offset = 0;
        for (Value p : ir.params()) {
            offset += p.shape().size();
        }
        type.addField(FieldSpec.builder(int.class, "PARAMETER_COUNT", Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("Length of {@link #parameters()} and {@link #gradient()}.\n")
                .initializer("$L", offset).build());
        offset = 0;
        for (Value p : ir.params()) {
            Symbol.Param sym = ir.paramSymbols().get(p.index());
            type.addField(FieldSpec.builder(int.class, layout.offsetOf(p), Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
                    .addJavadoc("Offset of param {@code $L} $L ($L elements$L) in the flat parameter and gradient arrays.\n",
                            p.name(), p.shape(), p.shape().size(), p.shape().isMatrix() ? ", row-major" : "")
                    .initializer("$L", offset).build());
            offset += sym.shape().size();
        }
    }

    /**
     * {@code parameterLayout()}: each param's name, state-dict name, shape and offset, in java.base
     * types, so that a library (lossc-runtime's {@code Parameters}) can read and write parameters by
     * name without reflection and without the class depending on it.
     */
    private MethodSpec parameterLayout() {
        CodeBlock.Builder rows = CodeBlock.builder().add("return new Object[][] {\n").indent();
        for (Value p : ir.params()) {
            Symbol.Param sym = ir.paramSymbols().get(p.index());
            CodeBlock dims = switch (p.shape().rank()) {
                case 0 -> CodeBlock.of("new int[0]");
                case 1 -> CodeBlock.of("new int[] {$L}", p.shape().cols());
                default -> CodeBlock.of("new int[] {$L, $L}", p.shape().rows(), p.shape().cols());
            };
            rows.add("{$S, $S, $L, $L},\n", p.name(), sym.key(), dims, layout.offsetOf(p));
        }
        rows.unindent().add("};\n");
        return MethodSpec.methodBuilder("parameterLayout").addModifiers(Modifier.PUBLIC, Modifier.STATIC).returns(Object[][].class)
                .addJavadoc("Every parameter, in the order of {@link #parameters()}, as a row\n"
                        + "{@code {name, stateDictName, int[] shape, offset}}: what lossc-runtime's\n"
                        + "{@code Parameters.of(parameterLayout())} reads to load and save the parameters by name\n"
                        + "(lossc JSON, safetensors, npz). A new array on each call.\n")
                .addCode(rows.build()).build();
    }

    /** Above this many arrays, they are allocated by private methods (javac's 64 KiB limit on the constructor). */
    private static final int ALLOCATIONS_PER_METHOD = 250;

    private final List<CodeBlock> allocations = new ArrayList<>();

    private void storage(TypeSpec.Builder type) {
        type.addField(FieldSpec.builder(arrayType, Layout.PARAMS, Modifier.PRIVATE, Modifier.FINAL)
                .initializer("new $L[PARAMETER_COUNT]", precision.type()).build());
        type.addField(FieldSpec.builder(arrayType, Layout.GRAD, Modifier.PRIVATE, Modifier.FINAL)
                .initializer("new $L[PARAMETER_COUNT]", precision.type()).build());
        for (int k = 0; k < ir.dims().size(); k++) {
            if (ir.dims().get(k).varying()) {
                type.addField(FieldSpec.builder(int.class, dimNames.get(k), Modifier.PRIVATE)
                        .addJavadoc("The actual size of dim {@code $L} in the current call.\n", ir.dims().get(k).name()).build());
            }
        }
        for (Value in : ir.inputs()) {
            type.addField(FieldSpec.builder(inputType(in), layout.primalName(in), Modifier.PRIVATE)
                    .addJavadoc("input {@code $L} $L, held during a call.\n", in.name(), in.shape()).build());
        }
        List<Value> values = new ArrayList<>(ir.vars());
        for (Value t : temps) {
            if (referenced.contains(t) || t == ir.loss()) {
                values.add(t);
            }
        }
        List<Value> withAdjoints = new ArrayList<>(ir.vars());
        withAdjoints.addAll(temps);
        long arrays = values.stream().filter(layout::isArray).count()
                + withAdjoints.stream().filter(v -> layout.adjointName(v) != null && v.shape().size() > 1).count();
        boolean viaMethods = arrays > ALLOCATIONS_PER_METHOD;
        for (Value v : values) {
            String what = v.kind() == Value.Kind.VAR ? "var {@code " + v.name() + "}" : v.name() != null ? "{@code " + v.name() + "}" : "intermediate";
            List<Symbol.Loop> slots = layout.slotLoops(v);
            String loops = slots.isEmpty() ? "" : ", one slot per iteration of " + String.join(", ", slots.stream().map(Symbol.Loop::name).toList());
            type.addField(field(layout.primalName(v), layout.isArray(v), layout.storageLength(v), what + " " + v.shape() + loops, viaMethods));
        }
        for (Value v : withAdjoints) {
            if (layout.adjointName(v) != null) {
                type.addField(field(layout.adjointName(v), v.shape().size() > 1, v.shape().size(),
                        "adjoint of " + layout.primalName(v), viaMethods));
            }
        }
    }

    private FieldSpec field(String name, boolean array, int length, String doc, boolean viaMethods) {
        if (array && viaMethods) {
            allocations.add(CodeBlock.builder().addStatement("$L = new $L[$L]", name, precision.type(), length).build());
            return FieldSpec.builder(arrayType, name, Modifier.PRIVATE).addJavadoc("$L\n", doc).build();
        }
        if (array) {
            return FieldSpec.builder(arrayType, name, Modifier.PRIVATE, Modifier.FINAL)
                    .addJavadoc("$L\n", doc).initializer("new $L[$L]", precision.type(), length).build();
        }
        return FieldSpec.builder(scalarType, name, Modifier.PRIVATE).addJavadoc("$L\n", doc).build();
    }

    // ------------------------------------------------------------------ public API

    private CodeBlock classJavadoc() {
        CodeBlock.Builder doc = CodeBlock.builder();
        doc.add("Loss and gradient of model {@code $L}, generated by lossc from {@code $L}.\n\n", ir.className(), Chunker.commentText(fileName()));
        doc.add("<p>Inputs, in call order:");
        if (ir.inputs().isEmpty()) {
            doc.add(" none.");
        }
        doc.add("\n<ul>\n");
        for (Value in : ir.inputs()) {
            doc.add("<li>{@code $L} $L: $L</li>\n", in.name(), in.shape(), javaType(in));
        }
        doc.add("</ul>\n\n<p>Parameters, in the flat order of {@link #parameters()} and {@link #gradient()}:\n<ul>\n");
        for (Value p : ir.params()) {
            Symbol.Param sym = ir.paramSymbols().get(p.index());
            doc.add("<li>{@code $L} $L at {@link #$L}, initialized by {@code $L}$L</li>\n", p.name(), p.shape(), layout.offsetOf(p),
                    sym.init().describe(), sym.key().equals(p.name()) ? "" : ", {@code \"" + sym.key().replace("*/", "*&#47;") + "\"} in a state dict");
        }
        doc.add("</ul>\n\n");
        if (precision.single()) {
            doc.add("<p>Generated with {@code --precision float}: parameters, gradient, inputs and results are\n"
                    + "{@code float}s, and the arithmetic is in {@code float} ({@code exp}, {@code log}, {@code tanh} and the\n"
                    + "like, and sums, are computed in {@code double} and rounded).\n\n");
        }
        doc.add("<p>An instance owns its work arrays: after construction no method allocates, and an instance\n"
                + "must be used by one thread at a time.");
        if (simdPanel != null) {
            doc.add("\nGenerated with {@code --simd}: its matrix products use the incubating Vector API, so compiling\n"
                    + "and running it need JDK 17 or later and {@code --add-modules jdk.incubator.vector}.\n");
        } else {
            doc.add(" Depends on {@code java.base} only.\n");
        }
        return doc.build();
    }

    private String javaType(Value in) {
        Shape s = in.shape();
        if (in.isInteger()) {
            String range = in.limit() > 0 ? ", each in 0.." + (in.limit() - 1) : "";
            return (s.isScalar() ? "{@code int}" : "{@code int[" + s.colAxis() + "]}") + range;
        }
        String t = precision.type();
        return s.isScalar() ? "{@code " + t + "}" : s.isVector() ? "{@code " + t + "[" + s.colAxis() + "]}"
                : "{@code " + t + "[" + s.rowAxis() + " * " + s.colAxis() + "]}, row-major";
    }

    /** The inputs as parameters, in declaration order, each with its {@code @param}. */
    private void inputParameters(MethodSpec.Builder m, List<Value> inputs, List<Symbol.Dim> dims) {
        for (Symbol.Dim d : dims) {
            String p = layout.extent(new Shape.Axis(d.value(), d.name()));
            m.addParameter(int.class, p);
            m.addJavadoc("@param $L the size of dim {@code $L} in this call, 1 … {@link #$L}\n", p, d.name(), maxNames.get(d.name()));
        }
        for (Value in : inputs) {
            String p = layout.primalName(in);
            m.addParameter(inputType(in), p);
            m.addJavadoc("@param $L input {@code $L} $L\n", p, in.name(), in.shape());
        }
    }

    private void checkInputs(MethodSpec.Builder m, List<Value> inputs, List<Symbol.Dim> dims) {
        for (Symbol.Dim d : dims) {
            String p = layout.extent(new Shape.Axis(d.value(), d.name()));
            m.addStatement("checkSize($S, $L, $L)", d.name(), p, maxNames.get(d.name()));
            m.addStatement("this.$L = $L", p, p);
        }
        for (Value in : inputs) {
            if (in.shape().varies()) {
                // Rows beyond the actual size are ignored: the array may be longer.
                String needed = layout.count(in.shape());
                String spelled = in.shape().elements();
                if (in.isInteger()) {
                    m.addStatement("checkIndicesAtLeast($S, $L, $L, $S, $L)", in.name(), layout.primalName(in), needed, spelled, in.limit());
                } else {
                    m.addStatement("checkAtLeast($S, $L, $L, $S)", in.name(), layout.primalName(in), needed, spelled);
                }
                continue;
            }
            if (in.isInteger()) {
                if (!in.shape().isScalar()) {
                    m.addStatement("checkIndices($S, $L, $L, $L)", in.name(), layout.primalName(in), in.shape().size(), in.limit());
                } else if (in.limit() > 0) {
                    m.addStatement("checkIndex($S, $L, $L)", in.name(), layout.primalName(in), in.limit());
                }
            } else if (!in.shape().isScalar()) {
                m.addStatement("checkLength($S, $L, $L)", in.name(), layout.primalName(in), in.shape().size());
            }
        }
    }

    /** {@code double}, {@code double[]} (or {@code float}, {@code float[]}), or for an int input {@code int}, {@code int[]}. */
    private TypeName inputType(Value in) {
        if (in.isInteger()) {
            return in.shape().isScalar() ? TypeName.INT : INTS;
        }
        return in.shape().isScalar() ? scalarType : arrayType;
    }

    /** The inputs are held in fields for the call ... */
    private void holdInputs(MethodSpec.Builder m, List<Value> inputs) {
        for (Value in : inputs) {
            m.addStatement("this.$L = $L", layout.primalName(in), layout.primalName(in));
        }
    }

    /** ... and the arrays released after it: the instance keeps no reference to the caller's data. */
    private void releaseInputs(MethodSpec.Builder m, List<Value> inputs) {
        for (Value in : inputs) {
            if (!in.shape().isScalar()) {
                m.addStatement("this.$L = null", layout.primalName(in));
            }
        }
    }

    private MethodSpec entry(String name, boolean withGradient) {
        MethodSpec.Builder m = MethodSpec.methodBuilder(name).addModifiers(Modifier.PUBLIC).returns(scalarType);
        if (withGradient) {
            m.addJavadoc("Computes the loss and writes its gradient into {@link #gradient()} (overwriting it).\n\n");
        } else {
            m.addJavadoc("Computes the loss only.\n\n");
        }
        List<Symbol.Dim> dims = ir.varyingDims(ir.inputs(), ir.body(), ir.loss().shape());
        inputParameters(m, ir.inputs(), dims);
        m.addJavadoc("@return the loss\n@throws IllegalArgumentException if an array argument is null or has the wrong length$L\n",
                dims.isEmpty() ? "" : ", or a size is outside its range");
        checkInputs(m, ir.inputs(), dims);
        holdInputs(m, ir.inputs());
        m.addStatement("forward()");
        if (withGradient) {
            m.addStatement("backward()");
        }
        releaseInputs(m, ir.inputs());
        m.addStatement("return $L", layout.at(ir.loss(), false, "0"));
        return m.build();
    }

    /**
     * An output's public method: it takes only the inputs the output depends on, runs the output's
     * own statements (no loss, no gradient) and returns the value (a scalar) or copies it into the
     * caller's array. Returns the chunker that holds the private methods of its body.
     */
    private Chunker outputMethod(TypeSpec.Builder type, OutputPlan plan, String method) {
        IrProgram.Output o = plan.output();
        Value v = o.value();
        List<Value> needed = ir.inputsOf(o);
        boolean scalar = v.shape().size() == 1;
        MethodSpec.Builder m = MethodSpec.methodBuilder(method).addModifiers(Modifier.PUBLIC).returns(scalar ? scalarType : arrayType);
        String declared = o.pos() == null ? "" : source.line(o.pos().line()).strip();
        m.addJavadoc("Output {@code $L} $L, from the current parameters (line $L: {@code $L}).\n", o.name(), v.shape(),
                o.pos() == null ? "?" : o.pos().line(), Chunker.commentText(declared).replace("@", "{@literal @}"));
        m.addJavadoc("Computes only what the output needs: no loss, no gradient$L.\n\n",
                needed.size() == ir.inputs().size() ? "" : "; the other inputs are not needed");
        List<Symbol.Dim> dims = ir.varyingDims(needed, o.body(), v.shape());
        inputParameters(m, needed, dims);
        String dest = null;
        if (!scalar) {
            dest = outputDestination;
            m.addParameter(arrayType, dest);
            String count = !v.shape().varies() ? Integer.toString(v.shape().size()) : v.shape().elements();
            m.addJavadoc("@param $L where the output is written: $L elements$L\n", dest, count, v.shape().isMatrix() ? ", row-major" : "");
            m.addJavadoc("@return {@code $L}\n", dest);
        } else {
            m.addJavadoc("@return the output\n");
        }
        if (!needed.stream().allMatch(in -> in.shape().isScalar()) || !scalar) {
            m.addJavadoc("@throws IllegalArgumentException if an array argument is null or has the wrong length\n");
        }
        checkInputs(m, needed, dims);
        if (!scalar && v.shape().varies()) {
            m.addStatement("checkAtLeast($S, $L, $L, $S)", dest, dest, layout.count(v.shape()), v.shape().elements());
        } else if (!scalar) {
            m.addStatement("checkLength($S, $L, $L)", dest, dest, v.shape().size());
        }
        holdInputs(m, needed);
        String body = names.allocate("compute_" + method);
        m.addStatement("$L()", body);
        releaseInputs(m, needed);
        if (scalar) {
            m.addStatement("return $L", layout.at(v, false, "0"));
        } else {
            Layout.Address b = layout.base(v);
            Shape os = v.shape();
            if (os.colDim() != null && os.isMatrix()) {
                // Stored with the maximum's row stride, written packed: B columns per row.
                String cols = layout.extent(os.colAxis());
                m.beginControlFlow("for (int i = 0; i < $L; i++)", layout.extent(os.rowAxis()))
                        .addStatement("System.arraycopy($L, $L, $L, i * $L, $L)", b.array(), Layout.add(b.offset(), "i * " + os.cols()), dest, cols, cols)
                        .endControlFlow();
            } else {
                m.addStatement("System.arraycopy($L, $L, $L, 0, $L)", b.array(), b.offset(), dest, layout.count(os));
            }
            m.addStatement("return $L", dest);
        }
        type.addMethod(m.build());
        Chunker chunker = new Chunker(source, layout, new MethodNamer(body + "_"));
        type.addMethod(MethodSpec.methodBuilder(body).addModifiers(Modifier.PRIVATE)
                .addCode(chunker.body(units(plan.body()), List.of())).build());
        return chunker;
    }

    private MethodSpec initParameters() {
        MethodSpec.Builder m = MethodSpec.methodBuilder("initParameters").addModifiers(Modifier.PUBLIC)
                .addParameter(long.class, "seed")
                .addJavadoc("Fills the parameters as declared (xavier for matrices and zeros otherwise by default);\n"
                        + "the same seed gives the same values on every JVM.\n");
        for (Value p : ir.params()) {
            Symbol.Param sym = ir.paramSymbols().get(p.index());
            Symbol.Initializer init = sym.init();
            Shape s = p.shape();
            int fanIn = s.isMatrix() ? s.cols() : s.size();
            int fanOut = s.isMatrix() ? s.rows() : s.size();
            String off = layout.offsetOf(p);
            boolean one = s.size() == 1;
            String at = Layout.PARAMS + "[" + off + (one ? "]" : " + i]");
            String k = one ? off : off + " + i";
            m.addComment("$L $L: $L", p.name(), s, init.describe());
            if (!one) {
                m.beginControlFlow("for (int i = 0; i < $L; i++)", s.size());
            }
            switch (init.kind()) {
                // Drawn in double; a float class rounds each value (the double class's values, rounded).
                case ZEROS -> m.addStatement("$L = $L", at, precision.zero());
                case ONES -> m.addStatement("$L = $L", at, precision.literal(1.0));
                case UNIFORM -> m.addStatement("$L = $L", at, drawn(Precision.DOUBLE.literal(init.a()) + " + ("
                        + Precision.DOUBLE.literal(init.b() - init.a()) + ") * uniform(seed, " + k + ")"));
                case NORMAL -> m.addStatement("$L = $L", at, drawn(Precision.DOUBLE.literal(init.a()) + " + "
                        + Precision.DOUBLE.literal(init.b()) + " * normal(seed, " + k + ")"));
                case XAVIER -> {
                    double bound = Math.sqrt(6.0 / (fanIn + fanOut));
                    m.addStatement("$L = $L", at, drawn(Precision.DOUBLE.literal(bound) + " * (2.0 * uniform(seed, " + k + ") - 1.0)"));
                }
                case HE -> m.addStatement("$L = $L", at, drawn(Precision.DOUBLE.literal(Math.sqrt(2.0 / fanIn)) + " * normal(seed, " + k + ")"));
            }
            if (!one) {
                m.endControlFlow();
            }
        }
        return m.build();
    }

    /** A value computed in double, as the element type: {@code (float) (v)} in a float class. */
    private String drawn(String v) {
        return precision.single() ? "(float) (" + v + ")" : v;
    }

    // ------------------------------------------------------------------ forward and backward

    /** The code of a statement list, forward or backward: one unit per statement, loops as loops. */
    private List<Chunker.Unit> units(List<Stmt> body) {
        List<Chunker.Unit> units = new ArrayList<>();
        for (Stmt s : body) {
            int line = s.pos() == null ? -1 : s.pos().line();
            units.add(Stmt.visit(s, new Stmt.Visitor<Chunker.Unit>() {
                public Chunker.Unit op(Stmt.Op op) {
                    Stmt.Note n = op.epilogue() == null ? op.note() : Stmt.Note.join(op.note(), op.epilogue().note());
                    return new Chunker.Code(kernels.op(op), line, note(n));
                }

                public Chunker.Unit map(Stmt.Map m) {
                    return new Chunker.Code(kernels.map(m), line, note(m.note()));
                }

                public Chunker.Unit assign(Stmt.Assign a) {
                    throw new IllegalStateException("assignments are lowered to maps before code generation");
                }

                public Chunker.Unit zero(Stmt.Zero z) {
                    return new Chunker.Code(kernels.zero(z), line, null);
                }

                public Chunker.Unit loop(Stmt.Loop l) {
                    String t = layout.loop(l.loop());
                    String end = layout.loopEnd(l.loop());
                    String last = l.loop().toDim() == null ? Integer.toString(l.loop().to() - 1) : end + " - 1";
                    String header = l.reversed()
                            ? "for (int " + t + " = " + last + "; " + t + " >= " + l.loop().from() + "; " + t + "--)"
                            : "for (int " + t + " = " + l.loop().from() + "; " + t + " < " + end + "; " + t + "++)";
                    return new Chunker.Loop(header, l.loop(), units(l.body()), line);
                }
            }));
        }
        return units;
    }

    /** A backward statement's origin, in the generated class's names: {@code d h from tmp1 = mul: da += dy * b}. */
    private String note(Stmt.Note n) {
        if (n == null) {
            return null;
        }
        String line = n.prim() == null ? n.text() : "d " + describe(n.operand()) + " from " + layout.primalName(n.result()) + " = "
                + n.prim().label(n.attributes()) + ": " + n.prim().describeRule(n.k(), n.attributes());
        return n.also() == null ? line : line + "\n// " + note(n.also());
    }

    private String describe(Value v) {
        Value root = v.root();
        String base = root.kind() == Value.Kind.PARAM ? root.name() : layout.primalName(root);
        return v.kind() == Value.Kind.VIEW ? base + "[" + layout.affine(v.viewOffset()) + " + …]" : base;
    }

    /** The backward pass; when it starts by clearing every param's gradient, that is one fill. */
    private List<Chunker.Unit> backwardUnits() {
        List<Stmt> body = new ArrayList<>(backward);
        java.util.Set<Value> cleared = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        int leading = 0;
        while (leading < body.size() && body.get(leading) instanceof Stmt.Zero z && z.target().kind() == Value.Kind.ADJOINT
                && z.target().primal().kind() == Value.Kind.PARAM) {
            cleared.add(z.target().primal());
            leading++;
        }
        List<Chunker.Unit> units = new ArrayList<>();
        if (!ir.params().isEmpty() && cleared.size() == ir.params().size()) {
            units.add(new Chunker.Code(CodeBlock.builder().addStatement("$T.fill($L, $L)", ARRAYS, Layout.GRAD, precision.zero()).build(), -1, null));
            body = body.subList(leading, body.size());
        }
        units.addAll(units(body));
        return units;
    }

    private void helpers(TypeSpec.Builder type) {
        for (ScalarFn f : usedFunctions) {
            if (f.isHelper()) {
                type.addMethod(helper(f.helperSource()));
            }
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
        if (ir.inputs().stream().anyMatch(in -> !in.isInteger() && !in.shape().isScalar() && !in.shape().varies())
                || outputs.stream().anyMatch(o -> o.output().value().shape().size() > 1 && !o.output().value().shape().varies())) {
            type.addMethod(checkLength());
        }
        if (ir.inputs().stream().anyMatch(in -> in.isInteger() && !in.shape().isScalar() && !in.shape().varies())) {
            type.addMethod(checkIndices());
        }
        if (ir.dims().stream().anyMatch(Symbol.Dim::varying)) {
            type.addMethod(checkSize());
        }
        if (ir.inputs().stream().anyMatch(in -> !in.isInteger() && in.shape().varies())
                || outputs.stream().anyMatch(o -> o.output().value().shape().size() > 1 && o.output().value().shape().varies())) {
            type.addMethod(checkAtLeast());
        }
        if (ir.inputs().stream().anyMatch(in -> in.isInteger() && in.shape().varies())) {
            type.addMethod(checkIndicesAtLeast());
        }
        if (ir.inputs().stream().anyMatch(in -> in.isInteger() && in.shape().isScalar() && in.limit() > 0)) {
            type.addMethod(checkIndex());
        }
    }

    /** A helper method from its source text ({@link ScalarFn#helperSource()}). */
    private static MethodSpec helper(String source) {
        String header = source.substring(0, source.indexOf('{')).strip();
        String name = header.substring(header.indexOf("double ") + 7, header.indexOf('('));
        String body = source.substring(source.indexOf('{') + 1, source.lastIndexOf('}'));
        StringBuilder code = new StringBuilder();
        for (String line : body.split("\n")) {
            String stripped = line.length() >= 4 && line.startsWith("    ") ? line.substring(4) : line.strip();
            if (!stripped.isBlank()) {
                code.append(stripped).append('\n');
            }
        }
        return MethodSpec.methodBuilder(name).addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(double.class).addParameter(double.class, "x")
                .addCode(code.toString().replace("$", "$$")).build();
    }

    private void randomHelpers(TypeSpec.Builder type, boolean uniform, boolean normal) {
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
    private MethodSpec checkAtLeast() {
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

    private MethodSpec checkLength() {
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
