package dev.lossc.codegen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.lossc.check.Symbol;
import dev.lossc.ir.Stmt;
import dev.lossc.ir.Value;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.lang.model.element.Modifier;

/**
 * Checkpointed loops ({@code for t in 0..T checkpoint(S)}): their values keep one slot, not one per
 * iteration, and the backward pass gets each iteration's values back by recomputing it from a
 * snapshot of the loop's state (the values its body writes that live across iterations, and the
 * dropout generator's state) on the {@link Revolve} schedule. Each pair of a forward and a backward
 * body (the gradient's, the Hessian-vector product's, a Jacobian's reverse sweeps) has a driver
 * of its own: snapshot storage allocated with the instance, a method for one iteration of each
 * pass, and the recursive schedule. The forward pass takes the schedule's first snapshots on its
 * way; the backward pass keeps the state the loop ended in and puts it back when it is done, so
 * values, gradient and later calls are bit for bit those of the same loop without
 * {@code checkpoint}.
 */
final class Checkpoints {
    private final ClassWriter w;
    /** Every loop the class drives: top-level loops with snapshots in the forward pass. */
    final Set<Symbol.Loop> loops = new LinkedHashSet<>();
    private final Map<Stmt.Loop, Driver> byLoop = new IdentityHashMap<>();
    private final List<Driver> drivers = new ArrayList<>();
    private String split;

    Checkpoints(ClassWriter w, List<Stmt> forward) {
        this.w = w;
        for (Stmt s : forward) {
            if (s instanceof Stmt.Loop l && l.loop().snapshots() > 0) {
                loops.add(l.loop());
            }
        }
    }

    /** The locals of the drivers' methods: a class with a checkpointed loop gives no field these names. */
    static final String[] LOCALS = {"slot", "base", "from", "to", "free", "middle", "last"};

    /** Pairs every forward body with its backward body: the gradient's, the Hessian-vector product's, each Jacobian's reverse sweeps. */
    void pairAll(List<Stmt> forward, List<Stmt> backward, DerivativePlans derivatives) {
        if (loops.isEmpty()) {
            return;
        }
        pair(forward, backward);
        if (derivatives.hvpForward() != null) {
            pair(derivatives.hvpForward(), derivatives.hvpBackward());
        }
        for (DerivativePlans.OutputTangent o : derivatives.outputs()) {
            if (o.reverse() != null) {
                pair(o.reverse().forward(), o.reverse().backward());
            }
        }
    }

    /** Pairs the checkpointed loops of a forward body with their reversed loops in its backward body. */
    void pair(List<Stmt> forward, List<Stmt> backward) {
        for (Stmt b : backward) {
            if (b instanceof Stmt.Loop rev && rev.reversed() && loops.contains(rev.loop())) {
                Stmt.Loop fwd = forward.stream().filter(s -> s instanceof Stmt.Loop f && f.loop() == rev.loop())
                        .map(s -> (Stmt.Loop) s).findFirst()
                        .orElseThrow(() -> new IllegalStateException("no forward loop for the checkpointed loop over " + rev.loop().name()));
                Driver d = new Driver(fwd, rev, drivers.size() + 1);
                drivers.add(d);
                byLoop.put(fwd, d);
                byLoop.put(rev, d);
            }
        }
    }

    /** The code standing for {@code l} when a driver runs it (its forward or its backward), else null. */
    Chunker.Unit unit(Stmt.Loop l, int line) {
        Driver d = byLoop.get(l);
        if (d == null) {
            return null;
        }
        return new Chunker.Code(l.reversed() ? d.backward() : d.forward(), line,
                l.reversed() ? "checkpointed: each iteration recomputed from a snapshot (revolve, " + l.loop().snapshots() + " snapshots)"
                        : "checkpointed: the schedule's first snapshots taken on the way");
    }

    /** The drivers' fields and methods. */
    void addTo(TypeSpec.Builder type) {
        for (Driver d : drivers) {
            d.addTo(type);
            d.extra.forEach(type::addMethod);
        }
        if (split != null) {
            type.addMethod(MethodSpec.methodBuilder(split).addModifiers(Modifier.PRIVATE, Modifier.STATIC).returns(int.class)
                    .addParameter(int.class, "n").addParameter(int.class, "s")
                    .addJavadoc("Revolve's next snapshot for {@code n} iterations and {@code s} free slots: how many iterations\n"
                            + "after the first it goes (Griewank and Walther's binomial schedule).\n")
                    .addCode(Revolve.SPLIT_SOURCE).build());
        }
    }

    private String split() {
        if (split == null) {
            split = w.names.allocate("checkpointSplit");
        }
        return split;
    }

    /** The state of a loop: every value its body writes that is not one of its own per-iteration values. */
    static List<Value> state(Stmt.Loop l) {
        Set<Value> out = new LinkedHashSet<>();
        collect(l.body(), l.loop(), out);
        return new ArrayList<>(out);
    }

    private static void collect(List<Stmt> body, Symbol.Loop loop, Set<Value> out) {
        for (Stmt s : body) {
            if (s instanceof Stmt.Loop inner) {
                collect(inner.body(), loop, out);
                continue;
            }
            Value root = Stmt.written(s).root();
            if (root.kind() != Value.Kind.ADJOINT && root.kind() != Value.Kind.PARAM && !root.loops().contains(loop)
                    && !(root.kind() == Value.Kind.TANGENT && root.primal().kind() == Value.Kind.PARAM)) {
                out.add(root);
            }
        }
    }

    private final class Driver {
        final Stmt.Loop forward;
        final Stmt.Loop backward;
        final Symbol.Loop loop;
        final int snapshots;
        final List<Value> state;
        final int size;
        final boolean dropout;
        final String store;
        final String at;
        final String dropoutStore;
        final String step;
        final String backStep;
        final String save;
        final String restore;
        final String reverse;

        Driver(Stmt.Loop forward, Stmt.Loop backward, int n) {
            this.forward = forward;
            this.backward = backward;
            this.loop = forward.loop();
            this.snapshots = loop.snapshots();
            this.state = state(forward);
            int total = 0;
            for (Value v : state) {
                total += v.shape().size();
            }
            this.size = total;
            this.dropout = DropoutGenerator.used(forward.body());
            String tag = loop.name() + (n == 1 ? "" : Integer.toString(n));
            this.store = w.names.allocate("snapshots_" + tag);
            this.at = w.names.allocate("snapshotAt_" + tag);
            this.dropoutStore = dropout ? w.names.allocate("snapshotDropout_" + tag) : null;
            this.step = w.names.allocate("step_" + tag);
            this.backStep = w.names.allocate("backStep_" + tag);
            this.save = w.names.allocate("save_" + tag);
            this.restore = w.names.allocate("restore_" + tag);
            this.reverse = w.names.allocate("reverse_" + tag);
        }

        String from() {
            return Integer.toString(loop.from());
        }

        /** The loop, taking the schedule's first snapshots as it passes them. */
        CodeBlock forward() {
            String t = w.layout.loop(loop);
            String k = w.names.allocate("slot");
            String next = w.names.allocate("nextSnapshot");
            String end = w.layout.loopEnd(loop);
            CodeBlock.Builder b = CodeBlock.builder();
            b.addStatement("int $L = 0", k).addStatement("int $L = $L", next, from());
            b.beginControlFlow("for (int $L = $L; $L < $L; $L++)", t, from(), t, end, t);
            b.beginControlFlow("if ($L == $L)", t, next);
            b.addStatement("$L($L)", save, k).addStatement("$L[$L] = $L", at, k, t);
            b.addStatement("$L = $L - $L > 1 && $L - 1 - $L > 0 ? $L + $L($L - $L, $L - 1 - $L) : -1",
                    next, end, t, snapshots, k, t, split(), end, t, snapshots, k);
            b.addStatement("$L++", k);
            b.endControlFlow();
            b.addStatement("$L($L)", step, t);
            b.endControlFlow();
            b.beginControlFlow("for (; $L < $L; $L++)", k, snapshots, k).addStatement("$L[$L] = -1", at, k).endControlFlow();
            return b.build();
        }

        /** The reversed loop: keep the end state, reverse on the schedule, put the end state back. */
        CodeBlock backward() {
            return CodeBlock.builder()
                    .addStatement("$L($L)", save, snapshots)
                    .addStatement("$L($L, $L, 0, $L)", reverse, from(), w.layout.loopEnd(loop), snapshots - 1)
                    .addStatement("$L($L)", restore, snapshots).build();
        }

        void addTo(TypeSpec.Builder type) {
            TypeName array = w.arrayType;
            List<String> names = state.stream().map(v -> w.layout.primalName(v)).toList();
            type.addField(FieldSpec.builder(array, store, Modifier.PRIVATE, Modifier.FINAL)
                    .addJavadoc("Snapshots of the state of the checkpointed loop over {@code $L} ($L, $L elements each): $L slots, and one for\n"
                            + "the state it ended in.\n", loop.name(), String.join(", ", names), size, snapshots)
                    .initializer("new $L[$L]", w.precision.type(), (long) (snapshots + 1) * Math.max(1, size)).build());
            type.addField(FieldSpec.builder(TypeName.get(int[].class), at, Modifier.PRIVATE, Modifier.FINAL)
                    .addJavadoc("The iteration each snapshot slot holds the state at (-1: none).\n")
                    .initializer("new int[$L]", snapshots).build());
            if (dropout) {
                type.addField(FieldSpec.builder(ArrayTypeName.of(long.class), dropoutStore, Modifier.PRIVATE, Modifier.FINAL)
                        .addJavadoc("The dropout generator's state at each snapshot.\n").initializer("new long[$L]", snapshots + 1).build());
            }
            w.account.snapshots(forward.pos() == null ? 0 : forward.pos().line(), (long) (snapshots + 1) * Math.max(1, size), snapshots,
                    dropout ? snapshots + 1 : 0);
            String t = w.layout.loop(loop);
            type.addMethod(body(step, "One iteration of the loop over {@code $L}, forward.\n", forward.body()));
            type.addMethod(body(backStep, "One iteration of the loop over {@code $L}, backward: it reads the values {@code " + step
                    + "} left.\n", backward.body()));
            type.addMethod(copy(save, true));
            type.addMethod(copy(restore, false));
            String k = "slot";
            type.addMethod(MethodSpec.methodBuilder(reverse).addModifiers(Modifier.PRIVATE)
                    .addParameter(int.class, "from").addParameter(int.class, "to").addParameter(int.class, k).addParameter(int.class, "free")
                    .addJavadoc("Reverses iterations {@code from} to {@code to - 1} of the loop over {@code $L}, the state at {@code from} in\n"
                            + "{@code $L} and {@code free} slots after it free: revolve's binomial schedule.\n", loop.name(), k)
                    .beginControlFlow("while (to - from > 1 && free > 0)")
                    .addStatement("int middle = from + $L(to - from, free)", split())
                    .beginControlFlow("if ($L[$L + 1] != middle)", at, k)
                    .addStatement("$L($L)", restore, k)
                    .beginControlFlow("for (int $L = from; $L < middle; $L++)", t, t, t).addStatement("$L($L)", step, t).endControlFlow()
                    .addStatement("$L($L + 1)", save, k)
                    .addStatement("$L[$L + 1] = middle", at, k)
                    .endControlFlow()
                    .addStatement("$L(middle, to, $L + 1, free - 1)", reverse, k)
                    .addStatement("to = middle")
                    .endControlFlow()
                    .beginControlFlow("for (int last = to - 1; last >= from; last--)")
                    .addStatement("$L($L)", restore, k)
                    .beginControlFlow("for (int $L = from; $L <= last; $L++)", t, t, t).addStatement("$L($L)", step, t).endControlFlow()
                    .addStatement("$L(last)", backStep)
                    .endControlFlow().build());
        }

        private MethodSpec body(String name, String doc, List<Stmt> statements) {
            Chunker chunker = new Chunker(w.source, w.layout, w.new MethodNamer(name + "_"));
            CodeBlock code = chunker.body(w.units(statements, false), List.of(loop));
            extra.addAll(chunker.methods());
            return MethodSpec.methodBuilder(name).addModifiers(Modifier.PRIVATE).addParameter(int.class, w.layout.loop(loop))
                    .addJavadoc(doc, loop.name()).addCode(code).build();
        }

        private final List<MethodSpec> extra = new ArrayList<>();

        /** {@code save} (into slot {@code slot}) or {@code restore} (from it): every state value, element by element. */
        private MethodSpec copy(String name, boolean save) {
            String slot = "slot";
            MethodSpec.Builder m = MethodSpec.methodBuilder(name).addModifiers(Modifier.PRIVATE).addParameter(int.class, slot)
                    .addJavadoc(save ? "Snapshots the loop's state into slot {@code slot}.\n" : "Puts the state in slot {@code slot} back.\n");
            m.addStatement("int base = $L * $L", slot, size);
            int offset = 0;
            for (Value v : state) {
                String into = store + "[base + " + (offset == 0 ? "" : offset + " + ") + "i]";
                String of = w.layout.at(v, "i");
                if (v.shape().size() == 1) {
                    into = store + "[base" + (offset == 0 ? "" : " + " + offset) + "]";
                    of = w.layout.at(v, "0");
                    m.addStatement("$L = $L", save ? into : of, save ? of : into);
                } else {
                    m.beginControlFlow("for (int i = 0; i < $L; i++)", w.layout.count(v.shape()))
                            .addStatement("$L = $L", save ? into : of, save ? of : into).endControlFlow();
                }
                offset += v.shape().size();
            }
            if (dropout) {
                m.addStatement(save ? "$L[$L] = $L" : "$L = $L[$L]", save ? dropoutStore : DropoutGenerator.STATE, save ? slot : dropoutStore,
                        save ? DropoutGenerator.STATE : slot);
            }
            return m.build();
        }
    }
}
