package dev.lossc.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The hand-written baselines compute what the generated classes compute: the comparison is fair. */
class ByHandTest {
    private static void assertClose(double[] expected, double[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-12 * Math.max(1, Math.abs(expected[i])), "element " + i);
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
    }
}
