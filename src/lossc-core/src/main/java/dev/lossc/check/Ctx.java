package dev.lossc.check;

/**
 * Where an expression or statement is checked: its scope, the kind of block it is in, the
 * product of the trip counts of its loops (a value's storage spans them), and the def being
 * inlined, if any.
 */
record Ctx(Scope scope, Where where, long iterations, Symbol.Def inDef) {
    /** The kinds of block a statement can be in. */
    enum Where { TOP, LOOP, DEF }

    Ctx with(Scope s, Where w, long it, Symbol.Def d) {
        return new Ctx(s, w, it, d);
    }

    /** How messages name this place: "here", "inside a 'for' body", "inside a 'def' body". */
    String placeName() {
        return switch (where) {
            case TOP -> "here";
            case LOOP -> "inside a 'for' body";
            case DEF -> "inside a 'def' body";
        };
    }
}
