package dev.lossc.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.lossc.testing.Agreement;
import dev.lossc.testing.Compiled;
import dev.lossc.testing.Values;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Tensors of rank 3 and 4 (version 3), each form against the reference evaluator and central
 * differences, at every batch size the values draw: broadcasting over any rank, sums and means
 * along an axis, indexing from the left, the last-axis functions and products, permute and
 * transpose of two axes, batched products, and lookups by a whole int matrix (repeated ids).
 */
class TensorsTest {
    private static void agrees(String source, int seeds) {
        Compiled c = Compiled.of(source);
        for (long seed = 1; seed <= seeds; seed++) {
            Map<String, double[]> v = Values.random(c.model(), new SplittableRandom(seed), 1.0);
            c.setParams(v);
            Agreement.agrees("seed " + seed + ":\n" + source, c, source, v, Agreement.Tolerance.of(1e-12, 1e-13));
            Agreement.centralDifferences("seed " + seed + ":\n" + source, c, v, () -> { });
        }
    }

    @Test
    void broadcastingSumsAndIndexing() {
        agrees("""
                dim B <= 3;
                input X[B, 2, 3, 4];
                param a[3, 1];
                param b[4];
                param c[2, 1, 1];
                param W[2, 3, 4];
                let y = tanh(X * a + b) - c;
                output s = sum(y, 1);
                var acc = 0;
                for i in 0..B {
                  acc = acc + sum(W[1] * y[i, 1]);
                }
                loss mean(sum(y, -1) ^ 2) + sum(mean(y, 2)) + acc + mean(W[0, 2] * b);
                """, 6);
    }

    @Test
    void lastAxisFunctionsAndProducts() {
        agrees("""
                dim B <= 4, T = 3, D = 4, K = 5;
                input X[B, T, D];
                input y[B, T]: int;
                param W[K, D];
                param w[D];
                let z = X @ transpose(W);
                output p = softmax(z, -1);
                loss cross_entropy(z, y) + 0.1 * sum(logsumexp(z)) + mean(log_softmax(z, 2) * softmax(z)) + mean((X @ w) ^ 2);
                """, 6);
    }

    @Test
    void slicesOfEveryAxis() {
        agrees("""
                dim B <= 3;
                input X[B, 3, 4, 5];
                param W[3, 2, 5];
                param b[2];
                param P[3, 4, 5];
                let y = tanh(X[.., 0..2, .., 1..4] * 0.5);
                output edge = X[.., 1, 2, ..];
                var acc = 0;
                for t in 0..3 {
                  acc = acc + sum(W[t, .., 1..3] * P[t, 1..3, t..t + 2]);
                }
                loss sum(y ^ 2) + mean(X[.., 2, 0, 0..2] * b) + acc + sum(W[1..3, 1, ..] ^ 2) + sum(X[.., 1..2, 2..4] * W[0, 0, ..]);
                """, 6);
    }

    @Test
    void functionsAlongAnyAxis() {
        agrees("""
                dim B <= 3;
                input X[B, 3, 4];
                param W[2, 3, 2, 4];
                param V[2, 3, 4];
                let p = softmax(X * V[0], 1);
                output q = log_softmax(W, 0);
                loss sum(p * X) + sum(log_softmax(W, -2) ^ 2) + sum(logsumexp(W, 1)) + sum(amax(W, 2) * 3) + sum(amin(X, -1) ^ 2)
                   + sum(cumsum(W, 1) * W) + sum(cumsum(X, 2) ^ 2) + sum(logsumexp(X * V[1], 1)) + sum(amax(V, 0) ^ 2) + sum(softmax(V) * V);
                """, 6);
    }

    @Test
    void concatAlongAnyAxis() {
        agrees("""
                dim B <= 3;
                input X[B, 3, 4];
                param W[2, 3, 2, 4];
                param V[2, 3, 4];
                let c = concat(X, X * V[0], 1);
                output d = concat(W, W * W, 3);
                loss sum(tanh(c) ^ 2) + sum(concat(W, W * 2, 0) ^ 3) + sum(concat(V, V * V, -1) * 0.5) + mean(concat(W, W * W, 2) ^ 2)
                   + sum(concat(X, X * 2, 2) ^ 2);
                """, 6);
    }

    @Test
    void batchedProductsBroadcastTheirLeadingAxesAndReadSwappedOperandsInPlace() {
        agrees("""
                dim B <= 3;
                input X[B, 3, 4];
                param W[1, 4, 2];
                param M[3, 3];
                param A[2, 1, 3, 4];
                param C[3, 4, 2];
                param G[3, 2, 3];
                let y = tanh(X @ W);
                output z = M @ X;
                let t = transpose(C, 1, 2) @ C;
                loss sum(y ^ 2) + sum(sigmoid(M @ X)) + sum((A @ C) ^ 2) + mean(transpose(C[0]) @ transpose(A, -1, -2)) + sum(X @ C[1])
                   + sum(t * t) + mean(tanh(A @ transpose(A, 2, 3))) + sum(transpose(A, -1, -2) @ transpose(G, 1, 2))
                   + mean(transpose(X, 1, 2) @ X);
                """, 6);
    }

    @Test
    void intDataOfRankThree() {
        agrees("""
                dim B <= 4, T = 3, S = 2, V = 3, D = 2, K = 4;
                input toks[B, T, S]: int;
                input labels[B, T, S]: int;
                param E[V, D];
                param W[D, K];
                param e[V];
                let z = E[toks] @ W;
                output p = softmax(z);
                loss cross_entropy(z, labels) + mean(sum(E[toks], 2) ^ 2) + sum(e[toks] * 0.5);
                """, 6);
    }

    @Test
    void permuteTransposeAndBatchedProducts() {
        agrees("""
                dim B <= 3, T = 3, H = 2, E = 2;
                input X[B, T, 4];
                param Wq[4, 4];
                param Wk[4, 4];
                let q = permute(reshape(X @ Wq, B, T, H, E), 0, 2, 1, 3);
                let k = transpose(permute(reshape(X @ Wk, B, T, H, E), 0, 2, 1, 3), -1, -2);
                let att = softmax(q @ k, -1);
                output heads = permute(att @ q, 0, 2, 1, 3);
                loss sum(tanh(att @ q)) + mean(permute(att, 0, 3, 2, 1) ^ 2);
                """, 6);
    }

    @Test
    void lookupsByAWholeIntMatrix() {
        agrees("""
                dim B <= 4, T = 5, V = 3, D = 2;
                input toks[B, T]: int;
                param E[V, D];
                param e[V];
                param w[D];
                loss sum(tanh(E[toks]) @ w) + 0.5 * mean(E[toks] ^ 2) + mean(e[toks] * sum(E[toks], -1));
                """, 6);
    }

    @Test
    void reshapesAreViewsOfTheSameElements() {
        String src = """
                param X[2, 3, 4];
                output a = reshape(X, 4, 6);
                output b = flatten(X);
                output c = squeeze(unsqueeze(X, 1), 1);
                output d = reshape(X, 2, -1, 2, 2);
                loss sum(X);
                """;
        Compiled c = Compiled.of(src);
        double[] x = new double[24];
        for (int i = 0; i < x.length; i++) {
            x[i] = i;
        }
        Map<String, double[]> v = Map.of("X", x);
        c.setParams(v);
        Map<String, double[]> out = c.outputs(v);
        for (String name : new String[] {"a", "b", "c", "d"}) {
            assertArrayEquals(x, out.get(name), 0.0, name);
        }
    }
}
