package dev.lossc.codegen;

import dev.lossc.ir.Stmt;
import dev.lossc.prim.Attributes;
import dev.lossc.prim.Prim;
import dev.lossc.types.Shape;
import java.util.function.Function;

/**
 * The kernels of version 3's tensors: broadcasting over rank 3 and 4 and its adjoint, convolution
 * and pooling. A tensor is stored row-major; its first axis (the batch, which may vary per call)
 * is the row axis of its storage, so every kernel runs over {@code n} rows of the operand's
 * storage and works out the rest from the attributes, constants of the plan.
 *
 * <p>Convolution is direct: the forward pass and the input's adjoint add one kernel weight times a
 * run of the other operand ({@code y[ow] += k * x[ow * sw + …]}, the form C2 vectorizes when the
 * stride is 1), the kernel's adjoint is one dot product per weight. Nothing is copied or packed.
 */
final class TensorKernels {
    static final String[] LOCALS = {"smp", "oc", "oy", "ox", "iy", "ix", "ic", "ky", "kx", "kval", "xbase", "ybase", "oxlo", "oxhi",
            "e0", "e1", "e2", "e3", "best", "bestAt", "pv"};

    private final Loops loops;
    private final Layout layout;
    private final String real;

    TensorKernels(Loops loops, Layout layout) {
        this.loops = loops;
        this.layout = layout;
        this.real = loops.real;
    }

    /** {@code BROADCAST} (out is the large shape) or {@code REDUCE_TO} (out is the small one: a sum into it). */
    void broadcast(Code c, Stmt.Op op, Function<String, String> A, Function<String, String> Y) {
        Attributes at = op.attributes();
        int rank = at.integer(0);
        boolean reduce = op.prim().kernel() == Prim.Kernel.REDUCE_TO;
        Shape large = reduce ? op.args().get(0).shape() : op.out().shape();
        int[] t = new int[rank];
        int[] s = new int[rank];
        for (int k = 0; k < rank; k++) {
            t[k] = at.integer(1 + k);
            s[k] = at.integer(5 + k);
        }
        if (reduce) {
            loops.zeroUnlessAccumulating(c, op);
        }
        // Steps of the large shape, and of the small value along each axis (0 where it stretches).
        int[] ts = new int[rank];
        int[] ss = new int[rank];
        for (int k = rank - 1, tStride = 1, sStride = 1; k >= 0; k--) {
            ts[k] = tStride;
            ss[k] = s[k] == 1 ? 0 : sStride;
            tStride *= t[k];
            sStride *= s[k];
        }
        String w = reduce || op.accumulate() ? "+=" : "=";
        strided(c, 0, t, ts, ss, large.rowAxis(), "0", "0", (big, small) -> {
            if (reduce) {
                c.add("$L += $L", Y.apply(small), A.apply(big));
            } else {
                c.add("$L $L $L", Y.apply(big), w, A.apply(small));
            }
        });
    }

    private interface Element {
        void at(String large, String small);
    }

    private interface Consumer {
        void accept(String index);
    }

    /** {@code PERMUTE}: for each element of the result, in order, the element of X its axes name. */
    void permute(Code c, Stmt.Op op, Function<String, String> A, Function<String, String> Y) {
        Attributes at = op.attributes();
        int rank = at.integer(0);
        int[] s = new int[rank];
        int[] p = new int[rank];
        for (int k = 0; k < rank; k++) {
            s[k] = at.integer(1 + k);
            p[k] = at.integer(5 + k);
        }
        int[] sourceStride = Shape.rowMajor(s);
        int[] t = new int[rank];
        int[] as = new int[rank];
        for (int k = 0; k < rank; k++) {
            t[k] = s[p[k]];
            as[k] = sourceStride[p[k]];
        }
        int[] ys = Shape.rowMajor(t);
        String w = op.accumulate() ? "+=" : "=";
        strided(c, 0, t, ys, as, op.out().shape().rowAxis(), "0", "0", (y, a) -> c.add("$L $L $L", Y.apply(y), w, A.apply(a)));
    }

    /**
     * {@code SUBTENSOR}: element by element, in order, the block's element of the operand (a view at
     * its first element, {@code a0…} apart along each axis); {@code UNSUBTENSOR} writes them back there.
     */
    void subtensor(Code c, Stmt.Op op, Function<String, String> A, Function<String, String> Y) {
        Attributes at = op.attributes();
        int rank = at.integer(0);
        int[] t = new int[rank];
        int[] steps = new int[rank];
        for (int k = 0; k < rank; k++) {
            t[k] = at.integer(1 + k);
            steps[k] = at.integer(5 + k);
        }
        int[] dense = Shape.rowMajor(t);
        boolean back = op.prim().kernel() == Prim.Kernel.UNSUBTENSOR;
        Shape block = back ? op.args().get(0).shape() : op.out().shape();
        String w = op.accumulate() ? "+=" : "=";
        strided(c, 0, t, dense, steps, block.lengthAxis(), "0", "0", (d, s) -> {
            if (back) {
                c.add("$L $L $L", Y.apply(s), w, A.apply(d));
            } else {
                c.add("$L $L $L", Y.apply(d), w, A.apply(s));
            }
        });
    }

    /**
     * Loops over axes {@code k…} of sizes {@code t} (the first over {@code first}, which may vary per
     * call), with two flat indices, {@code ys} and {@code as} apart per step: the result's and the
     * operand's of a permute, the large and the small value's of a broadcast.
     */
    private void strided(Code c, int k, int[] t, int[] ys, int[] as, Shape.Axis first, String y, String a, Element body) {
        if (k == t.length) {
            body.at(y, a);
            return;
        }
        // A step of 0 (an axis a broadcast stretches) leaves that index as it is.
        Consumer next = i -> strided(c, k + 1, t, ys, as, first, Layout.add(y, Layout.mul(i, ys[k])),
                as[k] == 0 ? a : Layout.add(a, Layout.mul(i, as[k])), body);
        if (k == 0) {
            loops.loop(c, "e0", first, next::accept);
        } else {
            Loops.loop(c, "e" + k, t[k], next::accept);
        }
    }

    /**
     * {@code BATCHED_MATMUL}: for each matrix of the batch, {@code y[i, j] += a[i, p] * b[p, j]},
     * the row of b run along j (the loop C2 vectorizes), a or b read transposed as the attributes say.
     */
    void batchedMatmul(Code c, Stmt.Op op, Function<String, String> A, Function<String, String> B, Function<String, String> Y) {
        Attributes at = op.attributes();
        int m = at.integer(0);
        int n = at.integer(1);
        int k = at.integer(2);
        boolean ta = at.integer(3) == 1;
        boolean tb = at.integer(4) == 1;
        Shape ys = op.out().shape();
        Shape.Axis batch = ys.rowAxis().times(ys.cols() / (m * k));
        loops.zeroUnlessAccumulating(c, op);
        loops.loop(c, "smp", batch, g -> {
            String y0 = Layout.mul(g, m * k);
            String a0 = Layout.mul(g, m * n);
            String b0 = Layout.mul(g, n * k);
            Loops.loop(c, "oy", m, i -> Loops.loop(c, "ky", n, p -> {
                c.declare("$L kval = $L", real, A.apply(Layout.add(a0, ta ? Layout.add(Layout.mul(p, m), i) : Layout.add(Layout.mul(i, n), p))));
                Loops.loop(c, "ox", k, j -> c.add("$L += kval * $L", Y.apply(Layout.add(y0, Layout.add(Layout.mul(i, k), j))),
                        B.apply(Layout.add(b0, tb ? Layout.add(Layout.mul(j, n), p) : Layout.add(Layout.mul(p, k), j)))));
            }));
        });
    }

    /** The geometry of a convolution or pool, by attribute name. */
    private static int g(Stmt.Op op, String name) {
        java.util.List<String> names = switch (op.prim().kernel()) {
            case CONV, CONV_INPUT_GRAD, CONV_KERNEL_GRAD, IM2COL, COL2IM -> Prim.CONV_ATTRIBUTES;
            default -> Prim.POOL_ATTRIBUTES;
        };
        return op.attributes().integer(names.indexOf(name));
    }

    /** One weight of a convolution, inside its loops: its index in K, the output row, and the kernel column. */
    private interface WeightBody {
        void at(String weight, String oh, String kj);
    }

    /**
     * The loops every direct convolution kernel runs: samples, output channels, the input channels of
     * their group ({@code ybase}, {@code xbase} declared), kernel rows, output rows whose input row is
     * inside the input ({@code iy}), kernel columns; {@code body} writes each weight's work.
     */
    private void weights(Code c, Stmt.Op op, WeightBody body) {
        int C = g(op, "c"), H = g(op, "h"), W = g(op, "w"), O = g(op, "o"), kh = g(op, "kh"), kw = g(op, "kw");
        int groups = g(op, "groups"), oh = g(op, "oh"), ow = g(op, "ow");
        int cg = C / groups;
        int og = O / groups;
        loops.zeroUnlessAccumulating(c, op);
        loops.loop(c, "smp", op.args().get(0).shape().rowAxis(), n -> Loops.loop(c, "oc", O, o -> {
            c.declare("int ybase = $L", Layout.mul(Layout.add(Layout.mul(n, O), o), oh * ow));
            String firstChannel = groups == 1 ? "0" : "(" + o + " / " + og + ") * " + cg;
            Loops.loop(c, "ic", cg, ci -> {
                c.declare("int xbase = $L", Layout.mul(Layout.add(Layout.mul(n, C), Layout.add(firstChannel, ci)), H * W));
                window(c, op, (kOffset, ohv) -> body.at(Layout.add(Layout.mul(Layout.add(Layout.mul(o, cg), ci), kh * kw), kOffset), ohv,
                        kj(kOffset, kw)));
            });
        }));
    }

    /**
     * {@code CONV} (a grouped one; with {@code groups} 1 the lowering takes im2col and a product):
     * each kernel weight times a run of an input row added into a run of an output row.
     */
    void conv(Code c, Stmt.Op op, Function<String, String> X, Function<String, String> K, Function<String, String> Y) {
        int W = g(op, "w"), ow = g(op, "ow");
        weights(c, op, (weight, ohv, kj) -> {
            c.declare("$L kval = $L", real, K.apply(weight));
            runOver(c, op, kj, (owv, iwv) -> c.add("$L += kval * $L", Y.apply(out(ohv, ow, owv)), X.apply(in(W, iwv))));
        });
    }

    /** {@code CONV_INPUT_GRAD}: each weight times a run of {@code dy} added back at the input positions it read. */
    void convInputGrad(Code c, Stmt.Op op, Function<String, String> dY, Function<String, String> K, Function<String, String> Y) {
        int W = g(op, "w"), ow = g(op, "ow");
        weights(c, op, (weight, ohv, kj) -> {
            c.declare("$L kval = $L", real, K.apply(weight));
            runOver(c, op, kj, (owv, iwv) -> c.add("$L += kval * $L", Y.apply(in(W, iwv)), dY.apply(out(ohv, ow, owv))));
        });
    }

    /**
     * {@code CONV_KERNEL_GRAD}: each weight's adjoint, the sum over samples and output positions of
     * {@code dy} times the input it read; samples outermost, so every weight adds in the same order.
     */
    void convKernelGrad(Code c, Stmt.Op op, Function<String, String> dY, Function<String, String> X, Function<String, String> Y) {
        int W = g(op, "w"), ow = g(op, "ow");
        weights(c, op, (weight, ohv, kj) -> {
            c.declare("double pv = 0.0");
            runOver(c, op, kj, (owv, iwv) -> c.add("pv += $L * $L", dY.apply(out(ohv, ow, owv)), X.apply(in(W, iwv))));
            c.add("$L += $L", Y.apply(weight), loops.sum("pv"));
        });
    }

    /**
     * {@code IM2COL} (row {@code (n, oh, ow)}, column {@code (c, ki, kj)}: the input element, 0 in
     * the padding) and its adjoint {@code COL2IM} (each column element added back into its input
     * element). One row is a window: its columns are written, or read, in order.
     */
    void im2col(Code c, Stmt.Op op, Function<String, String> A, Function<String, String> Y) {
        int C = g(op, "c"), H = g(op, "h"), W = g(op, "w"), kh = g(op, "kh"), kw = g(op, "kw"), sh = g(op, "sh"), sw = g(op, "sw");
        int ph = g(op, "ph"), pw = g(op, "pw"), dh = g(op, "dh"), dw = g(op, "dw"), oh = g(op, "oh"), ow = g(op, "ow");
        boolean back = op.prim().kernel() == Prim.Kernel.COL2IM;
        int width = C * kh * kw;
        Shape images = back ? op.out().shape() : op.args().get(0).shape();
        Function<String, String> X = back ? Y : A;
        Function<String, String> col = back ? A : Y;
        if (back) {
            loops.zeroUnlessAccumulating(c, op);
        }
        String w = op.accumulate() || back ? "+=" : "=";
        loops.loop(c, "smp", images.rowAxis(), n -> Loops.loop(c, "oy", oh, ohv -> Loops.loop(c, "ox", ow, owv -> {
            c.declare("int ybase = $L", Layout.mul(Layout.add(Layout.mul(Layout.add(Layout.mul(n, oh), ohv), ow), owv), width));
            Loops.loop(c, "ic", C, ci -> {
                c.declare("int xbase = $L", Layout.mul(Layout.add(Layout.mul(n, C), ci), H * W));
                Loops.loop(c, "ky", kh, ki -> {
                    c.declare("int iy = $L", plus(Layout.add(Layout.mul(ohv, sh), Layout.mul(ki, dh)), -ph));
                    Loops.loop(c, "kx", kw, kj -> {
                        c.declare("int ix = $L", plus(Layout.add(Layout.mul(owv, sw), Layout.mul(kj, dw)), -pw));
                        String at = Layout.add("ybase", Layout.add(Layout.mul(Layout.add(Layout.mul(ci, kh), ki), kw), kj));
                        boolean padded = ph > 0 || pw > 0 || (oh - 1) * sh + (kh - 1) * dh >= H || (ow - 1) * sw + (kw - 1) * dw >= W;
                        String inside = "iy >= 0 && iy < " + H + " && ix >= 0 && ix < " + W;
                        if (back) {
                            if (padded) {
                                c.open("if ($L)", inside);
                            }
                            c.add("$L += $L", X.apply(in(W, "ix")), col.apply(at));
                            if (padded) {
                                c.close();
                            }
                        } else if (padded) {
                            c.add("$L $L $L ? $L : $L", col.apply(at), w, inside, X.apply(in(W, "ix")), loops.realZero);
                        } else {
                            c.add("$L $L $L", col.apply(at), w, X.apply(in(W, "ix")));
                        }
                    });
                });
            });
        })));
    }

    private interface WindowBody {
        /** {@code kOffset}: the weight's index in its kernel ({@code ki * kw + kj}); {@code oh}: the output row. */
        void at(String kOffset, String oh);
    }

    /** {@code a + k}, written as code reads it. */
    static String plus(String a, int k) {
        return k == 0 ? a : a.equals("0") ? Integer.toString(k) : k < 0 ? a + " - " + -k : a + " + " + k;
    }

    /** The flat index of output element (oh, ow) of the current output row block. */
    private static String out(String oh, int ow, String owv) {
        return Layout.add("ybase", Layout.add(Layout.mul(oh, ow), owv));
    }

    /** The flat index of input element (ih, iw) of the current input channel. */
    private static String in(int W, String iw) {
        return Layout.add("xbase", Layout.add(Layout.mul("iy", W), iw));
    }

    /** The kernel column of a weight index written {@code ki * kw + kj} (or its parts). */
    private static String kj(String kOffset, int kw) {
        return kw == 1 ? "0" : "kx";
    }

    /**
     * Over kernel rows {@code ki}, output rows {@code oh} whose input row {@code ih} is inside the
     * input, and kernel columns {@code kj}: the body for each, with {@code ih} declared.
     */
    private void window(Code c, Stmt.Op op, WindowBody body) {
        int H = g(op, "h"), kh = g(op, "kh"), kw = g(op, "kw"), sh = g(op, "sh"), ph = g(op, "ph"), dh = g(op, "dh"), oh = g(op, "oh");
        Loops.loop(c, "ky", kh, ki -> Loops.loop(c, "oy", oh, ohv -> {
            c.declare("int iy = $L", plus(Layout.add(Layout.mul(ohv, sh), Layout.mul(ki, dh)), -ph));
            boolean check = ph > 0 || (oh - 1) * sh + (kh - 1) * dh >= H;
            if (check) {
                c.open("if (iy >= 0 && iy < $L)", H);
            }
            Loops.loop(c, "kx", kw, kj -> body.at(Layout.add(Layout.mul(ki, kw), kj), ohv));
            if (check) {
                c.close();
            }
        }));
    }

    private interface RunBody {
        void at(String ow, String iw);
    }

    /**
     * Output columns {@code ow} whose input column {@code iw = ow * sw + kj * dw - pw} is inside the
     * input: their range worked out once per kernel column.
     */
    private void runOver(Code c, Stmt.Op op, String kj, RunBody body) {
        int W = g(op, "w"), sw = g(op, "sw"), pw = g(op, "pw"), dw = g(op, "dw"), ow = g(op, "ow");
        String shift = plus(Layout.mul(kj, dw), -pw);
        if (pw == 0 && (ow - 1) * sw + (g(op, "kw") - 1) * dw < W) {
            c.open("for (int ox = 0; ox < $L; ox++)", ow);
        } else {
            // iw >= 0: ow >= ceil((pw - kj * dw) / sw); iw < W: ow <= floor((W - 1 + pw - kj * dw) / sw).
            String kjdw = Layout.mul(kj, dw);
            c.declare("int oxlo = Math.max(0, Math.floorDiv($L, $L))", kjdw.equals("0") ? Integer.toString(pw + sw - 1) : (pw + sw - 1) + " - " + kjdw, sw);
            c.declare("int oxhi = Math.min($L, Math.floorDiv($L, $L) + 1)", ow, kjdw.equals("0") ? Integer.toString(W - 1 + pw) : (W - 1 + pw) + " - " + kjdw, sw);
            c.open("for (int ox = oxlo; ox < oxhi; ox++)");
        }
        String iw = Layout.mul("ox", sw);
        body.at("ox", shift.equals("0") ? iw : iw + " + " + (shift.startsWith("-") ? "(" + shift + ")" : shift));
        c.close();
    }

    /**
     * {@code MAX_POOL}, {@code MAX_POOL_GRAD}, {@code AVG_POOL} and {@code AVG_POOL_GRAD}: for each
     * sample, channel and output position, its window inside the input (padding is never an element).
     */
    void pool(Code c, Stmt.Op op, Function<String, String> A, Function<String, String> B, Function<String, String> Y) {
        int C = g(op, "c"), H = g(op, "h"), W = g(op, "w"), kh = g(op, "kh"), kw = g(op, "kw"), sh = g(op, "sh"), sw = g(op, "sw");
        int ph = g(op, "ph"), pw = g(op, "pw"), oh = g(op, "oh"), ow = g(op, "ow");
        Prim.Kernel k = op.prim().kernel();
        boolean grad = k == Prim.Kernel.MAX_POOL_GRAD || k == Prim.Kernel.AVG_POOL_GRAD;
        boolean max = k == Prim.Kernel.MAX_POOL || k == Prim.Kernel.MAX_POOL_GRAD || k == Prim.Kernel.MAX_POOL_PICK;
        // The grad and the pick (a max pool's tangent) find the argmax in operand 1 and move operand 0's values.
        Function<String, String> X = k == Prim.Kernel.MAX_POOL_GRAD || k == Prim.Kernel.MAX_POOL_PICK ? B : A;
        if (grad) {
            loops.zeroUnlessAccumulating(c, op);
        }
        String w = op.accumulate() ? "+=" : "=";
        Shape rows = op.args().get(0).shape();
        loops.loop(c, "smp", rows.rowAxis(), n -> Loops.loop(c, "ic", C, ci -> {
            c.declare("int xbase = $L", Layout.mul(Layout.add(Layout.mul(n, C), ci), H * W));
            c.declare("int ybase = $L", Layout.mul(Layout.add(Layout.mul(n, C), ci), oh * ow));
            Loops.loop(c, "oy", oh, ohv -> Loops.loop(c, "ox", ow, owv -> {
                String y = Layout.add("ybase", Layout.add(Layout.mul(ohv, ow), owv));
                String[] range = {plus(Layout.mul(ohv, sh), -ph), plus(Layout.mul(owv, sw), -pw)};
                if (max) {
                    c.declare("$L best = $L.NEGATIVE_INFINITY", real, layout.precision().boxed());
                    c.declare("int bestAt = -1");
                }
                if (k == Prim.Kernel.AVG_POOL) {
                    c.declare("double pv = 0.0");
                }
                if (k == Prim.Kernel.AVG_POOL_GRAD) {
                    c.declare("$L pv = $L / $L", real, A.apply(y), layout.precision().literal(kh * kw));
                }
                Loops.loop(c, "ky", kh, ki -> {
                    c.declare("int iy = $L", Layout.add(range[0], ki));
                    if (ph > 0) {
                        c.open("if (iy >= 0 && iy < $L)", H);
                    }
                    Loops.loop(c, "kx", kw, kj -> {
                        c.declare("int ix = $L", Layout.add(range[1], kj));
                        if (pw > 0) {
                            c.open("if (ix >= 0 && ix < $L)", W);
                        }
                        String x = in(W, "ix");
                        switch (k) {
                            case MAX_POOL, MAX_POOL_GRAD, MAX_POOL_PICK -> {
                                // The first largest in row-major order; a NaN wins (PyTorch's rule).
                                c.declare("$L pv = $L", real, X.apply(x));
                                c.open("if (bestAt < 0 || pv > best || $L.isNaN(pv))", layout.precision().boxed()).add("best = pv").add("bestAt = $L", x).close();
                            }
                            case AVG_POOL -> c.add("pv += $L", A.apply(x));
                            default -> c.add("$L += pv", Y.apply(x));
                        }
                        if (pw > 0) {
                            c.close();
                        }
                    });
                    if (ph > 0) {
                        c.close();
                    }
                });
                switch (k) {
                    case MAX_POOL -> c.add("$L $L best", Y.apply(y), w);
                    case MAX_POOL_GRAD -> c.add("$L += $L", Y.apply("bestAt"), A.apply(y));
                    case MAX_POOL_PICK -> c.add("$L $L $L", Y.apply(y), w, A.apply("bestAt"));
                    case AVG_POOL -> c.add("$L $L $L", Y.apply(y), w, loops.sum("pv / " + (kh * kw)));
                    default -> { }
                }
            }));
        }));
    }
}
