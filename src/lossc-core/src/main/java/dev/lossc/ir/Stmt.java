package dev.lossc.ir;

import dev.lossc.check.Symbol;
import dev.lossc.diag.Pos;
import java.util.List;

/** IR statements: every operation is {@code out = prim(args…)} on named values. */
public sealed interface Stmt {
    Pos pos();

    /** {@code out = prim(args)}; {@code attribute} is the exponent of POW or alpha of LEAKY_RELU. */
    record Op(Value out, Prim prim, List<Value> args, double attribute, Pos pos) implements Stmt {
        public Op {
            args = List.copyOf(args);
        }
    }

    /** {@code var := source}. */
    record Assign(Value var, Value source, Pos pos) implements Stmt {}

    record Loop(Symbol.Loop loop, List<Stmt> body, Pos pos) implements Stmt {
        public Loop {
            body = List.copyOf(body);
        }
    }
}
