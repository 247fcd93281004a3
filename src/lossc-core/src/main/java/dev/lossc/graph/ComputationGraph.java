package dev.lossc.graph;

import dev.lossc.ast.AstPrinter;
import dev.lossc.ast.Expr;
import dev.lossc.ast.Ident;
import dev.lossc.ast.Program;
import dev.lossc.ast.Stmt;
import dev.lossc.diag.Pos;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The computation graph of a program as the seed material draws it: inputs, parameters and
 * operations as nodes, data flow as edges, each operation with the {@code .loss} line it comes
 * from. It is read off the program as written: a {@code let} names the node of its value, a
 * {@code var} is a node per assignment (a value carried to the next iteration of a loop is a dashed
 * edge), a loop body is a cluster, a call to a {@code def} is one node.
 *
 * <p>{@link #withProbes} rewrites the program so that the compiler itself reports every top-level
 * operation's value fᵢ and adjoint gᵢ: each becomes {@code let v_k = e + g_k;} with a zero param
 * {@code g_k} of its shape (the gradient of {@code g_k} is the adjoint of {@code v_k}) and an
 * {@code output f_k = v_k;}.
 */
public final class ComputationGraph {
    public enum Kind { INPUT, PARAM, STATE, OP, CONST, OUTPUT, LOSS }

    /** A node; {@code expr} is the operation's expression ({@code null} for the others); {@code probed} gets fᵢ and gᵢ. */
    public record Node(int id, Kind kind, String label, int line, int cluster, Expr expr, boolean probed) {}

    public record Edge(int from, int to, boolean dashed) {}

    /** A loop body: its label, and the cluster it sits in (0: the top level). */
    public record Cluster(int id, String label, int parent) {}

    public final List<Node> nodes = new ArrayList<>();
    final List<Edge> edges = new ArrayList<>();
    final List<Cluster> clusters = new ArrayList<>();
    /** The node of each input, param and state, by name. */
    public final Map<String, Integer> declared = new LinkedHashMap<>();
    private final Map<Expr, Integer> nodeOf = new IdentityHashMap<>();
    private final Map<String, Integer> constants = new HashMap<>();
    private final java.util.Set<String> intInputs = new java.util.HashSet<>();
    private final java.util.Set<String> defs = new java.util.HashSet<>();

    /** What a name means where it is read. */
    private sealed interface Binding {}

    private record Value(int node) implements Binding {}

    private record Constant(String name) implements Binding {}

    private static final class Env {
        final Env parent;
        final Map<String, Binding> names = new HashMap<>();
        /** Vars read in this loop body before being assigned in it: var name → reading nodes. */
        final Map<String, List<Integer>> readBeforeAssigned = new HashMap<>();
        final Map<String, Integer> assignedHere = new HashMap<>();
        final boolean loop;

        Env(Env parent, boolean loop) {
            this.parent = parent;
            this.loop = loop;
        }

        Binding lookup(String name) {
            for (Env e = this; e != null; e = e.parent) {
                Binding b = e.names.get(name);
                if (b != null) {
                    return b;
                }
            }
            return null;
        }

        /** Rebinds a var where it was declared (its node is the latest assignment). */
        void assign(String name, int node) {
            for (Env e = this; e != null; e = e.parent) {
                if (e.names.containsKey(name)) {
                    e.names.put(name, new Value(node));
                    return;
                }
            }
            names.put(name, new Value(node));
        }
    }

    private ComputationGraph() {}

    public static ComputationGraph of(Program p) {
        ComputationGraph g = new ComputationGraph();
        Env top = new Env(null, false);
        for (Stmt s : p.statements()) {
            g.statement(s, top, 0);
        }
        return g;
    }

    private int add(Kind kind, String label, Pos pos, int cluster, Expr expr, boolean probed) {
        nodes.add(new Node(nodes.size(), kind, label, pos == null ? 0 : pos.line(), cluster, expr, probed));
        if (expr != null) {
            nodeOf.put(expr, nodes.size() - 1);
        }
        return nodes.size() - 1;
    }

    private void edge(int from, int to) {
        if (from >= 0) {
            edges.add(new Edge(from, to, false));
        }
    }

    private void statement(Stmt s, Env env, int cluster) {
        if (s instanceof Stmt.Dim d) {
            d.decls().forEach(x -> env.names.put(x.name().name(), new Constant(x.name().name())));
        } else if (s instanceof Stmt.Const c) {
            env.names.put(c.name().name(), new Constant(c.name().name()));
        } else if (s instanceof Stmt.Input in) {
            int n = add(Kind.INPUT, in.name().name() + shapeLabel(in.shape()) + (in.integer() ? ": int" : ""), in.pos(), cluster, null, false);
            declared.put(in.name().name(), n);
            env.names.put(in.name().name(), new Value(n));
            if (in.integer()) {
                intInputs.add(in.name().name());
            }
        } else if (s instanceof Stmt.Param pa) {
            int n = add(Kind.PARAM, pa.name().name() + shapeLabel(pa.shape()), pa.pos(), cluster, null, false);
            declared.put(pa.name().name(), n);
            env.names.put(pa.name().name(), new Value(n));
        } else if (s instanceof Stmt.State st) {
            int n = add(Kind.STATE, "state " + st.name().name() + shapeLabel(st.shape()), st.pos(), cluster, null, false);
            declared.put(st.name().name(), n);
            env.names.put(st.name().name(), new Value(n));
        } else if (s instanceof Stmt.Let l) {
            env.names.put(l.name().name(), new Value(named(l.name(), "", l.value(), env, cluster)));
        } else if (s instanceof Stmt.Var v) {
            env.names.put(v.name().name(), new Value(named(v.name(), "var ", v.value(), env, cluster)));
        } else if (s instanceof Stmt.Assign a) {
            int n = named(a.name(), "", a.value(), env, cluster);
            env.assignedHere.put(a.name().name(), n);
            env.assign(a.name().name(), n);
        } else if (s instanceof Stmt.Output o) {
            int n = add(Kind.OUTPUT, "output " + o.name().name(), o.pos(), cluster, null, false);
            edge(expr(o.value(), env, cluster), n);
            env.names.put(o.name().name(), new Value(n));
        } else if (s instanceof Stmt.Loss l) {
            edge(expr(l.value(), env, cluster), add(Kind.LOSS, "loss", l.pos(), cluster, null, false));
        } else if (s instanceof Stmt.For f) {
            clusters.add(new Cluster(clusters.size() + 1, "for " + f.variable().name() + " in " + text(f.from()) + ".." + text(f.to()), cluster));
            int inner = clusters.size();
            Env body = new Env(env, true);
            body.names.put(f.variable().name(), new Constant(f.variable().name()));
            for (Stmt b : f.body()) {
                statement(b, body, inner);
            }
            // A var assigned in the body and read in it before: its value goes round to the next iteration.
            body.readBeforeAssigned.forEach((var, readers) -> {
                Integer last = body.assignedHere.get(var);
                if (last != null) {
                    // Once per pair of nodes: the vars a tuple unpacking assigns share the call's node.
                    readers.stream().distinct().map(r -> new Edge(last, r, true)).filter(e -> !edges.contains(e)).forEach(edges::add);
                }
            });
            body.assignedHere.keySet().forEach(v -> {
                if (env.loop && env.lookup(v) != null) {
                    env.assignedHere.put(v, body.assignedHere.get(v));
                }
            });
        } else if (s instanceof Stmt.Unpack u) {
            // One node for the call; each name unpacked is a value of it.
            int n = expr(u.value(), env, cluster);
            if (n >= 0 && nodes.get(n).kind() == Kind.OP && Integer.valueOf(n).equals(nodeOf.get(u.value()))) {
                Node old = nodes.get(n);
                String names = "(" + String.join(", ", u.names().stream().map(Ident::name).toList()) + ") = ";
                nodes.set(n, new Node(n, old.kind(), names + old.label(), old.line(), old.cluster(), old.expr(), false));
            }
            for (Ident name : u.names()) {
                if (u.declares()) {
                    env.names.put(name.name(), new Value(n));
                } else {
                    env.assignedHere.put(name.name(), n);
                    env.assign(name.name(), n);
                }
            }
        } else if (s instanceof Stmt.Def d) {
            defs.add(d.name().name());
        } else if (!(s instanceof Stmt.Model)) {
            throw new IllegalStateException("no graph for statement " + s.getClass().getSimpleName());
        }
    }

    /** The node of a named value: a new node when the expression is an operation, else the node it names. */
    private int named(Ident name, String prefix, Expr value, Env env, int cluster) {
        int n = expr(value, env, cluster);
        if (n >= 0 && nodes.get(n).kind() == Kind.OP && nodes.get(n).cluster() == cluster && Integer.valueOf(n).equals(nodeOf.get(value))) {
            Node old = nodes.get(n);
            nodes.set(n, new Node(n, old.kind(), prefix + name.name() + " = " + old.label(), old.line(), old.cluster(), old.expr(), old.probed()));
            return n;
        }
        // An alias or a constant: a node of its own, so the name shows.
        int alias = add(Kind.OP, prefix + name.name(), name.pos(), cluster, null, false);
        edge(n, alias);
        noteRead(value, alias, env);
        return alias;
    }

    /** The node an expression's value comes from (-1 for none, e.g. a loop variable used as an index). */
    private int expr(Expr e, Env env, int cluster) {
        if (e instanceof Expr.Num n) {
            return add(Kind.CONST, n.text(), n.pos(), cluster, null, false);
        } else if (e instanceof Expr.Name n) {
            Binding b = env.lookup(n.id().name());
            if (b instanceof Value v) {
                return v.node();
            }
            return constants.computeIfAbsent(n.id().name() + "#" + cluster, k -> add(Kind.CONST, n.id().name(), n.pos(), cluster, null, false));
        } else if (e instanceof Expr.Neg n) {
            return op("-x", e, n.pos(), cluster, env, n.operand());
        } else if (e instanceof Expr.Binary b) {
            return op(b.op().symbol, e, b.pos(), cluster, env, b.left(), b.right());
        } else if (e instanceof Expr.Pow p) {
            return op("^ " + text(p.exponent()), e, p.pos(), cluster, env, p.base());
        } else if (e instanceof Expr.Index i) {
            List<String> idx = i.indexes().stream().map(ComputationGraph::text).toList();
            int node = op("[" + String.join(", ", idx) + "]", e, i.pos(), cluster, env, i.base());
            for (Expr x : i.indexes()) {
                // An index read from int data (a lookup): the ids flow in too.
                if (refersToIntInput(x)) {
                    edge(expr(x, env, cluster), node);
                }
            }
            return node;
        } else if (e instanceof Expr.Call c) {
            String f = c.function().name();
            List<Expr> args = new ArrayList<>();
            for (int k = 0; k < c.args().size(); k++) {
                Expr a = c.args().get(k);
                // Axes and other constant arguments go into the label, not the graph.
                if (!(a instanceof Expr.Num) || k == 0) {
                    args.add(a);
                }
            }
            // Constant arguments by their place among the others (·), as in sum(·, 1) or batch_norm(·, 1, 0, ·, ·).
            String label = f + (c.args().size() > args.size()
                    ? "(" + String.join(", ", c.args().stream().map(a -> args.contains(a) ? "·" : text(a)).toList()) + ")" : "");
            for (Expr.NamedArg n : c.named()) {
                label += " " + n.name().name() + "=" + text(n.value());
            }
            return op(label, e, c.pos(), cluster, env, args.toArray(new Expr[0]));
        } else if (e instanceof Expr.Range) {
            return -1; // a slice's range: its ends are in the indexing's label
        }
        throw new IllegalStateException("no graph for expression " + e.getClass().getSimpleName());
    }

    /** {@code reader} reads {@code operand}: if it is a var not yet assigned in an enclosing loop body, remember it. */
    private void noteRead(Expr operand, int reader, Env env) {
        if (!(operand instanceof Expr.Name n) || !(env.lookup(n.id().name()) instanceof Value)) {
            return;
        }
        for (Env e = env; e != null && e.loop; e = e.parent) {
            if (!e.assignedHere.containsKey(n.id().name())) {
                e.readBeforeAssigned.computeIfAbsent(n.id().name(), k -> new ArrayList<>()).add(reader);
            }
        }
    }

    private int op(String label, Expr e, Pos pos, int cluster, Env env, Expr... operands) {
        List<Integer> from = new ArrayList<>();
        for (Expr x : operands) {
            from.add(expr(x, env, cluster));
        }
        // Annotated: a real value computed once (at the top level) from inputs or params; not an id read from int data.
        boolean intData = e instanceof Expr.Index i && refersToIntInput(i.base());
        int n = add(Kind.OP, label, pos, cluster, e, cluster == 0 && !intData && !constant(e, env));
        for (int f : from) {
            edge(f, n);
        }
        for (Expr x : operands) {
            noteRead(x, n, env);
        }
        return n;
    }

    /** A declaration's sizes as a label suffix: {@code  [T, X]}, nothing for a scalar. */
    private static String shapeLabel(List<Expr> sizes) {
        return sizes.isEmpty() ? "" : " [" + String.join(", ", sizes.stream().map(ComputationGraph::text).toList()) + "]";
    }

    private boolean refersToIntInput(Expr x) {
        if (x instanceof Expr.Name n) {
            return intInputs.contains(n.id().name());
        }
        return x instanceof Expr.Index i && i.base() instanceof Expr.Name b && intInputs.contains(b.id().name());
    }

    /** True if no input, param, let or var contributes to {@code e} (literals, dims, consts, loop variables). */
    private boolean constant(Expr e, Env env) {
        return switch (e.kind()) {
            case NAME -> !(env.lookup(((Expr.Name) e).id().name()) instanceof Value);
            case NUM -> true;
            case NEG -> constant(((Expr.Neg) e).operand(), env);
            case BINARY -> constant(((Expr.Binary) e).left(), env) && constant(((Expr.Binary) e).right(), env);
            case POW -> constant(((Expr.Pow) e).base(), env);
            case INDEX -> constant(((Expr.Index) e).base(), env);
            case CALL -> !defs.contains(((Expr.Call) e).function().name()) && ((Expr.Call) e).args().stream().allMatch(a -> constant(a, env));
            case RANGE -> true;
            case TUPLE -> false;
        };
    }

    public static String text(Expr e) {
        String s = AstPrinter.expr(e);
        // The printer parenthesizes every operation; the outermost pair says nothing here.
        return s.startsWith("(") && s.endsWith(")") && balanced(s.substring(1, s.length() - 1)) ? s.substring(1, s.length() - 1) : s;
    }

    private static boolean balanced(String s) {
        int depth = 0;
        for (char c : s.toCharArray()) {
            depth += c == '(' ? 1 : c == ')' ? -1 : 0;
            if (depth < 0) {
                return false;
            }
        }
        return depth == 0;
    }

    // ------------------------------------------------------------------ probes

    /** The probed nodes, in order: the k-th is {@code v_k}, {@code g_k} and {@code f_k} in the rewrite. */
    public List<Node> probed() {
        return nodes.stream().filter(Node::probed).toList();
    }

    /**
     * The program with every probed operation bound to {@code let P_v_k = e + P_g_k;} (no {@code + g}
     * where {@code shapes} has none for it: its shape varies per call) and reported by
     * {@code output P_f_k = P_v_k;}; {@code shapes} holds each {@code g_k}'s size expressions, or is
     * null on the first pass (lets and outputs only, to learn the shapes).
     */
    public Program withProbes(Program p, String prefix, Map<Integer, List<Expr>> shapes) {
        Map<Expr, Integer> index = new IdentityHashMap<>();
        List<Node> probes = probed();
        for (int k = 0; k < probes.size(); k++) {
            index.put(probes.get(k).expr(), k);
        }
        List<Stmt> out = new ArrayList<>();
        boolean paramsAdded = false;
        for (Stmt s : p.statements()) {
            if (!paramsAdded && !(s instanceof Stmt.Model)) {
                if (shapes != null) {
                    for (Map.Entry<Integer, List<Expr>> e : shapes.entrySet()) {
                        out.add(new Stmt.Param(new Ident(prefix + "g" + e.getKey(), s.pos()), e.getValue(),
                                Optional.of(new Stmt.Init(new Ident("zeros", s.pos()), List.of(), false)), s.pos()));
                    }
                }
                paramsAdded = true;
            }
            List<Stmt> lets = new ArrayList<>();
            Stmt rewritten = s;
            if (s instanceof Stmt.Let l) {
                rewritten = new Stmt.Let(l.name(), probe(l.value(), index, prefix, shapes, lets), l.pos());
            } else if (s instanceof Stmt.Var v) {
                rewritten = new Stmt.Var(v.name(), probe(v.value(), index, prefix, shapes, lets), v.pos());
            } else if (s instanceof Stmt.Assign a) {
                rewritten = new Stmt.Assign(a.name(), probe(a.value(), index, prefix, shapes, lets), a.pos());
            } else if (s instanceof Stmt.Output o) {
                rewritten = new Stmt.Output(o.name(), probe(o.value(), index, prefix, shapes, lets), o.pos());
            } else if (s instanceof Stmt.Loss l) {
                rewritten = new Stmt.Loss(probe(l.value(), index, prefix, shapes, lets), l.pos());
            }
            if (s instanceof Stmt.Loss) {
                out.addAll(lets);
                for (int k = 0; k < probes.size(); k++) {
                    out.add(new Stmt.Output(new Ident(prefix + "f" + k, s.pos()), new Expr.Name(new Ident(prefix + "v" + k, s.pos())), s.pos()));
                }
                out.add(rewritten);
                continue;
            }
            out.addAll(lets);
            out.add(rewritten);
        }
        return new Program(p.file(), out);
    }

    /** {@code e} with its probed operations bound to lets (appended to {@code lets}, innermost first). */
    private Expr probe(Expr e, Map<Expr, Integer> index, String prefix, Map<Integer, List<Expr>> shapes, List<Stmt> lets) {
        Expr rebuilt;
        if (e instanceof Expr.Neg n) {
            rebuilt = new Expr.Neg(probe(n.operand(), index, prefix, shapes, lets), n.pos());
        } else if (e instanceof Expr.Binary b) {
            rebuilt = new Expr.Binary(b.op(), probe(b.left(), index, prefix, shapes, lets), probe(b.right(), index, prefix, shapes, lets), b.pos());
        } else if (e instanceof Expr.Pow p) {
            rebuilt = new Expr.Pow(probe(p.base(), index, prefix, shapes, lets), p.exponent(), p.pos());
        } else if (e instanceof Expr.Index i) {
            rebuilt = new Expr.Index(probe(i.base(), index, prefix, shapes, lets), i.indexes(), i.pos());
        } else if (e instanceof Expr.Call c) {
            List<Expr> args = new ArrayList<>();
            for (Expr a : c.args()) {
                args.add(probe(a, index, prefix, shapes, lets));
            }
            rebuilt = new Expr.Call(c.function(), args, c.named());
        } else if (e instanceof Expr.Num || e instanceof Expr.Name || e instanceof Expr.Range) {
            return e;
        } else {
            throw new IllegalStateException("no probe for " + e.getClass().getSimpleName());
        }
        Integer k = index.get(e);
        if (k == null) {
            return rebuilt;
        }
        Pos pos = e.pos();
        Expr value = shapes != null && shapes.containsKey(k)
                ? new Expr.Binary(Expr.BinaryOp.ADD, rebuilt, new Expr.Name(new Ident(prefix + "g" + k, pos)), pos) : rebuilt;
        lets.add(new Stmt.Let(new Ident(prefix + "v" + k, pos), value, pos));
        return new Expr.Name(new Ident(prefix + "v" + k, pos));
    }

    // ------------------------------------------------------------------ DOT

    /** The graph in Graphviz's DOT language; {@code notes} adds lines (fᵢ, gᵢ) under a node's label. */
    public String dot(String name, Map<Integer, List<String>> notes) {
        StringBuilder s = new StringBuilder("digraph ").append(quote(name)).append(" {\n");
        s.append("  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=11];\n  edge [color=\"#555555\"];\n");
        for (int c = 0; c <= clusters.size(); c++) {
            int cluster = c;
            String indent = "  ";
            if (c > 0) {
                s.append("  subgraph cluster_").append(c).append(" {\n    label=").append(quote(clusters.get(c - 1).label()))
                        .append(";\n    style=dashed;\n");
                indent = "    ";
            }
            for (Node n : nodes) {
                if (n.cluster() != cluster) {
                    continue;
                }
                StringBuilder label = new StringBuilder(n.label());
                if (n.line() > 0 && (n.kind() == Kind.OP || n.kind() == Kind.OUTPUT || n.kind() == Kind.LOSS)) {
                    label.append("\\nline ").append(n.line());
                }
                for (String note : notes.getOrDefault(n.id(), List.of())) {
                    label.append("\\n").append(note);
                }
                String shape = switch (n.kind()) {
                    case INPUT -> "shape=box, style=rounded";
                    case PARAM -> "shape=box, style=\"rounded,filled\", fillcolor=\"#e8eef8\"";
                    case STATE -> "shape=box, style=\"rounded,dashed\"";
                    case OP -> "shape=ellipse";
                    case CONST -> "shape=plaintext";
                    case OUTPUT -> "shape=box, style=filled, fillcolor=\"#eef8e8\"";
                    case LOSS -> "shape=doubleoctagon";
                };
                s.append(indent).append('n').append(n.id()).append(" [label=").append(quote(label.toString())).append(", ").append(shape).append("];\n");
            }
            if (c > 0) {
                s.append("  }\n");
            }
        }
        for (Edge e : edges) {
            s.append("  n").append(e.from()).append(" -> n").append(e.to()).append(e.dashed() ? " [style=dashed, label=\"next iteration\"]" : "").append(";\n");
        }
        return s.append("}\n").toString();
    }

    /** A DOT string; {@code \n} in the text stays a line break. */
    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\\\\n", "\\n").replace("\"", "\\\"") + "\"";
    }
}
