package dev.lossc.ir;

import dev.lossc.check.Symbol;

import java.util.List;

/**
 * The normalized primal program, ready for differentiation and code generation. {@code nextId}
 * is the first value id not yet used, so later phases can add values.
 */
/*
 * {@code customs}: the rules of each call of a def with its own derivative, by the value of its
 * {@link dev.lossc.prim.Prim#CUSTOM} op.
 */
public record IrProgram(
        String className,
        List<Symbol.Dim> dims,
        List<Symbol.Param> paramSymbols,
        List<Value> inputs,
        List<Value> params,
        List<Value> vars,
        List<Stmt> body,
        Value loss,
        int nextId,
        List<Output> outputs,
        List<Symbol.State> stateSymbols,
        List<Value> states,
        java.util.Map<Value, Custom> customs) {
    /**
     * An {@code output} statement: its value, the statements that compute it (the program up to the
     * output, pruned to what reaches it) and where it was declared.
     */
    public record Output(String name, Value value, List<Stmt> body, dev.lossc.diag.Pos pos) {
        public Output {
            body = List.copyOf(body);
        }
    }

    public IrProgram(String className, List<Symbol.Dim> dims, List<Symbol.Param> paramSymbols, List<Value> inputs,
                     List<Value> params, List<Value> vars, List<Stmt> body, Value loss, int nextId) {
        this(className, dims, paramSymbols, inputs, params, vars, body, loss, nextId, List.of(), List.of(), List.of(), java.util.Map.of());
    }

    /** The inputs an output's statements read, in declaration order: its method's parameters. */
    public List<Value> inputsOf(Output output) {
        java.util.Set<Value> reads = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        java.util.Set<String> indexing = new java.util.HashSet<>();
        inputsRead(output.body(), reads, indexing);
        return inputs.stream().filter(in -> reads.contains(in) || indexing.contains(in.name())).toList();
    }

    /** Inputs read as operands, and the names of int inputs read by views' offsets ({@code E[tok]}). */
    private static void inputsRead(List<Stmt> body, java.util.Set<Value> out, java.util.Set<String> indexing) {
        for (Stmt s : body) {
            if (s instanceof Stmt.Loop l) {
                inputsRead(l.body(), out, indexing);
                continue;
            }
            List<Value> all = new java.util.ArrayList<>(Stmt.read(s));
            all.add(Stmt.written(s));
            for (Value v : all) {
                if (v.root().kind() == Value.Kind.INPUT) {
                    out.add(v.root());
                }
                if (v.kind() == Value.Kind.VIEW) {
                    for (dev.lossc.check.Affine.Term t : v.viewOffset().terms()) {
                        if (t.isData()) {
                            indexing.add(t.data().name());
                        }
                    }
                }
            }
        }
    }

    /**
     * The program of one output method: the statements that reach its value, already resolved for
     * inference by the lowering (a dropout mask is all ones, batch norm reads its states).
     */
    public IrProgram forOutput(Output output) {
        return new IrProgram(className, dims, paramSymbols, inputs, params, vars, output.body(), output.value(), nextId, List.of(),
                stateSymbols, states, customs);
    }

    /** This program with another body (its tangents added): the same interface, no outputs. */
    public IrProgram withBody(List<Stmt> newBody) {
        return new IrProgram(className, dims, paramSymbols, inputs, params, vars, newBody, loss, nextId, List.of(), stateSymbols, states, customs);
    }

    public IrProgram {
        outputs = List.copyOf(outputs);
        stateSymbols = List.copyOf(stateSymbols);
        states = List.copyOf(states);
        dims = List.copyOf(dims);
        paramSymbols = List.copyOf(paramSymbols);
        inputs = List.copyOf(inputs);
        params = List.copyOf(params);
        vars = List.copyOf(vars);
        body = List.copyOf(body);
        customs = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(customs));
    }

    /**
     * The dims that vary per call which a method uses, in declaration order: those in the shapes of
     * its inputs, of what its statements compute, of its result, or ending its loops. The method
     * takes each one's actual size as an argument.
     */
    public List<Symbol.Dim> varyingDims(List<Value> inputs, List<Stmt> body, dev.lossc.types.Shape result) {
        java.util.Set<String> used = new java.util.HashSet<>();
        for (Value in : inputs) {
            dimsOf(in.shape(), used);
        }
        dimsOf(result, used);
        dimsOf(body, used);
        return dims.stream().filter(d -> d.varying() && used.contains(d.name())).toList();
    }

    private static void dimsOf(dev.lossc.types.Shape s, java.util.Set<String> out) {
        if (s.rowDim() != null) {
            out.add(s.rowDim());
        }
        if (s.colDim() != null) {
            out.add(s.colDim());
        }
    }

    private static void dimsOf(Value v, java.util.Set<String> out) {
        dimsOf(v.shape(), out);
        if (v.kind() == Value.Kind.COUNT) {
            out.addAll(v.countDims());
        }
    }

    private static void dimsOf(List<Stmt> body, java.util.Set<String> out) {
        for (Stmt s : body) {
            switch (s.kind()) {
                case LOOP -> {
                    Stmt.Loop l = (Stmt.Loop) s;
                    if (l.loop().toDim() != null) {
                        out.add(l.loop().toDim());
                    }
                    dimsOf(l.body(), out);
                }
                case OP -> {
                    Stmt.Op op = (Stmt.Op) s;
                    dimsOf(op.out(), out);
                    op.args().forEach(a -> dimsOf(a, out));
                }
                case MAP -> {
                    Stmt.Map m = (Stmt.Map) s;
                    dimsOf(m.domain(), out);
                    dimsOf(m.out(), out);
                    m.args().forEach(a -> dimsOf(a, out));
                }
                case ASSIGN -> {
                    Stmt.Assign a = (Stmt.Assign) s;
                    dimsOf(a.var(), out);
                    dimsOf(a.source(), out);
                }
                case ZERO -> dimsOf(((Stmt.Zero) s).target(), out);
                default -> throw new IllegalStateException("unknown statement " + s);
            }
        }
    }
}
