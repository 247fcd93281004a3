package dev.lossc.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.lossc.LossCompiler;
import dev.lossc.diag.Diagnostic;

/**
 * Coverage-guided fuzzing of the front end with Jazzer: any bytes must give a class or diagnostics
 * with valid positions, never an exception. Fuzzing runs for maxDuration (JAZZER_FUZZ is set by
 * the build); the seeds in src/test/resources are replayed every time. A crash Jazzer finds is
 * written there too, and then replayed by every later build.
 */
class FrontEndJazzerTest {
    @FuzzTest(maxDuration = "30s")
    void anyBytesGiveAClassOrDiagnostics(byte[] input) {
        LossCompiler.Result r = LossCompiler.compile("fuzz.loss", input, LossCompiler.Options.DEFAULT);
        if (r.ok() == r.output().isEmpty()) {
            throw new AssertionError("a result is either a class or errors");
        }
        for (Diagnostic d : r.diagnostics()) {
            if (d.pos().line() > r.source().lineCount() + 1) {
                throw new AssertionError("diagnostic past the end: " + d.headline());
            }
            d.render(r.source());
        }
    }
}
