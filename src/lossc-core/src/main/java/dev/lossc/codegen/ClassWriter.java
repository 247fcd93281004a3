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
    static final TypeName INTS = TypeName.get(int[].class);
    /** java.lang types the generated code names: the class and its fields must not hide them. */
    private static final Set<String> JAVA_LANG = Set.of("Math", "Double", "Float", "IllegalArgumentException", "String", "Object", "System", "Override", "Integer", "Long");

    final IrProgram ir;
    private final List<Stmt> forward;
    private final List<Stmt> backward;
    private final List<OutputPlan> outputs;
    private final DerivativePlans derivatives;
    /** The Java method name of each output, in the order of {@link #outputs}. */
    private final List<String> outputMethods = new ArrayList<>();
    /** The caller's array an array output is written into (named before the inputs, so it is {@code out}). */
    String outputDestination;
    final SourceText source;
    private final String packageName;
    final JavaNames names = new JavaNames();
    final Layout layout;
    private final Kernels kernels;
    private final String className;
    private final List<Value> temps = new ArrayList<>();
    /** Scratch row arrays of the matrix-product kernels, by role and shape: name, rows, cols. */
    private final ScratchRows scratch;
    /** The scalar functions the emitted code calls: their helpers are emitted, no others. */
    private final java.util.Set<ScalarFn> usedFunctions = java.util.EnumSet.noneOf(ScalarFn.class);
    /** Every value the forward or backward pass reads or writes: only these get storage. */
    private final java.util.Set<Value> referenced = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    private final List<String> dimNames = new ArrayList<>();
    /** For a dim that varies per call: the constant holding its maximum ({@code MAX_B}); its actual size is in the field of {@link #dimNames}. */
    final java.util.Map<String, String> maxNames = new java.util.HashMap<>();
    private int anonymous;
    /** With {@code --simd}, once a product uses it: the field holding {@link SimdKernel}'s panel of B. */
    String simdPanel;
    /** With {@code --simd}: the most rows of C of any product on the kernel (the rows of A its panel holds). */
    private int simdRows;
    private final boolean simd;
    final Precision precision;
    /** The element type ({@code double} or {@code float}) and its arrays, as JavaPoet types. */
    final TypeName scalarType;
    final TypeName arrayType;

    /** An output and the optimized statements that compute it. */
    public record OutputPlan(IrProgram.Output output, List<Stmt> body) {
        public OutputPlan {
            body = List.copyOf(body);
        }
    }

    final StorageAccount account;
    /** The drivers of checkpointed loops. */
    final Checkpoints checkpoints;
    private final Notes notes = new Notes(this);

    /** With {@code --parallel}: the split kernels and the members that run them; null otherwise. */
    final ParallelWriter parallel;

    private ClassWriter(IrProgram ir, List<Stmt> forward, List<Stmt> backward, List<OutputPlan> outputs, DerivativePlans derivatives,
                        SourceText source, String packageName, boolean simd, Precision precision, boolean parallel) {
        this.ir = ir;
        this.forward = forward;
        this.backward = backward;
        this.outputs = List.copyOf(outputs);
        this.derivatives = derivatives;
        this.source = source;
        this.packageName = packageName;
        this.precision = precision;
        this.scalarType = precision.single() ? TypeName.FLOAT : TypeName.DOUBLE;
        this.arrayType = ArrayTypeName.of(scalarType);
        java.util.Set<Value> readByBackward = readBy(backward);
        for (List<Stmt> b : derivatives.backwards()) {
            readByBackward.addAll(readBy(b));
        }
        this.layout = new Layout(names, readByBackward, precision);
        this.checkpoints = new Checkpoints(this, forward);
        List<List<Stmt>> bodies = new ArrayList<>(List.of(forward, backward));
        outputs.forEach(o -> bodies.add(o.body()));
        bodies.addAll(derivatives.bodies());
        this.account = new StorageAccount(ir, bodies, precision.bytes());
        layout.checkpointed = checkpoints.loops;
        this.simd = simd;
        java.util.function.IntFunction<String> panel = !simd ? null : rows -> {
            simdRows = Math.max(simdRows, rows);
            if (simdPanel == null) {
                simdPanel = names.allocate("simd_panel");
            }
            return simdPanel;
        };
        this.parallel = parallel ? new ParallelWriter(this) : null;
        this.scratch = new ScratchRows(precision.bytes());
        this.kernels = new Kernels(layout, usedFunctions::add, (role, rows, cols) -> scratch.field(role, rows, cols, names::allocate),
                panel, this.parallel);
        String cls = JavaNames.className(ir.className());
        this.className = JAVA_LANG.contains(cls) ? cls + "_" : cls;
    }

    /**
     * The Java source of the generated class: {@code ir} gives the model's interface (dims, inputs,
     * params, loss), {@code forward} and {@code backward} the two passes as optimized IR.
     */
    public static String write(IrProgram ir, List<Stmt> forward, List<Stmt> backward, List<OutputPlan> outputs, DerivativePlans derivatives,
                               SourceText source, String packageName, boolean simd, Precision precision, boolean parallel) {
        return written(ir, forward, backward, outputs, derivatives, source, packageName, simd, precision, parallel).source();
    }

    /** The class's source and the storage it owns ({@code lossc report}). */
    public record Written(String source, StorageAccount storage) {}

    public static Written written(IrProgram ir, List<Stmt> forward, List<Stmt> backward, List<OutputPlan> outputs, DerivativePlans derivatives,
                                  SourceText source, String packageName, boolean simd, Precision precision, boolean parallel) {
        ClassWriter w = new ClassWriter(ir, forward, backward, outputs, derivatives, source, packageName, simd, precision, parallel);
        String java = w.write();
        return new Written(java, w.account);
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
        names.reserve(ScalarFn.helperMemberNames().toArray(new String[0]));
        if (!ir.states().isEmpty()) {
            names.reserve(StateWriter.MEMBERS);
        }
        if (parallel != null) {
            names.reserve(ParallelWriter.TYPES);
            names.reserve("MAX_THREADS");
        }
        for (OutputPlan o : outputs) {
            // Before the locals and java.lang names, which a method may share. The checker keeps
            // outputs off the class's own members; a Java keyword gets a suffix.
            outputMethods.add(names.allocate(o.output().name()));
        }
        names.reserve(JAVA_LANG.toArray(new String[0]));
        names.reserve(Kernels.LOCALS);
        names.reserve(TensorKernels.LOCALS);
        if (simd) {
            names.reserve(SimdKernel.MEMBERS);
        }
        if (outputs.stream().anyMatch(o -> o.output().value().shape().size() > 1)) {
            outputDestination = names.allocate("out");
        }
        if (!checkpoints.loops.isEmpty()) {
            names.reserve(Checkpoints.LOCALS);
        }
        allocateNames();
        checkpoints.pairAll(forward, backward, derivatives);
        DerivativeWriter derivativeWriter = null;
        if (derivatives.any()) {
            layout.direction = names.allocate("direction");
            layout.tangentOut = derivatives.hvp() ? names.allocate("hvpOut") : null;
            derivativeWriter = new DerivativeWriter(this, new ApiWriter(this), derivatives);
        }

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
        type.addMethod(MethodSpec.methodBuilder("parameters").addModifiers(Modifier.PUBLIC).returns(arrayType)
                .addJavadoc("The parameters as one flat array, in declaration order (matrices row-major); the live array, not a copy.\n")
                .addStatement("return $L", Layout.PARAMS).build());
        type.addMethod(MethodSpec.methodBuilder("gradient").addModifiers(Modifier.PUBLIC).returns(arrayType)
                .addJavadoc("The gradient of the last {@code lossAndGradient} call, in the order of {@link #parameters()}; the live array.\n")
                .addStatement("return $L", Layout.GRAD).build());
        LayoutMethods lm = new LayoutMethods(this);
        type.addMethod(lm.parameterLayout());
        type.addMethod(lm.inputLayout());
        if (!ir.states().isEmpty()) {
            StateWriter.members(this, type, arrayType);
        }
        ApiWriter api = new ApiWriter(this);
        type.addMethod(api.initParameters());
        type.addMethod(api.entry("loss", false));
        type.addMethod(api.entry("lossAndGradient", true));
        if (DropoutGenerator.used(forward)) {
            DropoutGenerator.addTo(type);
        }
        List<Chunker> outputChunkers = new ArrayList<>();
        for (int k = 0; k < outputs.size(); k++) {
            outputChunkers.add(api.outputMethod(type, outputs.get(k), outputMethods.get(k)));
        }
        type.addMethod(lm.outputLayout(outputs, outputMethods));
        if (derivativeWriter != null) {
            derivativeWriter.fields(type);
            derivativeWriter.methods(type, outputMethods, outputs);
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
        checkpoints.addTo(type);
        // Once every product has asked for its rows; JavaPoet prints the constructor before the methods.
        CodeBlock rows = scratch.addTo(type, scalarType, account);
        if (parallel == null || !parallel.allocateParts(constructor, rows)) {
            constructor.addCode(rows);
        }
        type.addMethod(constructor.addStatement("initParameters(0L)").build());
        HelperMethods.addNeeded(type, ir, outputs, usedFunctions, arrayType, derivatives.any(), precision.single());
        if (simdPanel != null) {
            SimdKernel.addTo(type, simdPanel, precision, simdRows);
        }
        if (parallel != null) {
            parallel.addTo(type, ClassName.get(packageName, className));
        }
        // Last: whether the class needs more than java.base is known once its code is written.
        type.addJavadoc(api.classJavadoc());
        if (derivativeWriter != null) {
            type.addJavadoc(derivativeWriter.javadoc());
        }

        JavaFile file = JavaFile.builder(packageName, type.build())
                .skipJavaLangImports(true)
                .indent("    ")
                .addFileComment("Generated by lossc from $L. Do not edit.", Chunker.commentText(fileName()))
                .build();
        return file.toString();
    }

    String fileName() {
        String f = source.name().replace('\\', '/');
        return f.substring(f.lastIndexOf('/') + 1);
    }

    final class MethodNamer implements java.util.function.Supplier<String> {
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
        for (Value s : ir.states()) {
            layout.nameParamOffset(s);
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
        for (List<Stmt> b : derivatives.bodies()) {
            collectTemps(b);
        }
        // A def's own grad rule computes its values in the backward pass.
        collectTemps(backward);
        for (Value t : temps) {
            layout.namePrimal(t, t.name() != null ? t.name() : "tmp" + ++anonymous);
        }
        collectReferenced(forward);
        collectReferenced(backward);
        for (OutputPlan o : outputs) {
            collectReferenced(o.body());
            referenced.add(o.output().value());
        }
        for (List<Stmt> b : derivatives.bodies()) {
            collectReferenced(b);
        }
        if (derivatives.lossTangent() != null) {
            referenced.add(derivatives.lossTangent());
        }
        derivatives.outputs().stream().filter(o -> o.tangent() != null).forEach(o -> referenced.add(o.tangent()));
        for (Value t : tangents) {
            Value of = t.primal();
            String hint = of.kind() == Value.Kind.ADJOINT ? "t_d_" + layout.primalName(of.primal()) : "t_" + layout.primalName(of);
            layout.namePrimal(t, hint);
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
        for (List<Stmt> b : derivatives.bodies()) {
            collectLoops(b);
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

    /** The tangents with storage of their own (not a param's, which is the direction, nor a gradient's), in the order first met. */
    private final List<Value> tangents = new ArrayList<>();
    private final java.util.Set<Value> seenTangents = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

    private static boolean stored(Value tangent) {
        Value of = tangent.primal();
        return of.kind() != Value.Kind.PARAM && !(of.kind() == Value.Kind.ADJOINT && of.primal().kind() == Value.Kind.PARAM);
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
                if (root.kind() == Value.Kind.TANGENT && stored(root) && seenTangents.add(root)) {
                    tangents.add(root);
                }
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
        if (!ir.states().isEmpty()) {
            StateWriter.constants(this, type);
        }
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
            type.addField(FieldSpec.builder(new ApiWriter(this).inputType(in), layout.primalName(in), Modifier.PRIVATE)
                    .addJavadoc("input {@code $L} $L, held during a call.\n", in.name(), in.shape()).build());
        }
        List<Value> values = new ArrayList<>(ir.vars());
        for (Value t : temps) {
            if (referenced.contains(t) || t == ir.loss()) {
                values.add(t);
            }
        }
        values.addAll(tangents);
        List<Value> withAdjoints = new ArrayList<>(ir.vars());
        withAdjoints.addAll(temps);
        long arrays = values.stream().filter(layout::isArray).count()
                + withAdjoints.stream().filter(v -> layout.adjointName(v) != null && v.shape().size() > 1).count();
        boolean viaMethods = arrays > ALLOCATIONS_PER_METHOD;
        for (Value v : values) {
            String what = v.kind() == Value.Kind.TANGENT ? "tangent of " + (v.primal().kind() == Value.Kind.ADJOINT ? "the adjoint of " : "")
                    + layout.primalName(v.primal().kind() == Value.Kind.ADJOINT ? v.primal().primal() : v.primal())
                    : v.kind() == Value.Kind.VAR ? "var {@code " + v.name() + "}" : v.name() != null ? "{@code " + v.name() + "}" : "intermediate";
            List<Symbol.Loop> slots = layout.slotLoops(v);
            String loops = slots.isEmpty() ? "" : ", one slot per iteration of " + String.join(", ", slots.stream().map(Symbol.Loop::name).toList());
            type.addField(field(layout.primalName(v), layout.isArray(v), layout.storageLength(v), what + " " + v.shape() + loops, viaMethods));
            account.value(v, layout.storageLength(v), v.shape().size());
        }
        for (Value v : withAdjoints) {
            if (layout.adjointName(v) != null) {
                type.addField(field(layout.adjointName(v), v.shape().size() > 1, v.shape().size(),
                        "adjoint of " + layout.primalName(v), viaMethods));
                account.adjoint(v, v.shape().size());
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

    // ------------------------------------------------------------------ forward and backward

    /** The code of a statement list, forward or backward: one unit per statement, loops as loops. */
    List<Chunker.Unit> units(List<Stmt> body) {
        return units(body, true);
    }

    List<Chunker.Unit> units(List<Stmt> body, boolean topLevel) {
        List<Chunker.Unit> units = new ArrayList<>();
        for (Stmt s : body) {
            int line = s.pos() == null ? -1 : s.pos().line();
            units.add(Stmt.visit(s, new Stmt.Visitor<Chunker.Unit>() {
                public Chunker.Unit op(Stmt.Op op) {
                    Stmt.Note n = op.epilogue() == null ? op.note() : Stmt.Note.join(op.note(), op.epilogue().note());
                    return new Chunker.Code(kernels.op(op, topLevel), line, notes.note(n));
                }

                public Chunker.Unit map(Stmt.Map m) {
                    return new Chunker.Code(kernels.map(m), line, notes.note(m.note()));
                }

                public Chunker.Unit assign(Stmt.Assign a) {
                    throw new IllegalStateException("assignments are lowered to maps before code generation");
                }

                public Chunker.Unit zero(Stmt.Zero z) {
                    return new Chunker.Code(kernels.zero(z), line, null);
                }

                public Chunker.Unit loop(Stmt.Loop l) {
                    Chunker.Unit driven = topLevel ? checkpoints.unit(l, line) : null;
                    if (driven != null) {
                        return driven;
                    }
                    String t = layout.loop(l.loop());
                    String end = layout.loopEnd(l.loop());
                    String last = l.loop().toDim() == null ? Integer.toString(l.loop().to() - 1) : end + " - 1";
                    String header = l.reversed()
                            ? "for (int " + t + " = " + last + "; " + t + " >= " + l.loop().from() + "; " + t + "--)"
                            : "for (int " + t + " = " + l.loop().from() + "; " + t + " < " + end + "; " + t + "++)";
                    return new Chunker.Loop(header, l.loop(), units(l.body(), false), line);
                }
            }));
        }
        return units;
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
}
