package dev.lossc.benchmarks;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The {@code tanh} of the 1024² MLP's forward pass (65,536 elements in [-4, 4]), as {@code --simd}
 * could compute it: {@code Math.tanh} element by element (JDK 17's is a native call; the generated
 * classes' {@code tanh} helper runs the same algorithm in scalar Java there) against
 * {@link #vectorTanh}, StrictMath's algorithm (fdlibm's {@code tanh} over its {@code expm1}) on the
 * incubating Vector API, every branch on every lane and each lane's result chosen by masks, from
 * exactly rounded operations only, so its bits are {@code StrictMath.tanh}'s compiled or not
 * ({@code TanhFormsTest}). Not in the generator: measured alone it takes a seventh of JDK 17's
 * {@code Math.tanh}'s time (0.21 against 1.40 ms), but inside a generated class C2 (JDK 17 and 25 alike) sometimes leaves its
 * vectors in objects, by what it compiled first — megabytes a call where every call must allocate
 * nothing. Run with {@code -prof gc} to see the bytes.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
@State(Scope.Thread)
public class TanhForms {
    private static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_PREFERRED;
    /** ln 2 in two parts, {@code k * LN2_HI} exact for the k here; 1 / ln 2. */
    private static final double LN2_HI = 0x1.62e42feep-1;
    private static final double LN2_LO = 0x1.a39ef35793c76p-33;
    private static final double INV_LN2 = 0x1.71547652b82fep0;
    /** fdlibm's expm1: the coefficients of its rational approximation. */
    private static final double Q1 = -0x1.11111111110f4p-5;
    private static final double Q2 = 0x1.a01a019fe5585p-10;
    private static final double Q3 = -0x1.4ce199eaadbb7p-14;
    private static final double Q4 = 0x1.0cfca86e65239p-18;
    private static final double Q5 = -0x1.afdb76e09c32dp-23;

    double[] x;
    double[] a;

    @Setup
    public void setup() {
        x = new SplittableRandom(1).doubles(65_536, -4, 4).toArray();
        a = new double[x.length];
    }

    @Benchmark
    public double[] mathTanh() {
        for (int i = 0; i < x.length; i++) {
            a[i] = Math.tanh(x[i]);
        }
        return a;
    }

    @Benchmark
    public double[] vectorTanh() {
        System.arraycopy(x, 0, a, 0, x.length);
        vectorTanh(a, 0, a.length);
        return a;
    }

    /**
     * {@code a[i] = StrictMath.tanh(a[i])} for i from {@code from} to {@code to}, a vector at a time.
     * Only the {@code expm1} arguments {@code tanh} passes are handled: {@code 2|x|} from 1 on and
     * {@code -2|x|} below, so {@code expm1}'s {@code k} is 0, −1, −2, −3 or 3 to 63, never 1, and no
     * argument overflows; {@code |x|} is clamped at 22 first, where the formula already gives 1.
     */
    static void vectorTanh(double[] a, int from, int to) {
        int L = SPECIES.length();
        int i = from;
        for (; i <= to - L; i += L) {
            DoubleVector x = DoubleVector.fromArray(SPECIES, a, i);
            DoubleVector ax = x.abs();
            VectorMask<Double> atLeastOne = ax.compare(VectorOperators.GE, 1.0);
            // From 22 on tanh is ±1 to the bit, and so is the formula at 22: clamp there (NaN stays NaN).
            DoubleVector am = ax.blend(22.0, ax.compare(VectorOperators.GT, 22.0));
            // expm1's argument u = 2|x| from 1 on, -2|x| below.
            DoubleVector sign = DoubleVector.broadcast(SPECIES, -1.0).blend(1.0, atLeastOne);
            DoubleVector au = am.mul(2.0);
            DoubleVector u = au.mul(sign);
            // k = (int) (|u| / ln 2 + 0.5) with u's sign (the floor by adding and taking away 2^52),
            // 0 while |u|'s high word is at most 0x3fd62e42 (|u| <= 0.5 ln 2). For tanh's arguments k is
            // 0, -1, -2 or -3 below 1, 3 to 63 from 1 on: never 1, which fdlibm's expm1 treats apart.
            DoubleVector w = au.mul(INV_LN2).add(0.5);
            DoubleVector rounded = w.add(0x1p52).sub(0x1p52);
            DoubleVector kAbs = rounded.blend(rounded.sub(1.0), rounded.compare(VectorOperators.GT, w));
            kAbs = kAbs.blend(0.0, au.compare(VectorOperators.LT, 0x1.62e43p-2));
            DoubleVector k = kAbs.mul(sign);
            // u - k ln 2 = r + c, ln 2 in two parts (k ln2_hi is exact).
            DoubleVector hi = u.sub(k.mul(LN2_HI));
            DoubleVector lo = k.mul(LN2_LO);
            DoubleVector r = hi.sub(lo);
            DoubleVector c = hi.sub(r).sub(lo);
            // expm1(r) by fdlibm's rational approximation; r1 = 1 + hxs (Q1 + hxs (Q2 + … + hxs Q5)).
            DoubleVector hfx = r.mul(0.5);
            DoubleVector hxs = r.mul(hfx);
            DoubleVector r1 = hxs.mul(Q5).add(Q4).mul(hxs).add(Q3)
                    .mul(hxs).add(Q2).mul(hxs).add(Q1).mul(hxs).add(1.0);
            DoubleVector t = DoubleVector.broadcast(SPECIES, 3.0).sub(r1.mul(hfx));
            DoubleVector e = hxs.mul(r1.sub(t).div(DoubleVector.broadcast(SPECIES, 6.0).sub(r.mul(t))));
            DoubleVector whenZero = r.sub(r.mul(e).sub(hxs));
            e = r.mul(e.sub(c)).sub(c).sub(hxs);
            DoubleVector whenMinusOne = r.sub(e).mul(0.5).sub(0.5);
            // k in the exponent's place (k + 1.5 * 2^52 holds k in its low bits), and 2^-k.
            LongVector kBits = k.add(0x1.8p52).reinterpretAsLongs().lanewise(VectorOperators.LSHL, 52);
            DoubleVector twoToMinusK = DoubleVector.broadcast(SPECIES, 1.0).reinterpretAsLongs().sub(kBits).reinterpretAsDoubles();
            VectorMask<Double> wide = k.compare(VectorOperators.LE, -2.0).or(k.compare(VectorOperators.GT, 56.0));
            DoubleVector eMinusR = e.sub(r);
            // 2^k (1 - 2^-k - (e - r)) below 20, 2^k (r - (e + 2^-k) + 1) from 20 to 56,
            // 2^k (1 - (e - r)) - 1 below -1 and above 56; 2^k by adding k to the exponent.
            DoubleVector y = r.sub(e.add(twoToMinusK)).add(1.0)
                    .blend(DoubleVector.broadcast(SPECIES, 1.0).sub(twoToMinusK).sub(eMinusR), k.compare(VectorOperators.LT, 20.0))
                    .blend(DoubleVector.broadcast(SPECIES, 1.0).sub(eMinusR), wide);
            y = y.reinterpretAsLongs().add(kBits).reinterpretAsDoubles();
            DoubleVector expm1 = y.sub(DoubleVector.zero(SPECIES).blend(1.0, wide))
                    .blend(whenMinusOne, k.compare(VectorOperators.EQ, -1.0))
                    .blend(whenZero, k.compare(VectorOperators.EQ, 0.0));
            // tanh = 1 - 2 / (expm1(2|x|) + 2) from 1 on, -expm1(-2|x|) / (expm1(-2|x|) + 2) below,
            // with x's sign; x (1 + x) below 2^-55, and NaN for NaN.
            DoubleVector q = expm1.neg().blend(2.0, atLeastOne).div(expm1.add(2.0));
            DoubleVector z = q.blend(DoubleVector.broadcast(SPECIES, 1.0).sub(q), atLeastOne);
            z = z.reinterpretAsLongs().or(x.reinterpretAsLongs().and(0x8000000000000000L)).reinterpretAsDoubles();
            z = z.blend(x.mul(x.add(1.0)), ax.compare(VectorOperators.LT, 0x1p-55));
            z.blend(x, x.compare(VectorOperators.NE, x)).intoArray(a, i);
        }
        for (; i < to; i++) {
            a[i] = StrictMath.tanh(a[i]);
        }
    }
}
