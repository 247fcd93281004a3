package dev.lossc.ast;

import dev.lossc.diag.Pos;

/** Helpers over expressions. */
public final class Exprs {
    private Exprs() {}

    /** Where an expression starts in the source (an operator node's own position is its operator's). */
    public static Pos start(Expr e) {
        while (true) {
            if (e instanceof Expr.Binary b) {
                e = b.left();
            } else if (e instanceof Expr.Pow p) {
                e = p.base();
            } else if (e instanceof Expr.Index i) {
                e = i.base();
            } else if (e instanceof Expr.Range r && !r.whole()) {
                e = r.from();
            } else {
                return e.pos();
            }
        }
    }
}
