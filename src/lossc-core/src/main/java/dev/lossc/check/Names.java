package dev.lossc.check;

import dev.lossc.prim.Prim;

/**
 * The names of the built-in functions, as the checker sees them: a primitive of the table that
 * programs call, or a derived form ({@link DerivedForms}). Whether a name is reserved is a property
 * of its entry: the functions of version 1 are, later ones are not (a program may declare a name
 * like {@code where} or {@code norm}, which then hides the built-in in its scope).
 */
final class Names {
    private Names() {}

    /** True if {@code name} is a built-in function's. */
    static boolean isBuiltin(String name) {
        return !Prim.callable(name).isEmpty() || DerivedForms.named(name) != null || Constructors.named(name) || Reshapes.named(name) || Tensors.named(name) || name.equals("permute");
    }

    /** True if no declaration may take {@code name}. */
    static boolean isReserved(String name) {
        for (Prim p : Prim.callable(name)) {
            if (p.reserved()) {
                return true;
            }
        }
        DerivedForms.Form f = DerivedForms.named(name);
        return f != null && f.reserved();
    }
}
