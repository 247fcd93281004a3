package dev.lossc.ad;

import dev.lossc.ir.Stmt;
import dev.lossc.ir.Value;
import java.util.List;

/**
 * The backward pass, as IR: the same statements as the forward pass, in reverse order, writing
 * adjoints ({@link Value.Kind#ADJOINT} values). It starts by clearing what must start at zero and
 * seeding the loss's adjoint with 1; it ends with every param's gradient written.
 */
public record AdjointProgram(List<Stmt> body) {
    public AdjointProgram {
        body = List.copyOf(body);
    }
}
