package dev.lossc.ast;

import dev.lossc.diag.Pos;

/** A name as written, with where it was written. */
public record Ident(String name, Pos pos) {
    @Override
    public String toString() {
        return name;
    }
}
