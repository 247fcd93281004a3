package org.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.acme.app.App;
import org.junit.jupiter.api.Test;

class AppTest {
    @Test
    void generatedMainAndTestClassesWork() {
        // loss = (w . x)^2 with w = (1, 0, 0): d/dw0 = 2 (w . x) x0
        assertEquals(2 * 2.0 * 2.0, App.gradientOfFirstWeight(new double[] {2, 5, 7}), 0.0);
        Probe probe = new Probe();
        probe.parameters()[0] = 1.0;
        assertEquals(4.0, probe.lossAndGradient(), 0.0);
        assertEquals(-4.0, probe.gradient()[0], 0.0);
    }
}
