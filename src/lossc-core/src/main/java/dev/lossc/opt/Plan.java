package dev.lossc.opt;

import dev.lossc.ir.IrPrinter;
import dev.lossc.ir.IrProgram;
import dev.lossc.ir.Stmt;
import java.util.List;

/**
 * What the passes transform: the forward pass and the backward pass as statement lists, with the
 * primal program they came from (its interface: dims, inputs, params, vars, loss).
 */
public record Plan(IrProgram primal, List<Stmt> forward, List<Stmt> backward) {
    public Plan {
        forward = List.copyOf(forward);
        backward = List.copyOf(backward);
    }

    Plan with(List<Stmt> forward, List<Stmt> backward) {
        return new Plan(primal, forward, backward);
    }

    public String print() {
        return "forward:\n" + IrPrinter.print(forward) + "backward:\n" + IrPrinter.print(backward);
    }
}
