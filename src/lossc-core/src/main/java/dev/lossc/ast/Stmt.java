package dev.lossc.ast;

import dev.lossc.diag.Pos;
import java.util.List;
import java.util.Optional;

/** Statements of the .loss language. Every statement knows where it starts. */
public sealed interface Stmt {
    /** The kinds of statement. */
    enum Kind { MODEL, DIM, CONST, INPUT, PARAM, STATE, LET, OUTPUT, VAR, ASSIGN, UNPACK, FOR, DEF, LOSS }

    /** Which kind this is: switch on it in a switch expression (no default), which fails to compile when a kind is added. */
    Kind kind();

    Pos pos();

    record Model(Ident name, Pos pos) implements Stmt {
        @Override
        public Kind kind() {
            return Kind.MODEL;
        }
    }

    record Dim(List<DimDecl> decls, Pos pos) implements Stmt {
        @Override
        public Kind kind() {
            return Kind.DIM;
        }

        public Dim {
            decls = List.copyOf(decls);
        }
    }

    /** {@code B = 32}, or with {@code varying} {@code B <= 64}: a maximum, the size chosen per call. */
    record DimDecl(Ident name, Expr value, boolean varying) {}

    record Const(Ident name, Expr value, Pos pos) implements Stmt {
        @Override
        public Kind kind() {
            return Kind.CONST;
        }
    }

    /**
     * {@code input x[…];} — sizes are expressions checked to be dims or positive literals;
     * {@code integer} for {@code input label: int;} (version 2).
     */
    record Input(Ident name, List<Expr> shape, boolean integer, Pos pos) implements Stmt {
        @Override
        public Kind kind() {
            return Kind.INPUT;
        }

        public Input {
            shape = List.copyOf(shape);
        }
    }

    /** {@code param W[…] as "fc1.weight" init he;}: {@code key} is the name in a state dict, when given. */
    record Param(Ident name, List<Expr> shape, Optional<Init> init, Optional<Key> key, Pos pos) implements Stmt {
        @Override
        public Kind kind() {
            return Kind.PARAM;
        }

        public Param {
            shape = List.copyOf(shape);
        }

        public Param(Ident name, List<Expr> shape, Optional<Init> init, Pos pos) {
            this(name, shape, init, Optional.empty(), pos);
        }
    }

    /**
     * {@code state mean[C] init zeros as "bn.running_mean";} (version 3): non-trained state, updated
     * by the training calls ({@code batch_norm}'s running statistics), read by the output methods.
     */
    record State(Ident name, List<Expr> shape, Optional<Init> init, Optional<Key> key, Pos pos) implements Stmt {
        @Override
        public Kind kind() {
            return Kind.STATE;
        }

        public State {
            shape = List.copyOf(shape);
        }
    }

    /** {@code as "fc1.weight"}: a param's name in a state dict (PyTorch's, safetensors', npz's), without the quotes. */
    record Key(String text, Pos pos) {}

    /** {@code init NAME} or {@code init NAME(args…)}. */
    record Init(Ident kind, List<Expr> args, boolean hasParens) {
        public Init {
            args = List.copyOf(args);
        }
    }

    record Let(Ident name, Expr value, Pos pos) implements Stmt {
        @Override
        public Kind kind() {
            return Kind.LET;
        }
    }

    /** {@code output NAME = expr;}: a named value the generated class computes on request. */
    record Output(Ident name, Expr value, Pos pos) implements Stmt {
        @Override
        public Kind kind() {
            return Kind.OUTPUT;
        }
    }

    record Var(Ident name, Expr value, Pos pos) implements Stmt {
        @Override
        public Kind kind() {
            return Kind.VAR;
        }
    }

    record Assign(Ident name, Expr value, Pos pos) implements Stmt {
        @Override
        public Kind kind() {
            return Kind.ASSIGN;
        }
    }

    /**
     * {@code let (a, b) = f(…);} ({@code declares}: new lets) or {@code (a, b) = f(…);} (vars
     * already declared): the results of a def that returns a tuple, one name each (version 3).
     */
    record Unpack(List<Ident> names, Expr value, boolean declares, Pos pos) implements Stmt {
        @Override
        public Kind kind() {
            return Kind.UNPACK;
        }

        public Unpack {
            names = List.copyOf(names);
        }
    }

    /**
     * {@code for v in from..to { … }}; with {@code checkpoint} ({@code checkpoint} or
     * {@code checkpoint(S)} after the range), a checkpointed loop, else null.
     */
    record For(Ident variable, Expr from, Expr to, Checkpoint checkpoint, List<Stmt> body, Pos pos) implements Stmt {
        @Override
        public Kind kind() {
            return Kind.FOR;
        }

        public For {
            body = List.copyOf(body);
        }

        public For(Ident variable, Expr from, Expr to, List<Stmt> body, Pos pos) {
            this(variable, from, to, null, body, pos);
        }
    }

    /** A loop's {@code checkpoint} clause: {@code snapshots} is null for the default. */
    record Checkpoint(Expr snapshots, Pos pos) {}

    /**
     * Both forms of {@code def}: an expression body is a block with no statements. A block's
     * result may be an {@link Expr.Tuple} (version 3): the def's several results. {@code rules} are
     * its own derivatives (version 3), in source order.
     */
    record Def(Ident name, List<Ident> params, List<Stmt> body, Expr result, List<Rule> rules, Pos pos) implements Stmt {
        @Override
        public Kind kind() {
            return Kind.DEF;
        }

        public Def {
            params = List.copyOf(params);
            body = List.copyOf(body);
            rules = List.copyOf(rules);
        }

        public Def(Ident name, List<Ident> params, List<Stmt> body, Expr result, Pos pos) {
            this(name, params, body, result, List.of(), pos);
        }

        /** Its rule of that kind ({@code grad} or {@code jvp}), or null. */
        public Rule rule(String kind) {
            return rules.stream().filter(r -> r.kind().name().equals(kind)).findFirst().orElse(null);
        }
    }

    /**
     * A def's own derivative (version 3): {@code grad(dy) = …} (the adjoint of each parameter from
     * the result's, {@code dy}) or {@code jvp(dx) = …} (the result's tangent from the parameters').
     * {@code value} is one expression or, for several parameters of a grad rule, an {@link Expr.Tuple}.
     */
    record Rule(Ident kind, List<Ident> names, Expr value, Pos pos) {
        public Rule {
            names = List.copyOf(names);
        }
    }

    record Loss(Expr value, Pos pos) implements Stmt {
        @Override
        public Kind kind() {
            return Kind.LOSS;
        }
    }
}
