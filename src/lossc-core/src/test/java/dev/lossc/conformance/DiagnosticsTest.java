package dev.lossc.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossc.LossCompiler;
import dev.lossc.diag.Diagnostic;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every error the language defines is reported as {@code FILE:LINE:COL: error: MESSAGE}, at the
 * right place, all errors of a file at once, and no class is generated.
 */
class DiagnosticsTest {
    static Stream<Arguments> errors() {
        return Stream.of(
                // Names and scopes (section 2)
                Arguments.of("unknown name", "param w;\nloss w + v;\n", List.of("2:10: error: unknown name 'v'")),
                Arguments.of("declared twice", "param w;\ninput w;\nloss w;\n", List.of("2:7: error: 'w' is already declared in this scope (at line 1)")),
                Arguments.of("use before declaration", "let a = w;\nparam w;\nloss w;\n", List.of("1:9: error: unknown name 'w'")),
                Arguments.of("built-in redeclared", "param sum;\nloss 1;\n", List.of("1:7: error: 'sum' is a built-in function and cannot be declared again")),
                Arguments.of("unknown function", "param w;\nloss foo(w);\n", List.of("2:6: error: unknown function 'foo'")),
                Arguments.of("recursive def", "def f(x) = f(x) + 1;\nparam w;\nloss f(w);\n", List.of("1:12: error: 'f' calls itself: functions may not be recursive")),
                Arguments.of("not a function", "param w;\nloss w(2);\n", List.of("2:6: error: 'w' is a param, not a function")),
                Arguments.of("function as value", "def f(x) = x;\nloss f;\n", List.of("2:6: error: 'f' is a function; call it with arguments")),
                Arguments.of("built-in as value", "param w;\nloss w + tanh;\n", List.of("2:10: error: 'tanh' is a function; call it with arguments")),
                Arguments.of("assign to let", "param w;\nlet a = w;\na = w;\nloss a;\n", List.of("3:1: error: cannot assign to 'a': it is a let, and only a 'var' can be assigned")),
                Arguments.of("assign new shape", "param w[2];\nvar h = w;\nh = sum(w);\nloss sum(h);\n", List.of("3:5: error: 'h' has shape [2], but the new value has shape scalar")),
                Arguments.of("let scoped to loop body", "param w;\nfor t in 0..2 {\n  let a = w;\n}\nloss a;\n", List.of("5:6: error: unknown name 'a'")),
                Arguments.of("var in loop, scoped to its body", "param w;\nfor t in 0..2 {\n  var a = w;\n}\nloss a;\n", List.of("5:6: error: unknown name 'a'")),
                // A refused declaration's uses in its block are not reported again.
                Arguments.of("param in loop, used", "var s = 0;\nfor t in 0..2 {\n  param q;\n  s = s + q;\n}\nloss s;\n",
                        List.of("3:3: error: 'param' is not allowed inside a 'for' body")),
                Arguments.of("param in loop", "param w;\nfor t in 0..2 {\n  param q;\n}\nloss w;\n", List.of("3:3: error: 'param' is not allowed inside a 'for' body")),
                Arguments.of("def assigns an outer var", "param w;\nvar h = w;\ndef f(x) {\n  h = x;\n  return x;\n}\nloss f(w) + h;\n",
                        List.of("4:3: error: 'h' is declared outside function 'f': a function may assign only the vars it declares")),
                Arguments.of("param in def", "param w;\ndef f(x) {\n  param q;\n  return x;\n}\nloss f(w);\n", List.of("3:3: error: 'param' is not allowed inside a 'def' body")),
                Arguments.of("def arity", "def f(x, y) = x * y;\nparam w;\nloss f(w);\n", List.of("3:6: error: 'f' takes 2 arguments, but 1 given")),
                // Several results (version 3): a tuple is only unpacked, into as many names.
                Arguments.of("tuple as a value", "def f(x) {\n  return (x, x * 2);\n}\nparam w;\nloss f(w);\n",
                        List.of("5:6: error: 'f' returns 2 values, and a tuple is not a value: unpack it with 'let (a, b) = f(…);'")),
                Arguments.of("unpack one value", "def f(x) = x;\nparam w;\nlet (a, b) = f(w);\nloss a;\n",
                        List.of("3:14: error: only the results of a def that returns several values can be unpacked, but this is a call of 'f', which returns one value")),
                Arguments.of("unpack a built-in", "param w;\nlet (a, b) = tanh(w);\nloss a + b;\n",
                        List.of("2:14: error: only the results of a def that returns several values can be unpacked, but this is a call of 'tanh', which returns one value")),
                Arguments.of("unpack a name", "param w;\nlet (a, b) = w;\nloss a;\n",
                        List.of("2:14: error: only the results of a def that returns several values can be unpacked, but this is 'w', a single value")),
                Arguments.of("unpack count", "def f(x) {\n  return (x, x);\n}\nparam w;\nlet (a, b, c) = f(w);\nloss a;\n",
                        List.of("5:6: error: 'f' returns 2 values, but 3 names unpack them")),
                Arguments.of("unpack into a name twice", "def f(x) {\n  return (x, x);\n}\nparam w;\nlet (a, a) = f(w);\nloss a;\n",
                        List.of("5:9: error: 'a' is unpacked into twice")),
                Arguments.of("unpack into a let", "def f(x) {\n  return (x, x);\n}\nparam w;\nlet a = w;\nvar b = w;\n(a, b) = f(w);\nloss a + b;\n",
                        List.of("7:2: error: cannot assign to 'a': it is a let, and only a 'var' can be assigned")),
                Arguments.of("unpack a new shape", "def f(x) {\n  return (x, x);\n}\nparam w;\nparam v[2];\nvar a = w;\nvar b = v;\n(a, b) = f(w);\nloss a + sum(b);\n",
                        List.of("8:5: error: 'b' has shape [2], but the new value has shape scalar")),
                Arguments.of("unpack an unknown function", "param w;\nlet (a, b) = g(w);\nloss a;\n", List.of("2:14: error: unknown function 'g'")),
                // Dropout (version 3): p a constant in [0, 1], given by position or as p.
                Arguments.of("dropout p above 1", "param w[2];\nloss sum(dropout(w, 1.5));\n",
                        List.of("2:21: error: the p of 'dropout' must be a constant from 0 to 1, but it is 1.5")),
                Arguments.of("dropout p of a param", "param w[2];\nparam q;\nloss sum(dropout(w, p = q));\n",
                        List.of("3:21: error: the p of 'dropout' must be a constant from 0 to 1, but it is a value of shape scalar")),
                Arguments.of("dropout unknown named argument", "param w[2];\nloss sum(dropout(w, rate = 0.5));\n",
                        List.of("2:21: error: 'dropout' has no argument named 'rate'")),
                Arguments.of("batch_norm running mean not a state", "dim B = 4, C = 3;\ninput X[B, C];\nparam g[C];\nparam m[C];\nstate v[C];\nloss sum(batch_norm(X, g, 0, m, v));\n",
                        List.of("6:30: error: the running mean of 'batch_norm' must be a state (declared with 'state'), but it is a value of shape [3]")),
                Arguments.of("state read as a value", "dim B = 4, C = 3;\ninput X[B, C];\nstate m[C];\nloss sum(X * m);\n",
                        List.of("4:14: error: state 'm' can only be given to 'batch_norm', as its running mean or variance")),
                Arguments.of("batch_norm momentum above 1", "dim B = 4, C = 3;\ninput X[B, C];\nstate m[C];\nstate v[C];\nloss sum(batch_norm(X, 1, 0, m, v, momentum = 1.5));\n",
                        List.of("5:36: error: the momentum of 'batch_norm' must be a constant from 0 to 1, but it is 1.5")),
                Arguments.of("batch_norm eps of 0", "dim B = 4, C = 3;\ninput X[B, C];\nstate m[C];\nstate v[C];\nloss sum(batch_norm(X, 1, 0, m, v, eps = 0));\n",
                        List.of("5:36: error: the eps of 'batch_norm' must be a constant greater than 0, but it is 0")),
                Arguments.of("batch_norm over one row", "dim C = 3;\ninput X[1, C];\nstate m[C];\nstate v[C];\nloss sum(batch_norm(X, 1, 0, m, v));\n",
                        List.of("5:21: error: 'batch_norm' needs more than one value per channel in a training call, but X [1, 3] has one")),
                Arguments.of("batch_norm state of the wrong size", "dim B = 4, C = 3;\ninput X[B, C];\nstate m[2];\nstate v[C];\nloss sum(batch_norm(X, 1, 0, m, v));\n",
                        List.of("5:30: error: 'batch_norm' expects its running mean of shape [3], but got [2]")),
                Arguments.of("batch_norm of a vector", "dim C = 3;\ninput x[C];\nstate m[C];\nstate v[C];\nloss sum(batch_norm(x, 1, 0, m, v));\n",
                        List.of("5:21: error: 'batch_norm' expects a matrix [N, C] (N rows of C channels), but got [3]")),
                Arguments.of("batch_norm gamma of the wrong size", "dim B = 4, C = 3;\ninput X[B, C];\nstate m[C];\nstate v[C];\nparam g[2];\nloss sum(batch_norm(X, g, 0, m, v));\n",
                        List.of("6:24: error: 'batch_norm' expects its gamma of shape [3] or a scalar, but got [2]")),
                Arguments.of("batch_norm unknown named argument", "dim B = 4, C = 3;\ninput X[B, C];\nstate m[C];\nstate v[C];\nloss sum(batch_norm(X, 1, 0, m, v, mom = 0.1));\n",
                        List.of("5:36: error: 'batch_norm' has no argument named 'mom'")),
                Arguments.of("batch_norm argument twice", "dim B = 4, C = 3;\ninput X[B, C];\nstate m[C];\nstate v[C];\nloss sum(batch_norm(X, 1, 0, m, v, eps = 0.1, eps = 0.2));\n",
                        List.of("5:47: error: argument 'eps' of 'batch_norm' is given twice")),
                Arguments.of("state sized by a varying dim", "dim B <= 4, C = 3;\ninput X[B, C];\nstate m[B];\nloss sum(X);\n",
                        List.of("3:9: error: state 'm' cannot be sized by dim 'B', which varies per call: a state keeps one shape")),
                Arguments.of("state key taken by a param", "dim C = 3;\nparam w[C] as \"bn.mean\";\nstate m[C] as \"bn.mean\";\nloss sum(w);\n",
                        List.of("3:15: error: state-dict name \"bn.mean\" is already the state-dict name of param 'w'")),
                Arguments.of("state in a loop", "dim C = 3;\nparam w[C];\nfor t in 0..2 {\n  state m[C];\n}\nloss sum(w);\n",
                        List.of("4:3: error: 'state' is not allowed inside a 'for' body")),
                Arguments.of("state in a def", "dim C = 3;\nparam w[C];\ndef f(x) {\n  state m[C];\n  return x;\n}\nloss sum(w);\n",
                        List.of("4:3: error: 'state' is not allowed inside a 'def' body")),
                Arguments.of("misspelt state", "dim C = 3;\nparam w[C];\nstat m[C];\nloss sum(w);\n",
                        List.of("3:1: error: unknown statement 'stat' (expected model, dim, const, input, param, state, let, var, output, for, def or loss)")),
                // Axes (version 3): from the end when negative, within the value's rank; permute names each axis once.
                Arguments.of("axis below the first", "param X[2, 3];\nloss sum(sum(X, -3));\n",
                        List.of("2:17: error: axis must be an integer constant from -2 to 1, but it is -3")),
                Arguments.of("transpose of an axis too many", "param X[2, 3];\nloss sum(transpose(X, 0, 2));\n",
                        List.of("2:26: error: axis must be an integer constant from -2 to 1, but it is 2")),
                Arguments.of("permute with too few axes", "param X[2, 3];\nloss sum(permute(X, 0));\n",
                        List.of("2:10: error: 'permute' takes 3 arguments for a value of rank 2, but 2 given")),
                Arguments.of("permute repeats an axis", "param X[2, 3];\nloss sum(permute(X, 0, -2));\n",
                        List.of("2:24: error: axis must be an axis not given before (a permutation), but it is -2")),
                // Shapes (version 3): a reshape keeps the element count, one -1; squeeze an axis of size 1.
                Arguments.of("reshape of the wrong size", "param X[2, 3];\nloss sum(reshape(X, 4, 2));\n",
                        List.of("2:10: error: 'reshape': cannot reshape [2, 3] (6 elements) to [4, 2] (8 elements)")),
                Arguments.of("reshape with two -1", "param X[2, 3];\nloss sum(reshape(X, -1, -1));\n",
                        List.of("2:25: error: 'reshape': only one size may be -1")),
                Arguments.of("reshape to a size that does not divide", "param X[2, 3];\nloss sum(reshape(X, -1, 4));\n",
                        List.of("2:10: error: 'reshape': cannot reshape [2, 3] (6 elements) with the sizes given: 6 is not a multiple of 4")),
                Arguments.of("reshape of a varying size", "dim B <= 4;\ninput X[B, 3];\nloss sum(reshape(X, -1));\n",
                        List.of("3:10: error: 'reshape': a value whose size varies per call keeps its shape: [B, 3] cannot become [12]")),
                Arguments.of("reshape to rank 5", "param X[2, 3];\nloss sum(reshape(X, 1, 2, 3, 1, 1));\n",
                        List.of("2:33: error: shapes have at most four sizes ([B, C, H, W]), but this one has 5")),
                Arguments.of("reshape to rank 3 of the wrong size", "param X[2, 3];\nloss sum(reshape(X, 1, 2, 4));\n",
                        List.of("2:10: error: 'reshape': cannot reshape [2, 3] (6 elements) to [1, 2, 4] (8 elements)")),
                Arguments.of("squeeze of an axis of size 3", "param X[2, 3];\nloss sum(squeeze(X, 1));\n",
                        List.of("2:10: error: 'squeeze' expects an axis of size 1, but got [2, 3], whose axis 1 has size 3")),
                Arguments.of("unsqueeze of a varying size into columns", "dim B <= 4;\ninput x[B];\nloss sum(unsqueeze(x, 0));\n",
                        List.of("3:10: error: 'unsqueeze' expects axis 1 (or -1) for a size that varies per call, but got [B]")),
                Arguments.of("unsqueeze of a rank-4 tensor", "param X[2, 3, 1, 1];\nloss sum(unsqueeze(X, 0));\n",
                        List.of("2:23: error: shapes have at most four sizes ([B, C, H, W]), but this one has 5")),
                // Constructors (version 3): sizes as a declared shape's, a constant value.
                Arguments.of("zeros without sizes", "param w;\nloss w + sum(zeros());\n", List.of("2:14: error: 'zeros' takes 1 to 4 sizes, but 0 given")),
                Arguments.of("full without sizes", "loss sum(full(2));\n", List.of("1:10: error: 'full' takes a value and 1 to 4 sizes, but 1 given")),
                Arguments.of("zeros of rank 5", "loss sum(zeros(2, 3, 4, 1, 1));\n", List.of("1:28: error: shapes have at most four sizes ([B, C, H, W]), but this one has 5")),
                Arguments.of("ones of size 0", "loss sum(ones(0));\n", List.of("1:15: error: a size must be a dim or a positive integer literal, but it is 0")),
                Arguments.of("ones of a param size", "param w;\nloss sum(ones(w));\n", List.of("2:15: error: a size must be a dim or a positive integer literal, but it is a value of shape scalar")),
                Arguments.of("full of a param", "param w;\nloss sum(full(w, 2));\n", List.of("2:15: error: argument 1 of 'full' must be a constant expression")),
                Arguments.of("zeros named argument", "loss sum(zeros(2, n = 3));\n", List.of("1:19: error: 'zeros' has no argument named 'n'")),
                // Named arguments (version 3): constant attributes only, at the argument's name.
                Arguments.of("unknown named argument", "param w[2];\nloss sum(leaky_relu(w, beta = 2));\n",
                        List.of("2:24: error: 'leaky_relu' has no argument named 'beta'")),
                Arguments.of("named argument repeated", "param w[2];\nloss sum(leaky_relu(w, alpha = 1, alpha = 2));\n",
                        List.of("2:35: error: argument 'alpha' of 'leaky_relu' is given twice")),
                Arguments.of("named argument also positional", "param w[2];\nloss sum(leaky_relu(w, 0.1, alpha = 2));\n",
                        List.of("2:29: error: argument 'alpha' of 'leaky_relu' is given twice")),
                Arguments.of("positional after named", "param w[2];\nloss sum(leaky_relu(alpha = 2, w));\n",
                        List.of("2:32: error: a positional argument cannot follow a named one")),
                Arguments.of("named argument not constant", "param w[2];\nloss sum(leaky_relu(w, alpha = w[0]));\n",
                        List.of("2:24: error: argument 'alpha' of 'leaky_relu' must be a constant expression")),
                Arguments.of("named axis of a derived form", "param W[2, 3];\nloss sum(mean(W, axs = 0));\n",
                        List.of("2:18: error: 'mean' has no argument named 'axs'")),
                Arguments.of("named axis out of range", "param W[2, 3];\nloss sum(sum(W, axis = 2));\n",
                        List.of("2:17: error: axis must be an integer constant from -2 to 1, but it is 2")),
                Arguments.of("named argument to a def", "def f(x) = x;\nparam w;\nloss f(w, scale = 2);\n",
                        List.of("3:11: error: 'f' has no argument named 'scale'")),
                Arguments.of("cumsum along a vector's missing axis", "param v[3];\nloss sum(cumsum(v, 1));\n",
                        List.of("2:20: error: axis must be 0 or -1, the axis of a vector, but it is 1")),
                Arguments.of("cumsum without an axis", "param v[3];\nloss sum(cumsum(v));\n",
                        List.of("2:10: error: 'cumsum' takes 2 arguments, but 1 given")),
                Arguments.of("elu of two operands", "param v[3];\nloss sum(elu(v, v));\n",
                        List.of("2:17: error: argument 2 of 'elu' must be a constant expression")),
                // State-dict names
                Arguments.of("param option unknown", "param w[2] like \"x\";\nloss sum(w);\n",
                        List.of("1:12: error: 'like' is not an option of a param (expected init INITIALIZER or as \"NAME\")")),
                Arguments.of("param as twice", "param w[2] as \"a\" as \"b\";\nloss sum(w);\n", List.of("1:19: error: a param takes one 'as'")),
                Arguments.of("param init twice", "param w[2] init zeros as \"a\" init ones;\nloss sum(w);\n", List.of("1:30: error: a param takes one 'init'")),
                Arguments.of("state-dict name with a space", "param w[2] as \"fc 1\";\nloss sum(w);\n",
                        List.of("1:15: error: state-dict name \"fc 1\" cannot be used: only printable ASCII characters other than spaces may be used")),
                Arguments.of("empty state-dict name", "param w[2] as \"\";\nloss sum(w);\n", List.of("1:15: error: state-dict name \"\" cannot be used: it is empty")),
                Arguments.of("state-dict name taken", "param w[2] as \"fc.weight\";\nparam v[2] as \"fc.weight\";\nloss sum(w * v);\n",
                        List.of("2:15: error: state-dict name \"fc.weight\" is already the state-dict name of param 'w'")),
                Arguments.of("state-dict name is another's own name", "param w[2];\nparam v[2] as \"w\";\nloss sum(w * v);\n",
                        List.of("2:15: error: state-dict name \"w\" is already the state-dict name of param 'w'")),
                // Outputs (version 2)
                Arguments.of("output in loop", "param w;\nfor t in 0..2 {\n  output o = w;\n}\nloss w;\n", List.of("3:3: error: 'output' is not allowed inside a 'for' body")),
                Arguments.of("output in def", "param w;\ndef f(x) {\n  output o = x;\n  return x;\n}\nloss f(w);\n", List.of("3:3: error: 'output' is not allowed inside a 'def' body")),
                Arguments.of("output named like a method", "param w;\noutput lossAndGradient = w * 2;\nloss w;\n",
                        List.of("2:8: error: output 'lossAndGradient' would clash with the method lossAndGradient() of the generated class; choose another name")),
                Arguments.of("output named like a parallel class's method", "param w;\noutput close = w * 2;\nloss w;\n",
                        List.of("2:8: error: output 'close' would clash with the method close() of the generated class; choose another name")),
                Arguments.of("output named like a parallel class's member", "param w;\noutput runSplit = w * 2;\nloss w;\n",
                        List.of("2:8: error: output 'runSplit' would clash with a private member 'runSplit' of the generated class; choose another name")),
                Arguments.of("output named like a member", "param w;\noutput sigmoid_ = w;\noutput backward = w;\nloss w;\n",
                        List.of("3:8: error: output 'backward' would clash with a private member 'backward' of the generated class; choose another name")),
                Arguments.of("output after loss", "param w;\nloss w;\noutput o = w;\n", List.of("2:1: error: 'loss' must be the last statement")),
                Arguments.of("output declared twice", "param w;\noutput o = w;\noutput o = w * 2;\nloss w;\n", List.of("3:8: error: 'o' is already declared in this scope (at line 2)")),
                Arguments.of("output with unknown name", "param w;\noutput o = w + v;\nloss o;\n", List.of("2:16: error: unknown name 'v'")),
                Arguments.of("unknown statement", "param w;\noutptu o = w;\nloss w;\n",
                        List.of("2:1: error: unknown statement 'outptu' (expected model, dim, const, input, param, state, let, var, output, for, def or loss)")),
                // Integer inputs (version 2)
                Arguments.of("unknown element type", "input n: integer;\nparam w;\nloss w;\n",
                        List.of("1:10: error: unknown element type 'integer' (the only one is int; an input without a type is real)")),
                Arguments.of("int input as a real", "input label: int;\nparam w;\nloss w * label;\n",
                        List.of("3:10: error: 'label' is an int input: it can only index (E[label]) or be the class labels of cross_entropy, not be used as a real value")),
                Arguments.of("int input element as a real", "input toks[3]: int;\nparam w;\nloss w * toks[0];\n",
                        List.of("3:10: error: 'toks' is an int input: it can only index (E[toks]) or be the class labels of cross_entropy, not be used as a real value")),
                Arguments.of("whole int matrix as labels", "dim B <= 4, T = 3, V = 5;\ninput toks[B, T]: int;\nparam E[V, 2];\nloss cross_entropy(E[toks[.., 0]], toks);\n",
                        List.of("4:36: error: 'toks' is int data [B, 3]: a row ('toks[i]') or a column ('toks[.., t]') of an int matrix labels a matrix's rows; "
                                + "int data of any rank is read whole to look rows up (E[toks]) or to label a tensor's positions")),
                Arguments.of("part of an int tensor", "dim B <= 4, V = 5;\ninput toks[B, 3, 2]: int;\nparam E[V, 2];\nloss sum(E[toks[0]]);\n",
                        List.of("4:12: error: 'toks' is int data [B, 3, 2]: a row ('toks[i]') or a column ('toks[.., t]') of an int matrix labels a matrix's rows; "
                                + "int data of any rank is read whole to look rows up (E[toks]) or to label a tensor's positions")),
                Arguments.of("lookup of rank 5", "dim B <= 4, V = 5;\ninput toks[B, 3, 2, 2]: int;\nparam E[V, 2];\nloss sum(E[toks]);\n",
                        List.of("4:12: error: shapes have at most four sizes ([B, C, H, W]), but this one has 5")),
                Arguments.of("concat of tensors that differ", "param A[2, 3, 4];\nparam C[2, 2, 3];\nloss sum(concat(A, C, 1));\n",
                        List.of("3:10: error: 'concat(A, B, 1)' expects two tensors of one rank whose sizes agree but along axis 1, where they do not vary per call, but got [2, 3, 4] and [2, 2, 3]")),
                Arguments.of("concat of tensors without an axis", "param A[2, 3, 4];\nloss sum(concat(A, A));\n",
                        List.of("2:10: error: axis must be an integer constant from -3 to 2, but it is none")),
                Arguments.of("batched product whose batches differ", "param A[2, 3, 4];\nparam C[3, 4, 2];\nloss sum(A @ C);\n",
                        List.of("3:12: error: '@' cannot multiply shapes [2, 3, 4] and [3, 4, 2]")),
                Arguments.of("amax over a varying batch of a tensor", "dim B <= 4;\ninput X[B, 3, 4];\nloss sum(amax(X, 0));\n",
                        List.of("3:10: error: 'amax' expects a tensor whose first axis, whose size varies per call, is not the axis, but got [B, 3, 4]")),
                Arguments.of("int matrix column out of bounds", "dim B <= 4, T = 3, V = 5;\ninput toks[B, T]: int;\nparam E[V, 2];\nloss sum(E[toks[.., 3]]);\n",
                        List.of("4:21: error: index 3 is out of bounds for size 3")),
                Arguments.of("int matrix row at a constant of a varying dim", "dim B <= 4, T = 3, V = 5;\ninput toks[B, T]: int;\nparam E[V, 2];\nloss sum(E[toks[0]]);\n",
                        List.of("4:17: error: an index into an axis of size B, which varies per call, must be a loop variable running to B, minus a constant of 0 or more")),
                Arguments.of("int matrix column with another index", "dim B <= 4, T = 3, V = 5;\ninput toks[B, T]: int;\nparam E[V, 2];\nloss sum(E[toks[.., 1], 0]);\n",
                        List.of("4:12: error: an int vector ('toks') gathers rows as the only index: E[toks]")),
                Arguments.of("int matrix column as a real value", "dim B <= 4, T = 3, V = 5;\ninput toks[B, T]: int;\nparam E[V, 2];\nloss sum(toks[.., 1]);\n",
                        List.of("4:10: error: 'toks' is an int input: it can only index (E[toks]) or be the class labels of cross_entropy, not be used as a real value")),
                Arguments.of("int matrix sliced", "dim B <= 4, T = 3, V = 5;\ninput toks[B, T]: int;\nparam E[V, 2];\nloss sum(E[toks[.., 1..3]]);\n",
                        List.of("4:21: error: a range (a..b or ..) can only slice real values: v[a..b], A[.., j], X[.., 0..2]")),
                Arguments.of("int matrix with three indexes", "dim B <= 4, T = 3, V = 5;\ninput toks[B, T]: int;\nparam E[V, 2];\nloss sum(E[toks[1, 2, 0]]);\n",
                        List.of("4:16: error: cannot index a matrix with 3 indexes")),
                Arguments.of("int matrix column as labels of the wrong rows", "dim B <= 4, T = 3, V = 5;\ninput toks[B, T]: int;\nparam E[V, 2];\nparam Z[4, 5];\nloss cross_entropy(Z, toks[.., 0]);\n",
                        List.of("5:6: error: 'cross_entropy' expects a vector [n] and an int label, or a matrix [m, n] and int labels [m], but got [4, 5] and int [B]")),
                Arguments.of("slice of length zero", "param v[4];\nloss sum(v[2..2]);\n",
                        List.of("2:12: error: the slice 2..2 must have a constant length of 1 or more, but its length is 0")),
                Arguments.of("slice whose length moves", "param v[4];\nvar s = 0;\nfor t in 0..3 {\n  s = s + sum(v[0..t + 1]);\n}\nloss s;\n",
                        List.of("4:17: error: the slice 0..t + 1 must have a constant length of 1 or more, but its length is t + 1")),
                Arguments.of("slice out of range", "param A[3, 4];\nloss sum(A[.., 2..5]);\n",
                        List.of("2:16: error: slice 2..5 is out of bounds for size 4")),
                Arguments.of("slice out of range in a loop", "param v[5];\nvar s = 0;\nfor t in 0..5 {\n  s = s + sum(v[t..t + 2]);\n}\nloss s;\n",
                        List.of("4:17: error: slice t..t + 2 (whose start runs from 0 to 4) is out of bounds for size 5")),
                Arguments.of("slice of a varying axis", "dim B <= 8;\ninput X[B, 3];\nloss sum(X[0..2]);\n",
                        List.of("3:12: error: an axis of size B, which varies per call, can only be sliced whole ('..')")),
                Arguments.of("range on an int input", "input toks[3]: int;\nparam E[4, 2];\nloss sum(E[toks[0..2]]);\n",
                        List.of("3:17: error: a range (a..b or ..) can only slice real values: v[a..b], A[.., j], X[.., 0..2]")),
                Arguments.of("too many ranges", "param v[4];\nloss sum(v[.., 0..1]);\n",
                        List.of("2:11: error: cannot index a vector with 2 indexes")),
                Arguments.of("concat of mismatched columns", "param A[2, 3];\nparam B[2, 4];\nloss sum(concat(A, B, 0));\n",
                        List.of("3:10: error: 'concat(A, B, 0)' expects two matrices with the same number of columns, but got [2, 3] and [2, 4]")),
                Arguments.of("concat along a varying axis", "dim B <= 8;\ninput X[B, 3];\nparam A[2, 3];\nloss sum(concat(X, A, 0));\n",
                        List.of("4:10: error: 'concat(A, B, 0)' expects sizes that do not vary per call along axis 0, but got [B, 3] and [2, 3]")),
                Arguments.of("concat of a matrix without an axis", "param A[2, 3];\nparam v[3];\nloss sum(concat(A, v));\n",
                        List.of("3:10: error: 'concat' expects two vectors (or two matrices and an axis), but got [2, 3] and [3]")),
                Arguments.of("column of a matrix", "param A[2, 3];\nloss sum(column(A));\n",
                        List.of("2:10: error: 'column' expects a vector, but got [2, 3]")),
                Arguments.of("a vector does not stretch down the rows of a batch", "dim B <= 8;\ninput X[B, 2];\ninput y[B];\nloss sum(X * y);\n",
                        List.of("4:12: error: '*' cannot combine shapes [B, 2] and [B]")),
                Arguments.of("columns of different lengths", "param U[3, 1];\nparam V[2, 1];\nloss sum(U + V);\n",
                        List.of("3:12: error: '+' cannot combine shapes [3, 1] and [2, 1]")),
                Arguments.of("where with three incompatible shapes", "param c[2, 1];\nparam a[1, 3];\nparam b[4];\nloss sum(where(c, a, b));\n",
                        List.of("4:10: error: 'where' expects three shapes that broadcast together, but got [2, 1], [1, 3] and [4]")),
                Arguments.of("gather with a second index", "input toks[3]: int;\nparam E[4, 2];\nloss sum(E[toks, 0]);\n",
                        List.of("3:12: error: an int vector ('toks') gathers rows as the only index: E[toks]")),
                Arguments.of("int element index out of bounds", "input toks[3]: int;\nparam E[4, 2];\nloss sum(E[toks[3]]);\n",
                        List.of("3:17: error: index 3 is out of bounds for size 3")),
                Arguments.of("cross_entropy labels of the wrong length", "input labels[3]: int;\nparam Z[2, 4];\nloss cross_entropy(Z, labels);\n",
                        List.of("3:6: error: 'cross_entropy' expects a vector [n] and an int label, or a matrix [m, n] and int labels [m], but got [2, 4] and int [3]")),
                Arguments.of("cross_entropy int vector for a vector", "input labels[3]: int;\nparam z[4];\nloss cross_entropy(z, labels);\n",
                        List.of("3:6: error: 'cross_entropy' expects a vector [n] and an int label, or a matrix [m, n] and int labels [m], but got [4] and int [3]")),
                Arguments.of("int input passed to a def", "input tok: int;\nparam E[4, 2];\ndef f(i) = E[i];\nloss sum(f(tok));\n",
                        List.of("4:12: error: 'tok' is an int input: it can only index (E[tok]) or be the class labels of cross_entropy, not be used as a real value")),
                // Dims that vary per call (version 2)
                Arguments.of("varying dim sizing a param", "dim B <= 4, D = 2;\ninput X[B, D];\nparam W[B, D];\nloss sum(X);\n",
                        List.of("3:9: error: param 'W' cannot be sized by dim 'B', which varies per call: a parameter keeps one shape")),
                Arguments.of("varying dim as an input's second size", "dim B <= 4, D = 2;\ninput X[D, B];\nloss sum(X);\n",
                        List.of("2:12: error: dim 'B' varies per call: it can only be the first size of input 'X' (the rows a batch adds)")),
                Arguments.of("varying dim as a value", "dim B <= 4, D = 2;\ninput X[B, D];\nparam w[D];\nloss sum(X) * B + sum(w);\n",
                        List.of("4:15: error: dim 'B' varies per call: it can only size an input or end a loop ('for i in 0..B'), not be a value")),
                Arguments.of("varying dim in a constant", "dim B <= 4, D = 2;\nconst N = B * 2;\ninput X[B, D];\nloss sum(X);\n",
                        List.of("2:11: error: dim 'B' varies per call: it can only size an input or end a loop ('for i in 0..B'), not be a value")),
                Arguments.of("constant index into a varying axis", "dim B <= 4, D = 2;\ninput X[B, D];\nparam w[D];\nloss sum(X[0] * w);\n",
                        List.of("4:12: error: an index into an axis of size B, which varies per call, must be a loop variable running to B, minus a constant of 0 or more")),
                Arguments.of("index past a varying axis", "dim B <= 4, D = 2;\ninput X[B, D];\nparam w[D];\nvar s = 0;\nfor i in 0..B {\n  s = s + dot(X[i + 1], w);\n}\nloss s;\n",
                        List.of("6:17: error: an index into an axis of size B, which varies per call, must be a loop variable running to B, minus a constant of 0 or more")),
                Arguments.of("int index into a varying axis", "dim B <= 4, D = 2;\ninput X[B, D];\ninput i: int;\nparam w[D];\nloss dot(X[i], w);\n",
                        List.of("5:12: error: an index into an axis of size B, which varies per call, must be a loop variable running to B, minus a constant of 0 or more")),
                Arguments.of("two varying dims do not match", "dim B <= 4, C <= 4, D = 2;\ninput X[B, D];\ninput Y[C, D];\nloss sum(X + Y);\n",
                        List.of("4:12: error: '+' cannot combine shapes [B, 2] and [C, 2]")),
                Arguments.of("varying dim of maximum 0", "dim B <= 0;\nparam w;\nloss w;\n",
                        List.of("1:10: error: dimension 'B' must be a positive integer, but it is 0")),
                // Version 2 operators
                Arguments.of("chained comparison", "param a;\nloss (a < 1 < 2) * a;\n",
                        List.of("2:13: error: comparisons do not chain: write (a < b) * (b < c) for both")),
                Arguments.of("where with shapes that do not broadcast", "param c[2];\nparam a[3];\nloss sum(where(c, a, 1));\n",
                        List.of("3:10: error: 'where' expects three shapes that broadcast together, but got [2], [3] and scalar")),
                Arguments.of("amax axis of a vector", "param v[3];\nloss sum(amax(v, 0));\n",
                        List.of("2:15: error: 'amax(X, axis)' expects a matrix, but got [3]")),
                Arguments.of("softmax over axis 2", "param X[2, 3];\nloss sum(softmax(X, 2));\n",
                        List.of("2:21: error: axis must be an integer constant from -2 to 1, but it is 2")),
                Arguments.of("clamp arity", "param v[3];\nloss sum(clamp(v, 0));\n",
                        List.of("2:10: error: 'clamp' takes 3 arguments, but 2 given")),
                // Program structure
                Arguments.of("model not first", "param w;\nmodel M;\nloss w;\n", List.of("2:1: error: 'model' must be the first statement")),
                Arguments.of("two models", "model M;\nmodel N;\nparam w;\nloss w;\n", List.of("2:1: error: only one 'model' statement is allowed")),
                Arguments.of("missing loss", "param w;\nlet a = w;\n", List.of("2:11: error: missing 'loss' statement: a file must end with exactly one 'loss'")),
                Arguments.of("two losses", "param w;\nloss w;\nloss w;\n", List.of("2:1: error: 'loss' must be the last statement", "3:1: error: only one 'loss' statement is allowed")),
                Arguments.of("loss not last", "param w;\nloss w;\nlet a = w;\n", List.of("2:1: error: 'loss' must be the last statement")),
                Arguments.of("loss not scalar", "param w[3];\nloss w;\n", List.of("2:6: error: the loss must be a scalar, but it has shape [3]")),
                // Constants, sizes and indexes
                Arguments.of("dim not integer", "dim D = 2.5;\nloss 1;\n", List.of("1:9: error: dimension 'D' must be a positive integer, but it is 2.5")),
                Arguments.of("dim zero", "dim D = 0;\nloss 1;\n", List.of("1:9: error: dimension 'D' must be a positive integer, but it is 0")),
                Arguments.of("const not constant", "input x;\nconst c = x * 2;\nloss c;\n", List.of("2:11: error: the value of const 'c' must be a constant expression (literals, consts and dims)")),
                Arguments.of("size not positive", "param w[0];\nloss 1;\n", List.of("1:9: error: a size must be a dim or a positive integer literal, but it is 0")),
                Arguments.of("five sizes", "param w[1, 2, 3, 4, 5];\nloss 1;\n", List.of("1:21: error: shapes have at most four sizes ([B, C, H, W]), but this one has 5")),
                Arguments.of("a tensor varying after its first axis", "dim B <= 4;\ninput X[2, B, 3];\nloss sum(X);\n",
                        List.of("2:12: error: dim 'B' varies per call: it can only be the first size of 'X' (the rows a batch adds)")),
                // Convolution and pooling (version 3): shapes that do not fit, sizes, pairs.
                Arguments.of("a kernel larger than the padded input", "param X[1, 1, 4, 4];\nparam K[2, 1, 5, 5];\nloss sum(conv2d(X, K, padding = (0, 1)));\n",
                        List.of("3:10: error: 'conv2d': the kernel (5, 5) is larger than the padded input (4, 6)")),
                Arguments.of("channels not divisible by groups", "param X[1, 3, 4, 4];\nparam K[2, 1, 3, 3];\nloss sum(conv2d(X, K, groups = 2));\n",
                        List.of("3:10: error: 'conv2d': groups = 2 must divide the input's 3 channels and the kernel's 2 output channels")),
                Arguments.of("a kernel of the wrong channels", "param X[1, 4, 4, 4];\nparam K[2, 4, 3, 3];\nloss sum(conv2d(X, K, groups = 2));\n",
                        List.of("3:20: error: 'conv2d': the kernel [2, 4, 3, 3] must have C / groups = 2 input channels (the input [1, 4, 4, 4] has 4, in 2 groups)")),
                Arguments.of("conv1d of an image", "param X[1, 1, 4, 4];\nparam K[2, 1, 3];\nloss sum(conv1d(X, K));\n",
                        List.of("3:17: error: 'conv1d' expects an input [N, C, L], but got [1, 1, 4, 4]")),
                Arguments.of("a pair for a 1-D pool", "param X[1, 1, 6];\nloss sum(max_pool1d(X, (2, 2)));\n",
                        List.of("2:24: error: 'max_pool1d': kernel must be one number, but it is 2 numbers")),
                Arguments.of("pool padding above half the kernel", "param X[1, 1, 6, 6];\nloss sum(max_pool2d(X, 2, padding = 2));\n",
                        List.of("2:37: error: 'max_pool2d': padding (2, 2) must be at most half the kernel (2, 2)")),
                Arguments.of("a stride of 0", "param X[1, 1, 6, 6];\nloss sum(avg_pool2d(X, 2, stride = 0));\n",
                        List.of("2:36: error: stride must be a whole number of at least 1, but it is 0")),
                Arguments.of("an unknown argument of a convolution", "param X[1, 1, 4, 4];\nparam K[1, 1, 3, 3];\nloss sum(conv2d(X, K, bias = 1));\n",
                        List.of("3:23: error: 'conv2d' has no argument named 'bias'")),
                Arguments.of("a pair as a value", "param w[2];\nloss sum(w * (1, 2));\n",
                        List.of("2:14: error: a pair (a, b) is not a value: it can only give a convolution's or a pool's sizes, as in stride = (2, 1)")),
                Arguments.of("softmax of a tensor along an axis past its last", "param X[2, 3, 4];\nloss sum(softmax(X, 3));\n",
                        List.of("2:21: error: axis must be an integer constant from -3 to 2, but it is 3")),
                Arguments.of("transpose of a tensor", "param X[2, 3, 4];\nloss sum(transpose(X));\n",
                        List.of("2:20: error: 'transpose' expects a scalar, a vector or a matrix, but got [2, 3, 4]")),
                Arguments.of("cross_entropy of a tensor with labels of another shape", "param Z[2, 3, 4];\ninput y[2]: int;\nloss cross_entropy(Z, y);\n",
                        List.of("3:6: error: 'cross_entropy' expects a tensor and int labels of its shape without the last axis, [2, 3], but got [2, 3, 4] and int [2]")),
                Arguments.of("a tensor times a matrix of the wrong size", "param X[2, 3, 4];\nparam W[3, 5];\nloss sum(X @ W);\n",
                        List.of("3:12: error: '@' cannot multiply shapes [2, 3, 4] and [3, 5]")),
                Arguments.of("index out of bounds", "param w[3];\nloss w[3];\n", List.of("2:8: error: index 3 is out of bounds for size 3")),
                Arguments.of("loop index out of bounds", "param w[3];\nvar s = 0;\nfor t in 0..3 {\n  s = s + w[t + 1];\n}\nloss s;\n",
                        List.of("4:13: error: index t + 1 (which runs from 1 to 3) is out of bounds for size 3")),
                Arguments.of("index not constant", "param w[3];\ninput i;\nloss w[i];\n", List.of("3:8: error: an index must be integer literals, dims and loop variables, added, subtracted or multiplied by a constant")),
                Arguments.of("too many indexes", "param w[3];\nloss w[1, 2];\n", List.of("2:7: error: cannot index a vector with 2 indexes")),
                Arguments.of("loop bound", "input n;\nparam w;\nfor t in 0..n {\n}\nloss w;\n", List.of("3:13: error: loop bound must be an integer constant, but it is a value of shape scalar")),
                Arguments.of("loop backwards", "param w;\nfor t in 3..1 {\n}\nloss w;\n", List.of("2:13: error: loop range 3..1 runs backwards")),
                Arguments.of("unknown initializer", "param w[2] init glorot;\nloss sum(w);\n",
                        List.of("1:17: error: unknown initializer 'glorot' (expected zeros, ones, uniform(a, b), normal(mean, std), xavier or he)")),
                Arguments.of("initializer arguments", "param w[2] init uniform(1);\nloss sum(w);\n", List.of("1:17: error: initializer 'uniform' takes two constant arguments (a, b)")),
                Arguments.of("bad axis", "param w[2, 2];\nloss sum(sum(w, 2));\n", List.of("2:17: error: axis must be an integer constant from -2 to 1, but it is 2")),
                Arguments.of("exponent not constant", "param w;\ninput p;\nloss w ^ p;\n", List.of("3:10: error: the exponent of '^' must be a constant expression (literals, consts and dims)")),
                Arguments.of("alpha not constant", "param w;\ninput a;\nloss leaky_relu(w, a);\n", List.of("3:20: error: argument 2 of 'leaky_relu' must be a constant expression")),
                // Shapes (sections 3-5)
                Arguments.of("broadcast mismatch", "param a[2];\nparam b[3];\nloss sum(a + b);\n", List.of("3:12: error: '+' cannot combine shapes [2] and [3]")),
                Arguments.of("row broadcast needs columns", "param a[2, 3];\nparam b[2];\nloss sum(a * b);\n", List.of("3:12: error: '*' cannot combine shapes [2, 3] and [2]")),
                Arguments.of("max mismatch", "param a[2];\nparam b[3];\nloss sum(max(a, b));\n", List.of("3:10: error: 'max' cannot combine shapes [2] and [3]")),
                Arguments.of("matmul mismatch", "param a[2, 3];\nparam b[2];\nloss sum(a @ b);\n", List.of("3:12: error: '@' cannot multiply shapes [2, 3] and [2]")),
                Arguments.of("matmul scalar", "param a;\nparam b[2];\nloss sum(a @ b);\n", List.of("3:12: error: '@' cannot multiply shapes scalar and [2]")),
                Arguments.of("dot shapes", "param a[2];\nparam b[3];\nloss dot(a, b);\n", List.of("3:6: error: 'dot' expects two vectors of equal length, but got [2] and [3]")),
                Arguments.of("transpose vector", "param a[2];\nloss sum(transpose(a));\n", List.of("2:10: error: 'transpose' expects a matrix, but got [2]")),
                Arguments.of("softmax scalar", "param a;\nloss sum(softmax(a));\n", List.of("2:10: error: 'softmax' expects a vector or a matrix, but got scalar")),
                Arguments.of("mse shapes", "param a[2];\nparam b[2, 2];\nloss mse(a, b);\n", List.of("3:6: error: 'mse' expects two arguments of equal shape, but got [2] and [2, 2]")),
                Arguments.of("cross_entropy scalars", "param a;\nloss cross_entropy(a, a);\n", List.of("2:6: error: 'cross_entropy' expects two vectors or two matrices of equal shape, but got scalar and scalar")),
                Arguments.of("built-in arity", "param a;\nloss tanh(a, a);\n", List.of("2:6: error: 'tanh' takes 1 argument, but 2 given")),
                // Checkpointed loops (version 3)
                Arguments.of("not checkpoint", "param w;\nvar a = w;\nfor t in 0..4 remat {\n  a = a * w;\n}\nloss a;\n",
                        List.of("3:15: error: unexpected 'remat' after a loop's range (expected '{', or checkpoint or checkpoint(S) for a checkpointed loop)")),
                Arguments.of("snapshots not constant", "param w;\ninput s;\nvar a = w;\nfor t in 0..4 checkpoint(s) {\n  a = a * w;\n}\nloss a;\n",
                        List.of("4:26: error: checkpoint(S) takes the number of snapshots, an integer constant of at least 1, but it is a value of shape scalar")),
                Arguments.of("no snapshots", "param w;\nvar a = w;\nfor t in 0..4 checkpoint(0) {\n  a = a * w;\n}\nloss a;\n",
                        List.of("3:26: error: checkpoint(S) takes the number of snapshots, an integer constant of at least 1, but it is 0")),
                Arguments.of("checkpoint nested", "param w;\nvar a = w;\nfor u in 0..2 {\n  for t in 0..4 checkpoint {\n    a = a * w;\n  }\n}\nloss a;\n",
                        List.of("4:17: error: a checkpointed loop cannot be inside another loop: checkpoint the outer loop instead")),
                // A def's own derivatives (version 3)
                Arguments.of("unknown rule", "def f(x) = x hess(dy) = dy;\nparam w;\nloss f(w);\n",
                        List.of("1:14: error: 'hess' is not a derivative rule (expected grad(dy) = … or jvp(dx) = …)")),
                Arguments.of("rule twice", "def f(x) = x grad(dy) = dy grad(dz) = dz;\nparam w;\nloss f(w);\n",
                        List.of("1:28: error: 'f' already has a grad rule (at line 1)")),
                Arguments.of("grad names two values", "def f(x) = x grad(dy, dz) = dy;\nparam w;\nloss f(w);\n",
                        List.of("1:14: error: the grad rule of 'f' names 2 values, but it takes one: the result's adjoint, grad(dy)")),
                Arguments.of("jvp names too few", "def f(a, b) = a * b grad(dy) = (dy * b, dy * a) jvp(da) = da * b;\nparam w;\nloss f(w, w);\n",
                        List.of("1:49: error: the jvp rule of 'f' names 1 value, but it takes one tangent per parameter (2)")),
                Arguments.of("grad gives too few adjoints", "def f(a, b) = a * b grad(dy) = dy * b;\nparam w;\nloss f(w, w);\n",
                        List.of("1:21: error: the grad rule of 'f' gives 1 adjoint, but 'f' has 2 parameters: give one per parameter, in order, as (da, db)")),
                Arguments.of("adjoint of another shape", "def f(v) = sum(v) grad(dy) = dy;\nparam w[3];\nloss f(w);\n",
                        List.of("1:30: error: the grad rule of 'f' gives the adjoint of 'v' shape scalar, but at this call 'v' has shape [3]")),
                Arguments.of("tangent of another shape", "def f(v) = sum(v) grad(dy) = v * 0 + dy jvp(dv) = dv;\nparam w[3];\nloss f(w);\n",
                        List.of("1:51: error: the jvp rule of 'f' gives the result's tangent shape [3], but at this call the result has shape scalar")),
                Arguments.of("rule on several results", "def f(x) {\n  return (x, x);\n} grad(dy) = dy;\nparam w;\nlet (a, b) = f(w);\nloss a + b;\n",
                        List.of("3:3: error: 'f' returns several values: only a def of one result can state its derivative")),
                Arguments.of("jvp without grad", "def f(x) = x * 2 jvp(dx) = dx * 2;\nparam w;\nloss f(w);\n",
                        List.of("1:18: error: 'f' has a jvp rule but no grad rule: reverse mode needs grad(dy) = …")),
                Arguments.of("rule name taken by a parameter", "def f(dy) = dy grad(dy) = dy;\nparam w;\nloss f(w);\n",
                        List.of("1:21: error: 'dy' is already declared in this scope (at line 1)")),
                Arguments.of("a ruled body reads an outer param", "param A[2, 2];\ndef f(v) = v @ A grad(dy) = dy;\nparam w[2];\nloss sum(f(w));\n",
                        List.of("2:16: error: the body of 'f' reads param 'A', declared outside it: a def that states its derivative takes every value with a derivative as a parameter (its rule gives only its parameters' adjoints)")),
                Arguments.of("a ruled body calls a def that reads an outer let", "param w[2];\nlet k = w * 2;\ndef g(v) = v * k;\ndef f(v) = g(v) grad(dy) = dy;\nloss sum(f(w));\n",
                        List.of("3:16: error: the body of 'f' reads let 'k', declared outside it: a def that states its derivative takes every value with a derivative as a parameter (its rule gives only its parameters' adjoints)")),
                Arguments.of("unknown name in a rule", "def f(x) = x grad(dy) = dy * z;\nparam w;\nloss f(w);\n",
                        List.of("1:30: error: unknown name 'z'")),
                // Syntax (section 1)
                Arguments.of("missing semicolon", "param w\nloss w;\n", List.of("2:1: error: unexpected 'loss', expecting {';', '[', 'init', 'as'}")),
                Arguments.of("unexpected character", "param w;\nloss w # 2;\n", List.of("2:8: error: unexpected character '#'")),
                Arguments.of("unterminated comment", "param w;\n/* no end\nloss w;\n", List.of("2:1: error: unterminated block comment")),
                Arguments.of("number suffix", "param w;\nloss w * 2f;\n", List.of("2:11: error: unexpected 'f', expecting ';'")),
                Arguments.of("reserved word as name", "param loss;\nloss 1;\n", List.of("1:7: error: unexpected 'loss', expecting ID")),
                // Several errors in one file are all reported.
                Arguments.of("all errors reported", "param w[2];\nlet a = w + q;\nlet b = w @ w @ w;\nloss c;\n",
                        List.of("2:13: error: unknown name 'q'", "3:15: error: '@' cannot multiply shapes scalar and [2]", "4:6: error: unknown name 'c'")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("errors")
    void reportsErrorAtItsPlace(String name, String source, List<String> expected) {
        LossCompiler.Result r = LossCompiler.compile("t.loss", source, LossCompiler.Options.DEFAULT);
        List<String> got = r.diagnostics().stream().map(DiagnosticsTest::withoutCode).toList();
        assertEquals(expected.stream().map(e -> "t.loss:" + e).toList(), got, r.render());
        assertTrue(r.output().isEmpty());
    }

    /** The headline without its catalogue code, after checking the code is the diagnostic's own. */
    static String withoutCode(Diagnostic d) {
        String suffix = " [" + d.kind().code() + "]";
        assertTrue(d.headline().endsWith(suffix), d.headline() + " should end with " + suffix);
        return d.headline().substring(0, d.headline().length() - suffix.length());
    }

    @Test
    void rendersSourceLineAndCaret() {
        LossCompiler.Result r = LossCompiler.compile("dir/t.loss", "param w;\n\tloss  w + v;\n", LossCompiler.Options.DEFAULT);
        // A tab counts as one column, and is kept in the caret line so the caret lines up.
        assertEquals("dir/t.loss:2:12: error: unknown name 'v' [N001]\n\tloss  w + v;\n\t          ^\n", r.render());
    }

    @Test
    void emptyFile() {
        LossCompiler.Result r = LossCompiler.compile("e.loss", "", LossCompiler.Options.DEFAULT);
        assertEquals("e.loss:1:1: error: missing 'loss' statement: a file must end with exactly one 'loss' [E003]\n\n^\n", r.render());
    }

    @Test
    void binaryFiles() {
        byte[] nul = {'l', 'o', 's', 's', ' ', 0, 1, 2};
        LossCompiler.Result r = LossCompiler.compile("b.loss", nul, LossCompiler.Options.DEFAULT);
        assertEquals(List.of("b.loss:1:6: error: file contains a NUL byte: it is not a .loss source file"),
                r.diagnostics().stream().map(DiagnosticsTest::withoutCode).toList());
        byte[] latin1 = "param w;\nloss w; // caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1);
        r = LossCompiler.compile("l.loss", latin1, LossCompiler.Options.DEFAULT);
        assertEquals(List.of("l.loss:2:15: error: file is not UTF-8 text (invalid byte sequence)"),
                r.diagnostics().stream().map(DiagnosticsTest::withoutCode).toList());
    }

    @Test
    void deepNestingIsADiagnosticNotACrash() {
        String deep = "param w;\nloss " + "(".repeat(100_000) + "w" + ")".repeat(100_000) + ";\n";
        LossCompiler.Result r = LossCompiler.compile("d.loss", deep, LossCompiler.Options.DEFAULT);
        assertFalse(r.ok());
        // "loss " then 256 parentheses: the 257th opens level 258 (the loss's expression is level 1).
        assertEquals(List.of("d.loss:2:262: error: expression nested too deeply (more than 256 levels)"),
                r.diagnostics().stream().map(DiagnosticsTest::withoutCode).toList());
    }

    @Test
    void exponentialInliningIsStopped() {
        StringBuilder src = new StringBuilder("param w;\ndef f0(x) = x + 1;\n");
        for (int i = 1; i < 40; i++) {
            src.append("def f").append(i).append("(x) = f").append(i - 1).append("(x) * f").append(i - 1).append("(x);\n");
        }
        src.append("loss f39(w);\n");
        LossCompiler.Result r = LossCompiler.compile("big.loss", src.toString(), LossCompiler.Options.DEFAULT);
        assertFalse(r.ok());
        assertTrue(r.diagnostics().get(0).message().startsWith("program is too large after inlining functions"), r.render());
    }

    @Test
    void hugeShapesAreDiagnosed() {
        LossCompiler.Result r = LossCompiler.compile("h.loss", "param a[100000];\nparam b[100000];\nloss sum(outer(a, b));\n", LossCompiler.Options.DEFAULT);
        assertEquals(List.of("h.loss:3:10: error: the result of 'outer' is too large (10000000000 elements; the limit is 2147483639)"),
                r.diagnostics().stream().map(DiagnosticsTest::withoutCode).toList());
    }

    @Test
    void tooManyErrorsAreCapped() {
        StringBuilder src = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            src.append("let a").append(i).append(" = nope").append(i).append(";\n");
        }
        src.append("loss 1;\n");
        LossCompiler.Result r = LossCompiler.compile("many.loss", src.toString(), LossCompiler.Options.DEFAULT);
        assertEquals(101, r.diagnostics().size());
        assertEquals("many.loss: error: too many errors; only the first 100 are shown [L003]", r.diagnostics().get(100).headline());
    }
}
