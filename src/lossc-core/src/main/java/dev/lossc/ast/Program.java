package dev.lossc.ast;

import java.util.List;

/** A parsed .loss file. */
public record Program(String file, List<Stmt> statements) {
    public Program {
        statements = List.copyOf(statements);
    }
}
