package dev.lossc.ir;

import dev.lossc.check.Symbol;

import java.util.List;

/**
 * The normalized primal program, ready for differentiation and code generation. {@code nextId}
 * is the first value id not yet used, so later phases can add values.
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
        int nextId) {
    public IrProgram {
        dims = List.copyOf(dims);
        paramSymbols = List.copyOf(paramSymbols);
        inputs = List.copyOf(inputs);
        params = List.copyOf(params);
        vars = List.copyOf(vars);
        body = List.copyOf(body);
    }
}
