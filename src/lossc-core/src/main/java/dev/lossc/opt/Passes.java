package dev.lossc.opt;

import dev.lossc.ad.AdjointProgram;
import dev.lossc.ir.IrProgram;
import java.util.List;

/** The passes, in order, between reverse mode and code generation. */
public final class Passes {
    private Passes() {}

    static final List<Pass> ALL = List.of(new ElementwiseToMaps(), new SnapshotForwarding(), new CopyPropagation(), new SinkZeros(), new DeadStores(),
            new CopyPropagation(), new Fusion(), new EpilogueFusion(), new CopyCoalescing(), new DeadStores());

    /** Runs every pass; {@code log}, if not null, gets the program before the first pass and after each. */
    public static Plan run(IrProgram primal, AdjointProgram adjoint, StringBuilder log) {
        Plan p = new Plan(primal, primal.body(), adjoint.body());
        if (log != null) {
            log.append("== before the passes\n").append(p.print());
        }
        String last = p.print();
        for (Pass pass : ALL) {
            p = pass.apply(p);
            if (log != null) {
                String now = p.print();
                log.append("== after ").append(pass.name()).append(": ").append(pass.summary()).append('\n')
                        .append(now.equals(last) ? "(unchanged)\n" : now);
                last = now;
            }
        }
        return p;
    }
}
