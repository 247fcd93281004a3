package com.example;

import com.example.nets.TwoClass;
import dev.lossc.runtime.Parameters;
import dev.lossc.runtime.TensorFile;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Loads the parameters `lossc train --out` wrote (any of its formats) into the generated class and
 * prints the class probabilities of some rows, as `lossc eval --outputs-only` prints them:
 *
 * <pre>
 * mvn -q -f examples/predict/pom.xml package exec:java -Dexec.args="trained.safetensors examples/predict/rows.json"
 * </pre>
 */
public final class Predict {
    private Predict() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: Predict PARAMS ROWS.json");
            System.exit(2);
        }
        Path params = Paths.get(args[0]);
        Path rows = Paths.get(args[1]);

        TwoClass net = new TwoClass();
        // By name, every shape checked: W1 [16, 2], b1 [16], W2 [2, 16], b2 [2].
        Parameters.of(TwoClass.parameterLayout()).read(params, net.parameters());

        // The rows to score: {"X": [[x0, x1], …]}, a values file without labels.
        double[] x;
        try (TensorFile file = TensorFile.open(rows)) {
            x = file.values("X");
        }
        int n = x.length / 2;
        double[] probs = net.probs(n, x, new double[n * 2]);

        StringBuilder out = new StringBuilder("{\"outputs\": {\"probs\": [");
        for (int i = 0; i < n; i++) {
            out.append(i == 0 ? "[" : ", [").append(probs[2 * i]).append(", ").append(probs[2 * i + 1]).append(']');
        }
        System.out.println(out.append("]}}"));
    }
}
