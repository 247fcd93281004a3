package dev.lossc.opt;

/**
 * One named transformation of the program before code generation. Each keeps the program's
 * meaning (every gradient test runs after all of them) and can be dumped on its own
 * ({@code lossc … --dump passes}).
 */
interface Pass {
    /** The name in dumps. */
    String name();

    /** What it does, in one line. */
    String summary();

    Plan apply(Plan p);
}
