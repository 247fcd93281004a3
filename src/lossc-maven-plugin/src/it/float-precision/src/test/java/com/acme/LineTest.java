package com.acme;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LineTest {
    @Test
    void gradientDescentFitsTheLineInFloat() {
        Line line = new Line();
        float[] x = {0f, 1f, 2f, 3f};
        float[] y = {1f, 3f, 5f, 7f};
        float[] p = line.parameters();
        for (int step = 0; step < 2000; step++) {
            line.lossAndGradient(x, y);
            float[] g = line.gradient();
            for (int i = 0; i < p.length; i++) {
                p[i] -= 0.05f * g[i];
            }
        }
        float loss = line.loss(x, y);
        assertEquals(0f, loss, 1e-6f);
        assertEquals(2f, p[Line.a_OFFSET], 1e-3f);
        assertEquals(1f, p[Line.b_OFFSET], 1e-3f);
    }
}
