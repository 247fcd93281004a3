package dev.lossc;

import dev.lossc.ad.AdjointProgram;
import dev.lossc.ad.ForwardMode;
import dev.lossc.ad.ReverseMode;
import dev.lossc.codegen.DerivativePlans;
import dev.lossc.ir.IrProgram;
import dev.lossc.ir.Stmt;
import dev.lossc.ir.Value;
import dev.lossc.opt.Passes;
import dev.lossc.opt.Plan;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Plans the derivatives beyond the gradient ({@code --derivatives}): forward mode over the forward
 * pass ({@code jvp}, each output's {@code NAME_jvp} and {@code NAME_jacobian}), and over the
 * forward and backward passes ({@code hvp}: forward over reverse), each through the same passes as
 * the gradient.
 */
final class DerivativePlanner {
    private DerivativePlanner() {}

    static DerivativePlans plan(IrProgram ir, AdjointProgram adjoint, Set<LossCompiler.Derivative> wanted) {
        boolean hvp = wanted.contains(LossCompiler.Derivative.HVP);
        boolean jvp = wanted.contains(LossCompiler.Derivative.JVP);
        boolean jacobian = wanted.contains(LossCompiler.Derivative.JACOBIAN);
        if (!hvp && !jvp && !jacobian) {
            return DerivativePlans.NONE;
        }
        List<Stmt> hvpForward = null;
        List<Stmt> hvpBackward = null;
        if (hvp) {
            ForwardMode fm = ForwardMode.over(ir.params(), List.of(ir.body(), adjoint.body()), ir.customs());
            List<Stmt> forward = fm.interleave(ir.body());
            List<Stmt> backward = new ArrayList<>();
            // A param whose gradient does not depend on the params (the loss is linear in it) has a zero product.
            for (Value g : paramAdjoints(adjoint.body())) {
                if (!fm.varies(g)) {
                    backward.add(fm.zero(g, null));
                }
            }
            backward.addAll(fm.interleave(adjoint.body()));
            Plan p = Passes.run(ir.withBody(forward), new AdjointProgram(backward), null);
            hvpForward = p.forward();
            hvpBackward = p.backward();
        }
        List<Stmt> jvpForward = null;
        Value lossTangent = null;
        if (jvp) {
            ForwardMode fm = ForwardMode.over(ir.params(), List.of(ir.body()), ir.customs());
            List<Stmt> forward = withTangentOf(fm, ir.loss(), fm.interleave(ir.body()));
            lossTangent = fm.tangent(ir.loss());
            jvpForward = Passes.run(ir.withBody(forward), new AdjointProgram(List.of()), null).forward();
        }
        List<DerivativePlans.OutputTangent> outputs = new ArrayList<>();
        if (jvp || jacobian) {
            int parameters = ir.params().stream().mapToInt(p -> p.shape().size()).sum();
            for (IrProgram.Output o : ir.outputs()) {
                DerivativePlans.ReverseSweeps reverse = null;
                if (jacobian && reverseSweeps(o.value().shape().size(), parameters)) {
                    Value seed = Value.seed(ir.nextId(), "seed_" + o.name(), o.value().logicalShape());
                    AdjointProgram adjointOfOutput = ReverseMode.differentiate(ir.forOutput(o), seed);
                    Plan r = Passes.run(ir.forOutput(o), adjointOfOutput, null);
                    reverse = new DerivativePlans.ReverseSweeps(r.forward(), r.backward(), seed);
                }
                if (!jvp && reverse != null) {
                    // Only the Jacobian, by reverse sweeps: no pass with tangents is emitted, so none is planned.
                    outputs.add(new DerivativePlans.OutputTangent(o, List.of(), null, reverse));
                    continue;
                }
                ForwardMode fm = ForwardMode.over(ir.params(), List.of(o.body()), ir.customs());
                List<Stmt> body = withTangentOf(fm, o.value(), fm.interleave(o.body()));
                Plan p = Passes.run(ir.forOutput(o).withBody(body), new AdjointProgram(List.of()), null);
                outputs.add(new DerivativePlans.OutputTangent(o, p.forward(), fm.tangent(o.value()), reverse));
            }
        }
        return new DerivativePlans(hvpForward, hvpBackward, jvpForward, lossTangent, outputs, jvp, jacobian);
    }

    /**
     * The compiler's choice for a Jacobian of {@code rows} elements over {@code parameters}: one
     * reverse sweep per element (a backward pass, about twice a forward one, after one forward pass)
     * or one forward sweep per parameter (a pass with tangents, about twice a forward one): reverse
     * when there are fewer elements than parameters.
     */
    static boolean reverseSweeps(int rows, int parameters) {
        return rows < parameters;
    }

    /** {@code body}, after a fill of {@code v}'s tangent first when nothing in it varies (it is then zero). */
    private static List<Stmt> withTangentOf(ForwardMode fm, Value v, List<Stmt> body) {
        if (fm.varies(v)) {
            return body;
        }
        List<Stmt> out = new ArrayList<>();
        out.add(fm.zero(v, null));
        out.addAll(body);
        return out;
    }

    /** The params' adjoints (their gradients) a backward pass writes, in the order first written. */
    private static List<Value> paramAdjoints(List<Stmt> body) {
        List<Value> out = new ArrayList<>();
        collect(body, out);
        return out;
    }

    private static void collect(List<Stmt> body, List<Value> out) {
        for (Stmt s : body) {
            if (s instanceof Stmt.Loop l) {
                collect(l.body(), out);
                continue;
            }
            Value w = Stmt.written(s).root();
            if (w.kind() == Value.Kind.ADJOINT && w.primal().kind() == Value.Kind.PARAM && !out.contains(w)) {
                out.add(w);
            }
        }
    }
}
