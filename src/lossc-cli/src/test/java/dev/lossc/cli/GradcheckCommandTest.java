package dev.lossc.cli;

import static dev.lossc.cli.CliTest.lossc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossc.prim.Prim;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/** {@code lossc gradcheck}: passes on every example, fails (exit 4) on a wrong derivative rule. */
class GradcheckCommandTest {
    @TempDir
    Path tmp;

    @TestFactory
    Stream<DynamicTest> everyExamplePassesAtItsValuesAndAtRandomOnes() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        try (Stream<Path> files = Files.list(CliTest.EXAMPLES)) {
            for (Path model : files.filter(p -> p.toString().endsWith(".loss")).sorted().toList()) {
                String values = model.toString().replace(".loss", ".json");
                tests.add(DynamicTest.dynamicTest(model.getFileName() + " at its values", () -> {
                    // The values files give the inputs, and the params of the small networks: --seed fills the rest.
                    CliTest.Run r = lossc("gradcheck", model.toString(), "--values", values, "--seed", "0");
                    assertEquals(0, r.code(), r.out() + r.err());
                    assertTrue(r.out().contains("ok: every checked entry"), r.out());
                }));
                tests.add(DynamicTest.dynamicTest(model.getFileName() + " at random values", () -> {
                    CliTest.Run r = lossc("gradcheck", model.toString(), "--seed", "7", "--max-per-param", "200");
                    // At initParameters, a zero-initialized layer leaves the layers before it with a gradient
                    // of exactly 0: that is a check of nothing, exit 4 unless allowed, never a difference.
                    assertTrue(r.code() == 0 || (r.code() == 4 && r.out().contains("0 on both sides, so nothing was checked")
                            && !r.out().contains("entries differ")), r.out() + r.err());
                    CliTest.Run allowed = lossc("gradcheck", model.toString(), "--seed", "7", "--max-per-param", "200", "--allow-zero");
                    assertEquals(0, allowed.code(), allowed.out() + allowed.err());
                }));
            }
        }
        assertTrue(tests.size() >= 20, "examples found: " + tests.size() / 2);
        return tests.stream();
    }

    /** A primitive whose derivative rule is wrong (x^2 with derivative x instead of 2x) is caught, and where. */
    @Test
    void aWrongDerivativeRuleFailsWithExitFourAndNamesTheEntry() throws IOException {
        Prim wrong = Prim.defineElementwise("badsq", "x * x", "dy * x");
        try {
            Path model = tmp.resolve("bad.loss");
            Files.writeString(model, "param w[3];\nparam v;\nloss sum(badsq(w)) + v * v;\n");
            Path values = tmp.resolve("bad.json");
            Files.writeString(values, "{\"w\": [1.0, -2.0, 0.5], \"v\": 3.0}");
            CliTest.Run r = lossc("gradcheck", model.toString(), "--values", values.toString());
            assertEquals(GradcheckCommand.GRADIENT_MISMATCH, r.code(), r.out() + r.err());
            // w[1]: analytic -2, numeric -4; v is right.
            assertTrue(r.out().lines().anyMatch(l -> l.startsWith("w ") && l.contains(" 3        3        0  w[1]")), r.out());
            assertTrue(r.out().lines().anyMatch(l -> l.startsWith("v ") && l.contains(" 1        0        0  v")), r.out());
            assertTrue(r.out().contains("FAILED: 3 entries differ"), r.out());
        } finally {
            Prim.remove(wrong);
        }
    }

    @Test
    void badToleranceIsAUsageError() {
        CliTest.Run r = lossc("gradcheck", CliTest.EXAMPLES.resolve("two_layer.loss").toString(), "--eps", "0");
        assertEquals(Main.USAGE, r.code());
        assertEquals("lossc gradcheck: error: Invalid value for option '--eps': '0' is out of range: expected a finite number above 0\n"
                + "Try 'lossc gradcheck --help' for more information.\n", r.err());
    }
}
