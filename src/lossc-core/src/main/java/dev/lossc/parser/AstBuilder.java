package dev.lossc.parser;

import dev.lossc.ast.Expr;
import dev.lossc.ast.Ident;
import dev.lossc.ast.Program;
import dev.lossc.ast.Stmt;
import dev.lossc.diag.DiagnosticKind;
import dev.lossc.diag.Limits;
import dev.lossc.diag.Pos;
import dev.lossc.diag.Reporter;
import dev.lossc.parser.gen.LossBaseVisitor;
import dev.lossc.parser.gen.LossParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.tree.TerminalNode;

/** Turns the ANTLR parse tree into the immutable AST; one method per grammar rule. */
final class AstBuilder {
    private final String file;
    private final Reporter reporter;

    AstBuilder(String file, Reporter reporter) {
        this.file = file;
        this.reporter = reporter;
    }

    Program program(LossParser.ProgramContext ctx) {
        return new Program(file, statements(ctx.statement()));
    }

    private List<Stmt> statements(List<LossParser.StatementContext> ctxs) {
        List<Stmt> out = new ArrayList<>();
        for (LossParser.StatementContext s : ctxs) {
            out.add(statement.visit(s));
        }
        return out;
    }

    private static Pos pos(Token t) {
        return new Pos(Math.max(1, t.getLine()), t.getCharPositionInLine() + 1);
    }

    private static Pos pos(ParserRuleContext ctx) {
        return pos(ctx.getStart());
    }

    private Ident ident(TerminalNode node) {
        String name = node.getText();
        Pos at = pos(node.getSymbol());
        if (name.length() > Limits.MAX_IDENTIFIER) {
            reporter.error(at, DiagnosticKind.NAME_TOO_LONG, name.length(), Limits.MAX_IDENTIFIER);
        }
        return new Ident(name, at);
    }

    private final LossBaseVisitor<Stmt> statement = new LossBaseVisitor<>() {
        @Override
        public Stmt visitModelStmt(LossParser.ModelStmtContext c) {
            return new Stmt.Model(ident(c.ID()), pos(c));
        }

        @Override
        public Stmt visitDimStmt(LossParser.DimStmtContext c) {
            List<Stmt.DimDecl> decls = new ArrayList<>();
            for (LossParser.DimDeclContext d : c.dimDecl()) {
                decls.add(new Stmt.DimDecl(ident(d.ID()), expr(d.expr()), d.op.getText().equals("<=")));
            }
            return new Stmt.Dim(decls, pos(c));
        }

        @Override
        public Stmt visitConstStmt(LossParser.ConstStmtContext c) {
            return new Stmt.Const(ident(c.ID()), expr(c.expr()), pos(c));
        }

        @Override
        public Stmt visitInputStmt(LossParser.InputStmtContext c) {
            boolean integer = false;
            if (c.ID().size() == 2) {
                TerminalNode type = c.ID(1);
                if (type.getText().equals("int")) {
                    integer = true;
                } else {
                    reporter.error(pos(type.getSymbol()), DiagnosticKind.UNKNOWN_TYPE, type.getText());
                }
            }
            return new Stmt.Input(ident(c.ID(0)), shape(c.shape()), integer, pos(c));
        }

        @Override
        public Stmt visitParamStmt(LossParser.ParamStmtContext c) {
            Options o = options(c.paramOption());
            return new Stmt.Param(ident(c.ID()), shape(c.shape()), o.init, o.key, pos(c));
        }

        @Override
        public Stmt visitStateStmt(LossParser.StateStmtContext c) {
            TerminalNode keyword = c.ID(0);
            if (!keyword.getText().equals("state")) {
                reporter.error(pos(keyword.getSymbol()), DiagnosticKind.UNKNOWN_STATEMENT, keyword.getText());
            }
            Options o = options(c.paramOption());
            return new Stmt.State(ident(c.ID(1)), shape(c.shape()), o.init, o.key, pos(c));
        }

        /** A param's or a state's options: {@code init …} and {@code as "…"}, each at most once. */
        private record Options(Optional<Stmt.Init> init, Optional<Stmt.Key> key) {}

        private Options options(List<LossParser.ParamOptionContext> options) {
            Optional<Stmt.Init> init = Optional.empty();
            Optional<Stmt.Key> key = Optional.empty();
            for (LossParser.ParamOptionContext option : options) {
                if (option instanceof LossParser.InitOptionContext io) {
                    LossParser.InitializerContext i = io.initializer();
                    List<Expr> args = new ArrayList<>();
                    for (LossParser.ExprContext e : i.expr()) {
                        args.add(expr(e));
                    }
                    if (init.isPresent()) {
                        reporter.error(pos(io.getStart()), DiagnosticKind.PARAM_OPTION_TWICE, "init");
                    }
                    init = Optional.of(new Stmt.Init(ident(i.ID()), args, i.getChildCount() > 1));
                } else if (option instanceof LossParser.KeyOptionContext ko) {
                    if (!ko.ID().getText().equals("as")) {
                        reporter.error(pos(ko.ID().getSymbol()), DiagnosticKind.PARAM_OPTION_UNKNOWN, ko.ID().getText());
                        continue;
                    }
                    if (key.isPresent()) {
                        reporter.error(pos(ko.ID().getSymbol()), DiagnosticKind.PARAM_OPTION_TWICE, "as");
                    }
                    String quoted = ko.STRING().getText();
                    key = Optional.of(new Stmt.Key(quoted.substring(1, quoted.length() - 1), pos(ko.STRING().getSymbol())));
                } else {
                    throw new IllegalStateException("param option " + option.getClass().getSimpleName());
                }
            }
            return new Options(init, key);
        }

        @Override
        public Stmt visitLetStmt(LossParser.LetStmtContext c) {
            return new Stmt.Let(ident(c.ID()), expr(c.expr()), pos(c));
        }

        @Override
        public Stmt visitLetTupleStmt(LossParser.LetTupleStmtContext c) {
            return new Stmt.Unpack(idents(c.ID()), expr(c.expr()), true, pos(c));
        }

        @Override
        public Stmt visitAssignTupleStmt(LossParser.AssignTupleStmtContext c) {
            return new Stmt.Unpack(idents(c.ID()), expr(c.expr()), false, pos(c));
        }

        @Override
        public Stmt visitOutputStmt(LossParser.OutputStmtContext c) {
            TerminalNode keyword = c.ID(0);
            if (!keyword.getText().equals("output")) {
                reporter.error(pos(keyword.getSymbol()), DiagnosticKind.UNKNOWN_STATEMENT, keyword.getText());
            }
            return new Stmt.Output(ident(c.ID(1)), expr(c.expr()), pos(c));
        }

        @Override
        public Stmt visitVarStmt(LossParser.VarStmtContext c) {
            return new Stmt.Var(ident(c.ID()), expr(c.expr()), pos(c));
        }

        @Override
        public Stmt visitAssignStmt(LossParser.AssignStmtContext c) {
            return new Stmt.Assign(ident(c.ID()), expr(c.expr()), pos(c));
        }

        @Override
        public Stmt visitForStmt(LossParser.ForStmtContext c) {
            Stmt.Checkpoint checkpoint = null;
            LossParser.CheckpointClauseContext k = c.checkpointClause();
            if (k != null) {
                if (!k.ID().getText().equals("checkpoint")) {
                    reporter.error(pos(k.ID().getSymbol()), DiagnosticKind.NOT_CHECKPOINT, k.ID().getText());
                }
                checkpoint = new Stmt.Checkpoint(k.expr() == null ? null : expr(k.expr()), pos(k.ID().getSymbol()));
            }
            return new Stmt.For(ident(c.ID()), expr(c.expr(0)), expr(c.expr(1)), checkpoint, statements(c.statement()), pos(c));
        }

        @Override
        public Stmt visitDefExprStmt(LossParser.DefExprStmtContext c) {
            return new Stmt.Def(ident(c.ID()), params(c.paramList()), List.of(), expr(c.expr()), rules(c.derivativeRule()), pos(c));
        }

        @Override
        public Stmt visitDefBlockStmt(LossParser.DefBlockStmtContext c) {
            Expr result;
            if (c.defResult() instanceof LossParser.TupleResultContext t) {
                List<Expr> items = new ArrayList<>();
                t.expr().forEach(e -> items.add(expr(e)));
                result = new Expr.Tuple(items, pos(t));
            } else {
                result = expr(((LossParser.SingleResultContext) c.defResult()).expr());
            }
            return new Stmt.Def(ident(c.ID()), params(c.paramList()), statements(c.statement()), result, rules(c.derivativeRule()), pos(c));
        }

        @Override
        public Stmt visitLossStmt(LossParser.LossStmtContext c) {
            return new Stmt.Loss(expr(c.expr()), pos(c));
        }
    };

    /** A def's own derivatives: {@code grad} or {@code jvp}, any other name an error at it. */
    private List<Stmt.Rule> rules(List<LossParser.DerivativeRuleContext> rules) {
        List<Stmt.Rule> out = new ArrayList<>();
        for (LossParser.DerivativeRuleContext r : rules) {
            Ident kind = ident(r.ID());
            if (!kind.name().equals("grad") && !kind.name().equals("jvp")) {
                reporter.error(kind.pos(), DiagnosticKind.UNKNOWN_RULE, kind.name());
            }
            out.add(new Stmt.Rule(kind, params(r.paramList()), expr(r.expr()), kind.pos()));
        }
        return out;
    }

    private List<Ident> idents(List<TerminalNode> ids) {
        List<Ident> out = new ArrayList<>();
        ids.forEach(id -> out.add(ident(id)));
        return out;
    }

    private List<Ident> params(LossParser.ParamListContext c) {
        List<Ident> out = new ArrayList<>();
        if (c != null) {
            for (TerminalNode id : c.ID()) {
                out.add(ident(id));
            }
        }
        return out;
    }

    private List<Expr> shape(LossParser.ShapeContext c) {
        List<Expr> out = new ArrayList<>();
        if (c != null) {
            for (LossParser.ExprContext e : c.expr()) {
                out.add(expr(e));
            }
        }
        return out;
    }

    private Expr expr(LossParser.ExprContext c) {
        return expression.visit(c);
    }

    private final LossBaseVisitor<Expr> expression = new LossBaseVisitor<>() {
        @Override
        public Expr visitPowerExpr(LossParser.PowerExprContext c) {
            return visit(c.power());
        }

        @Override
        public Expr visitPower(LossParser.PowerContext c) {
            Expr base = visit(c.postfix());
            if (c.powRhs() == null) {
                return base;
            }
            return new Expr.Pow(base, visit(c.powRhs()), pos(((TerminalNode) c.getChild(1)).getSymbol()));
        }

        @Override
        public Expr visitNegExpr(LossParser.NegExprContext c) {
            return new Expr.Neg(visit(c.expr()), pos(c));
        }

        @Override
        public Expr visitMulExpr(LossParser.MulExprContext c) {
            Expr.BinaryOp op = switch (c.op.getText()) {
                case "*" -> Expr.BinaryOp.MUL;
                case "/" -> Expr.BinaryOp.DIV;
                default -> Expr.BinaryOp.MATMUL;
            };
            return new Expr.Binary(op, visit(c.expr(0)), visit(c.expr(1)), pos(c.op));
        }

        @Override
        public Expr visitAddExpr(LossParser.AddExprContext c) {
            Expr.BinaryOp op = c.op.getText().equals("+") ? Expr.BinaryOp.ADD : Expr.BinaryOp.SUB;
            return new Expr.Binary(op, visit(c.expr(0)), visit(c.expr(1)), pos(c.op));
        }

        @Override
        public Expr visitCmpExpr(LossParser.CmpExprContext c) {
            for (LossParser.ExprContext side : c.expr()) {
                if (side instanceof LossParser.CmpExprContext inner) {
                    reporter.error(pos(side == c.expr(0) ? c.op : inner.op), DiagnosticKind.CHAINED_COMPARISON);
                }
            }
            Expr.BinaryOp op = switch (c.op.getText()) {
                case "<" -> Expr.BinaryOp.LT;
                case "<=" -> Expr.BinaryOp.LE;
                case ">" -> Expr.BinaryOp.GT;
                case ">=" -> Expr.BinaryOp.GE;
                case "==" -> Expr.BinaryOp.EQ;
                default -> Expr.BinaryOp.NE;
            };
            return new Expr.Binary(op, visit(c.expr(0)), visit(c.expr(1)), pos(c.op));
        }

        @Override
        public Expr visitNegPowRhs(LossParser.NegPowRhsContext c) {
            return new Expr.Neg(visit(c.powRhs()), pos(c));
        }

        @Override
        public Expr visitPlainPowRhs(LossParser.PlainPowRhsContext c) {
            return visit(c.power());
        }

        @Override
        public Expr visitPostfix(LossParser.PostfixContext c) {
            Expr base = visit(c.primary());
            // Children after the primary: '[' expr (',' expr)* ']' groups.
            List<Expr> pending = new ArrayList<>();
            Pos bracket = null;
            for (int i = 1; i < c.getChildCount(); i++) {
                var child = c.getChild(i);
                if (child instanceof TerminalNode t) {
                    String s = t.getText();
                    if (s.equals("[")) {
                        pending = new ArrayList<>();
                        bracket = pos(t.getSymbol());
                    } else if (s.equals("]")) {
                        base = new Expr.Index(base, pending, bracket);
                    }
                } else if (child instanceof LossParser.IndexContext e) {
                    pending.add(visit(e));
                }
            }
            return base;
        }

        @Override
        public Expr visitExprIndex(LossParser.ExprIndexContext c) {
            Expr from = visit(c.expr(0));
            return c.expr().size() == 1 ? from : new Expr.Range(from, visit(c.expr(1)), pos(c.getStart()));
        }

        @Override
        public Expr visitAllIndex(LossParser.AllIndexContext c) {
            return new Expr.Range(null, null, pos(c.getStart()));
        }

        @Override
        public Expr visitNumberPrimary(LossParser.NumberPrimaryContext c) {
            String text = c.NUMBER().getText();
            // The grammar admits only well-formed literals; what can still go wrong is range.
            double value = Double.parseDouble(text);
            if (Double.isInfinite(value)) {
                reporter.error(pos(c), DiagnosticKind.BAD_NUMBER, text.length() > 40 ? text.substring(0, 40) + "\u2026" : text);
                value = 0;
            }
            return new Expr.Num(value, text, pos(c));
        }

        @Override
        public Expr visitCallPrimary(LossParser.CallPrimaryContext c) {
            List<Expr> args = new ArrayList<>();
            List<Expr.NamedArg> named = new ArrayList<>();
            for (LossParser.ArgumentContext a : c.argument()) {
                if (a instanceof LossParser.NamedArgumentContext n) {
                    named.add(new Expr.NamedArg(ident(n.ID()), visit(n.expr())));
                } else if (a instanceof LossParser.PositionalArgumentContext p) {
                    if (!named.isEmpty()) {
                        reporter.error(pos(p.getStart()), DiagnosticKind.POSITIONAL_AFTER_NAMED);
                    }
                    args.add(visit(p.expr()));
                } else {
                    throw new IllegalStateException("argument " + a.getClass().getSimpleName());
                }
            }
            return new Expr.Call(ident(c.ID()), args, named);
        }

        @Override
        public Expr visitNamePrimary(LossParser.NamePrimaryContext c) {
            return new Expr.Name(ident(c.ID()));
        }

        @Override
        public Expr visitParenPrimary(LossParser.ParenPrimaryContext c) {
            if (c.expr().size() == 1) {
                return visit(c.expr(0));
            }
            List<Expr> items = new ArrayList<>();
            c.expr().forEach(e -> items.add(visit(e)));
            return new Expr.Tuple(items, pos(c));
        }
    };
}
