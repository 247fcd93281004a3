package dev.lossc.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The hand-written baselines compute what the generated classes compute: the comparison is fair. */
class ByHandTest {
    private static void assertClose(double[] expected, double[] actual) {
        assertClose(expected, actual, 1e-12);
    }

    private static void assertClose(double[] expected, double[] actual, double tolerance) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tolerance * Math.max(1, Math.abs(expected[i])), "element " + i);
        }
    }

    @Test
    void handWrittenNetworksAgreeWithTheGeneratedOnes() {
        SmallNetworks s = new SmallNetworks();
        s.setup();
        assertEquals(s.workedExampleLossc(), s.workedExampleByHand(), 1e-14);
        assertClose(s.worked.gradient(), s.workedByHand.grad);
        assertEquals(s.fourLayerLossc(), s.fourLayerByHand(), 1e-14);
        assertClose(s.four.gradient(), s.fourByHand.grad);
        assertEquals(s.rnnLossc(), s.rnnByHand(), 1e-13);
        assertClose(s.rnn.gradient(), s.rnnByHand.grad);
        assertEquals(s.workedExampleLossc(), s.workedExampleTape(), 1e-14);
        assertClose(s.worked.gradient(), s.tapeGrad2);
        assertEquals(s.fourLayerLossc(), s.fourLayerTape(), 1e-14);
        assertClose(s.four.gradient(), s.tapeGrad4);
        assertEquals(s.rnnLossc(), s.rnnTape(), 1e-13);
        assertClose(s.rnn.gradient(), s.tapeGradRnn);
        assertEquals(s.workedExampleLossc(), s.workedExampleLoss(), 0);
        assertEquals(s.fourLayerLossc(), s.fourLayerLoss(), 0);
        assertEquals(s.rnnLossc(), s.rnnLoss(), 0);
    }

    @Test
    void theWorkedExamplesFormsComputeWhatTheGeneratedClassComputes() {
        WorkedForms f = new WorkedForms();
        f.setup();
        double loss = f.generated();
        assertEquals(loss, f.zeroStartedSums(), 1e-15);
        assertClose(f.generated.gradient(), f.zeroStarted.grad, 1e-15);
        assertEquals(loss, f.noLengthChecks(), 1e-15);
        assertClose(f.generated.gradient(), f.noChecks.grad, 1e-15);
        assertEquals(loss, f.firstTermSums(), 1e-15);
        assertClose(f.generated.gradient(), f.firstTerm.grad, 1e-15);
    }

    @Test
    void handWrittenLargerNetworksAgreeWithTheGeneratedOnes() {
        Networks n = new Networks();
        n.setup();
        assertEquals(n.mnist32Lossc(), n.mnist32ByHand(), 1e-12);
        assertClose(n.mnist32.gradient(), n.mnist32ByHand.grad);
        assertEquals(n.mnist1Lossc(), n.mnist1ByHand(), 1e-12);
        assertClose(n.mnist1.gradient(), n.mnist1ByHand.grad);
        assertEquals(n.rnn50Lossc(), n.rnn50ByHand(), 1e-12);
        assertClose(n.rnn.gradient(), n.rnnByHand.grad);
        assertEquals(n.mlp1024Lossc(), n.mlp1024ByHand(), 1e-12);
        assertClose(n.mlp.gradient(), n.mlpByHand.grad);
        assertEquals(n.rnn50Lossc(), n.rnn50Tape(), 1e-12);
        assertClose(n.rnn.gradient(), n.tapeGradRnn);
        // The loss-only calls compute the loss of the full calls.
        assertEquals(n.mnist32Lossc(), n.mnist32Loss(), 0);
        assertEquals(n.mnist1Lossc(), n.mnist1Loss(), 0);
        assertEquals(n.mlp1024Lossc(), n.mlp1024Loss(), 0);
        assertEquals(n.rnn50Lossc(), n.rnn50Loss(), 0);
    }

    /** The nn.Linear layout computes the same network: the same loss, the gradient transposed. */
    @Test
    void bothLayoutsComputeTheSameNetwork() {
        Layouts l = new Layouts();
        l.setup();
        assertEquals(l.mnist32(), l.mnist32Linear(), 1e-12);
        double[] expected = new double[l.mnist32Linear.gradient().length];
        Layouts.linear(l.mnist32.gradient(), expected, 784, 128, 10);
        assertClose(expected, l.mnist32Linear.gradient());
        assertEquals(l.mlp1024(), l.mlp1024Linear(), 1e-12);
        expected = new double[l.mlpLinear.gradient().length];
        Layouts.linear(l.mlp.gradient(), expected, 1024, 1024, 1024);
        assertClose(expected, l.mlpLinear.gradient());
    }

    /** The parallel classes compute the default classes' bits at 1 and 2 threads. */
    @Test
    void parallelClassesComputeTheDefaultOnesBits() throws Exception {
        for (int threads : new int[] {1, 2}) {
            ParallelNetworks p = new ParallelNetworks();
            p.threads = threads;
            p.setup();
            try {
                assertEquals(p.mlp1024Default(), p.mlp1024Parallel(), 0);
                assertEquals(java.util.Arrays.toString(p.layouts.mlp.gradient()), java.util.Arrays.toString(p.mlp.gradient()));
                assertEquals(p.layouts.mlp1024Linear(), p.mlp1024LinearParallel(), 0);
                assertEquals(p.mnist32Default(), p.mnist32Parallel(), 0);
                assertEquals(java.util.Arrays.toString(p.layouts.mnist32.gradient()), java.util.Arrays.toString(p.mnist32.gradient()));
                assertEquals(p.layouts.mnist32Linear(), p.mnist32LinearParallel(), 0);
                assertEquals(p.rnn50Default(), p.rnn50Parallel(), 0);
                assertEquals(p.fourLayerDefault(), p.fourLayerParallel(), 0);
                assertEquals(p.workedExampleDefault(), p.workedExampleParallel(), 0);
                assertEquals(p.mlp1024SimdDefault(), p.mlp1024SimdParallel(), 0);
                assertEquals(java.util.Arrays.toString(p.mlpSimd.gradient()), java.util.Arrays.toString(p.mlpSimdParallel.gradient()));
                assertEquals(p.mnist32SimdDefault(), p.mnist32SimdParallel(), 0);
                assertEquals(p.mlp1024LinearParallel(), p.mlp1024LinearSimdParallel(), 1e-12);
                assertEquals(p.mnist32LinearParallel(), p.mnist32LinearSimdParallel(), 1e-12);
            } finally {
                p.close();
            }
        }
    }

    /** The parallel float classes compute the serial float classes' bits at 1 and 2 threads. */
    @Test
    void parallelFloatClassesComputeTheSerialOnesBits() throws Exception {
        for (int threads : new int[] {1, 2}) {
            ParallelFloatNetworks p = new ParallelFloatNetworks();
            p.threads = threads;
            p.setup();
            try {
                assertEquals(p.mlp1024Float(), p.mlp1024FloatParallel(), 0);
                assertEquals(java.util.Arrays.toString(p.serial.mlp.gradient()), java.util.Arrays.toString(p.mlp.gradient()));
                assertEquals(p.mlp1024FloatSimd(), p.mlp1024FloatSimdParallel(), 0);
                assertEquals(java.util.Arrays.toString(p.serial.mlpSimd.gradient()), java.util.Arrays.toString(p.mlpSimd.gradient()));
                assertEquals(p.mnist32Float(), p.mnist32FloatParallel(), 0);
                assertEquals(p.mnist32FloatSimd(), p.mnist32FloatSimdParallel(), 0);
            } finally {
                p.close();
            }
        }
    }

    @Test
    void simdClassesAgreeWithTheDefaultOnes() {
        SimdNetworks s = new SimdNetworks();
        s.setup();
        assertEquals(s.mnist32Lossc(), s.mnist32SimdLossc(), 1e-12);
        assertClose(s.plain.mnist32.gradient(), s.mnist32.gradient(), 1e-10);
        assertEquals(s.mlp1024Lossc(), s.mlp1024SimdLossc(), 1e-12);
        assertClose(s.plain.mlp.gradient(), s.mlp.gradient(), 1e-10);
        assertEquals(s.mnist32SimdLossc(), s.mnist32SimdLoss(), 0);
        assertEquals(s.mlp1024SimdLossc(), s.mlp1024SimdLoss(), 0);
    }

    /**
     * The float classes compute the double ones' loss and gradient to float's accuracy: the MLP's
     * loss, a sum of 65,536 float squares accumulated in double, to 1e-6 relative.
     */
    @Test
    void floatClassesAgreeWithTheDoubleOnes() {
        FloatNetworks f = new FloatNetworks();
        f.setup();
        double mnist = f.mnist32Lossc();
        assertEquals(mnist, f.mnist32FloatLossc(), 1e-5 * Math.abs(mnist));
        assertEquals(mnist, f.mnist32FloatSimdLossc(), 1e-5 * Math.abs(mnist));
        assertCloseToLargest(f.plain.mnist32.gradient(), f.mnist32.gradient(), 1e-4);
        assertCloseToLargest(f.plain.mnist32.gradient(), f.mnist32Simd.gradient(), 1e-4);
        double mlp = f.mlp1024Lossc();
        assertEquals(mlp, f.mlp1024FloatLossc(), 1e-6 * Math.abs(mlp));
        assertEquals(mlp, f.mlp1024FloatSimdLossc(), 1e-6 * Math.abs(mlp));
        assertCloseToLargest(f.plain.mlp.gradient(), f.mlp.gradient(), 1e-4);
        assertCloseToLargest(f.plain.mlp.gradient(), f.mlpSimd.gradient(), 1e-4);
        assertEquals(f.mnist32FloatLossc(), f.mnist32FloatLoss(), 0);
        assertEquals(f.mlp1024FloatSimdLossc(), f.mlp1024FloatSimdLoss(), 0);
    }

    /** Every entry within {@code rel} of the largest expected entry (float keeps about seven digits of it). */
    private static void assertCloseToLargest(double[] expected, float[] actual, double rel) {
        assertEquals(expected.length, actual.length);
        double largest = 0;
        for (double e : expected) {
            largest = Math.max(largest, Math.abs(e));
        }
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], rel * largest, "element " + i + " (largest " + largest + ")");
        }
    }
}
