package dev.lossc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lossc check --verify-rules}: each def's own gradient against central differences of its body. */
class VerifyRulesTest {
    @TempDir
    Path tmp;

    private Path write(String name, String text) throws Exception {
        Path p = tmp.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    @Test
    void aTrueRulePrintsNothing() throws Exception {
        Path f = write("good.loss", "input x[3];\nparam w[3];\n"
                + "def log1pexp(v) = max(v, 0) + log(1 + exp(-abs(v))) grad(dy) = dy * sigmoid(v);\n"
                + "def cube(v) = v * v * v grad(dy) = 3 * dy * v * v;\n"
                // stop_gradient's zero derivative is on purpose: it is not held against the rules.
                + "loss sum(log1pexp(w * x)) + sum(cube(w)) + sum(stop_gradient(w) * w);\n");
        CliTest.Run r = CliTest.lossc("check", "--verify-rules", f.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("", r.err());
    }

    @Test
    void aWrongRuleIsAWarningAtItsRuleWithTheLargestDifference() throws Exception {
        // The rule forgets the factor 2 of v^2: off by 2 v dy, exactly what the warning must show.
        Path f = write("bad.loss", "input x[3];\nparam w[3];\n"
                + "def sq(v) = v * v grad(dy) = dy * v;\n"
                + "def ste(v) = where(v > 0, 1, 0) grad(dy) = dy;\n"
                + "def ok(v) = 2 * v grad(dy) = 2 * dy;\n"
                + "loss sum(sq(w * x)) + sum(ste(w) * x) + sum(ok(w));\n");
        CliTest.Run r = CliTest.lossc("check", "--verify-rules", f.toString());
        assertEquals(0, r.code(), r.err());
        String[] lines = r.err().split("\n");
        assertEquals(6, lines.length, r.err());
        assertTrue(lines[0].startsWith(f + ":3:19: warning: the custom gradient of 'sq' disagrees with central differences of its body: "
                + "the largest difference is "), lines[0]);
        assertTrue(lines[0].endsWith(" [D008]"), lines[0]);
        assertEquals("def sq(v) = v * v grad(dy) = dy * v;", lines[1]);
        assertEquals("                  ^", lines[2]);
        // The straight-through estimator disagrees on purpose, and is reported too (exit 0 all the same).
        assertTrue(lines[3].startsWith(f + ":4:33: warning: the custom gradient of 'ste' disagrees"), lines[3]);
        // The reported entry's two sides differ by the rule's error: the rule gives half of sq's part of
        // the derivative, and ok(w), differentiated through its body (2 v), adds 2 to both sides.
        String numbers = lines[0].replaceAll(".*the rule gives ([-0-9.e]+), central differences ([-0-9.e]+)\\).*", "$1 $2");
        double rule = Double.parseDouble(numbers.split(" ")[0]);
        double central = Double.parseDouble(numbers.split(" ")[1]);
        assertEquals((central - 2) / 2 + 2, rule, 1e-4 * Math.max(1, Math.abs(central)), lines[0]);
    }

    @Test
    void withoutTheFlagRulesAreNotChecked() throws Exception {
        Path f = write("bad.loss", "param w[3];\ndef sq(v) = v * v grad(dy) = dy * v;\nloss sum(sq(w));\n");
        CliTest.Run r = CliTest.lossc("check", f.toString());
        assertEquals(0, r.code());
        assertEquals("", r.err());
    }
}
