package dev.lossc.fuzz;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossc.LossCompiler;
import dev.lossc.diag.Diagnostic;
import dev.lossc.testing.Compiled;
import dev.lossc.testing.ProgramGenerator;
import dev.lossc.testing.Repo;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Seeded fuzzing of the whole front end: byte and token mutations of the examples and of generated
 * programs, token soup and raw bytes. Every input must give either a class or diagnostics with
 * valid positions: no exception, no hang. Inputs that still compile must give Java that javac
 * accepts. Runs for a bounded time (-Dlossc.fuzz.seconds, default 20); -Dlossc.seed picks the seed.
 */
class FrontEndFuzzTest {
    static final long SEED = Long.getLong("lossc.seed", 20261123L);
    static final int SECONDS = Integer.getInteger("lossc.fuzz.seconds", 20);

    private static final String[] TOKENS = {"model", "dim", "const", "input", "param", "let", "var", "for", "in", "def",
            "return", "loss", "init", "=", ";", ",", "(", ")", "[", "]", "{", "}", "..", "+", "-", "*", "/", "@", "^",
            "x", "W", "h", "t", "T", "D", "0", "1", "2", "3", "0.5", ".5", "1e-3", "1e309", "99999999999", "sum", "mean",
            "sigmoid", "dot", "outer", "transpose", "softmax", "logsumexp", "cross_entropy", "leaky_relu", "max", "xavier",
            "uniform", "class", "int", "\n", " ", "//", "/*", "*/", "\t", "\u00e9", "$", "#", "\"", "\\u000a"};

    @Test
    void frontEndNeverCrashesOrHangs() {
        assertTimeoutPreemptively(Duration.ofSeconds(SECONDS + 120), this::fuzz);
    }

    private void fuzz() {
        SplittableRandom rnd = new SplittableRandom(SEED);
        List<String> corpus = new ArrayList<>();
        Repo.exampleModels().forEach(p -> corpus.add(Repo.read(p)));
        for (int i = 0; i < 20; i++) {
            corpus.add(ProgramGenerator.generate(SEED + i, "Fuzz" + i));
        }
        long deadline = System.nanoTime() + SECONDS * 1_000_000_000L;
        int runs = 0;
        int compiled = 0;
        List<LossCompiler.Result> toJavac = new ArrayList<>();
        java.util.Set<String> toJavacNames = new java.util.HashSet<>();
        while (System.nanoTime() < deadline) {
            long inputSeed = rnd.nextLong();
            byte[] input = mutate(new SplittableRandom(inputSeed), corpus);
            LossCompiler.Result r;
            long start = System.nanoTime();
            try {
                r = LossCompiler.compile("fuzz.loss", input, LossCompiler.Options.DEFAULT);
            } catch (Throwable t) {
                throw new AssertionError("input seed " + inputSeed + " crashed the compiler:\n"
                        + new String(input, StandardCharsets.UTF_8), t);
            }
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(ms < 10_000, "input seed " + inputSeed + " took " + ms + " ms");
            runs++;
            if (r.ok()) {
                compiled++;
                // One class per name: two mutants of one model would replace each other in one javac run.
                if (toJavac.size() < 40 && r.output().orElseThrow().source().length() < 200_000
                        && toJavacNames.add(r.output().orElseThrow().qualifiedName())) {
                    toJavac.add(r);
                }
            } else {
                int lines = r.source().lineCount();
                for (Diagnostic d : r.diagnostics()) {
                    assertTrue(d.pos() == null || d.pos().line() <= lines + 1, "input seed " + inputSeed + ": " + d.headline());
                    r.render();
                }
            }
        }
        // Whatever the checker accepted must be valid Java.
        if (!toJavac.isEmpty()) {
            Compiled.compileAll(toJavac);
        }
        System.out.println("fuzz: " + runs + " inputs, " + compiled + " compiled, " + toJavac.size() + " checked with javac");
        assertTrue(runs > 100, "too few fuzz runs: " + runs);
    }

    static byte[] mutate(SplittableRandom rnd, List<String> corpus) {
        int kind = rnd.nextInt(10);
        if (kind == 0) {
            byte[] b = new byte[rnd.nextInt(200)];
            rnd.nextBytes(b);
            return b;
        }
        if (kind == 1) {
            StringBuilder s = new StringBuilder();
            for (int i = rnd.nextInt(80); i > 0; i--) {
                s.append(TOKENS[rnd.nextInt(TOKENS.length)]).append(rnd.nextBoolean() ? " " : "");
            }
            return s.toString().getBytes(StandardCharsets.UTF_8);
        }
        String base = corpus.get(rnd.nextInt(corpus.size()));
        StringBuilder s = new StringBuilder(base);
        for (int m = 1 + rnd.nextInt(4); m > 0; m--) {
            int at = s.length() == 0 ? 0 : rnd.nextInt(s.length());
            switch (rnd.nextInt(6)) {
                case 0 -> s.delete(at, Math.min(s.length(), at + 1 + rnd.nextInt(8)));
                case 1 -> s.insert(at, TOKENS[rnd.nextInt(TOKENS.length)]);
                case 2 -> {
                    int from = rnd.nextInt(Math.max(1, s.length()));
                    String piece = s.substring(from, Math.min(s.length(), from + rnd.nextInt(40)));
                    s.insert(at, piece);
                }
                case 3 -> {
                    if (at < s.length()) {
                        s.setCharAt(at, (char) (32 + rnd.nextInt(95)));
                    }
                }
                case 4 -> {
                    // Swap a number for another.
                    String[] nums = {"0", "1", "7", "100000", "-1", "2.5", "1e40"};
                    s.insert(at, nums[rnd.nextInt(nums.length)]);
                }
                default -> s.setLength(Math.min(s.length(), at));
            }
        }
        byte[] out = s.toString().getBytes(StandardCharsets.UTF_8);
        if (rnd.nextInt(20) == 0 && out.length > 0) {
            out[rnd.nextInt(out.length)] = (byte) rnd.nextInt(256);
        }
        return out;
    }
}
