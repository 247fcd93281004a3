package com.acme.app;

import com.acme.deep.Net;

public final class App {
    public static double gradientOfFirstWeight(double[] x) {
        Net net = new Net();
        net.parameters()[Net.w_OFFSET] = 1.0;
        net.lossAndGradient(x);
        return net.gradient()[Net.w_OFFSET];
    }
}
