package dev.lossc.codegen;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossc.LossCompiler;
import dev.lossc.testing.ProgramGenerator;
import dev.lossc.testing.Repo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No transposed copy is made for a product: no product of the primal program or of its adjoint
 * reads the result of a transpose (it reads the operand in place), and the example networks and
 * the benchmarks' networks, which transpose only for their products, have no transpose at all —
 * in their IR, and no transpose kernel's loop in their Java. The random-program generator's
 * output is held to the first rule.
 */
class TransposeHygieneTest {
    /** A transpose kernel's statement: element (j, i) of the result from element (i, j) of its operand. */
    private static final Pattern TRANSPOSE_LOOP = Pattern.compile("\\[(?:\\w+ \\+ )?j \\* \\d+ \\+ i\\] = [^;]*\\[(?:\\w+ \\+ )?i \\* \\d+ \\+ j\\];");
    private static final Pattern TRANSPOSE_OP = Pattern.compile("^(%\\d+)(?::\\w+)? .*= transpose\\(", Pattern.MULTILINE);
    private static final Pattern PRODUCT = Pattern.compile("= (?:matmul|matmul_nt|matmul_tn|matvec|vecmat)\\(([^)]*)\\)");

    /** The primal IR and the adjoint of a program. */
    private static String[] dumps(String file, String source) {
        LossCompiler.Result r = LossCompiler.compile(file, source, new LossCompiler.Options("", Set.of(LossCompiler.Dump.IR, LossCompiler.Dump.ADJOINT)));
        assertTrue(r.ok(), file + ": " + r.render());
        return new String[] {r.dumps().get(LossCompiler.Dump.IR), r.dumps().get(LossCompiler.Dump.ADJOINT)};
    }

    /** Every product's operands, none of them a transpose's result. */
    private static void noProductReadsATranspose(String file, String ir) {
        Set<String> transposed = new HashSet<>();
        Matcher t = TRANSPOSE_OP.matcher(ir);
        while (t.find()) {
            transposed.add(t.group(1));
        }
        Matcher p = PRODUCT.matcher(ir);
        while (p.find()) {
            for (String operand : p.group(1).split(", ")) {
                String id = operand.replaceAll("^(%\\d+).*", "$1");
                assertFalse(transposed.contains(id), file + ": a product reads the transpose " + id + ":\n" + ir);
            }
        }
    }

    private static List<Path> networks() throws IOException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(Repo.root().resolve("examples"))) {
            s.filter(p -> p.toString().endsWith(".loss")).sorted().forEach(out::add);
        }
        try (Stream<Path> s = Files.walk(Repo.root().resolve("src/lossc-benchmarks/src/main/loss"))) {
            s.filter(p -> p.toString().endsWith(".loss")).sorted().forEach(out::add);
        }
        return out;
    }

    @Test
    void theNetworksTransposeNothing() throws IOException {
        List<Path> nets = networks();
        assertTrue(nets.size() >= 15, "networks found: " + nets);
        for (Path net : nets) {
            String source = Files.readString(net);
            String[] d = dumps(net.getFileName().toString(), source);
            assertFalse(d[0].contains("= transpose("), net + " transposes in the forward pass:\n" + d[0]);
            assertFalse(d[1].contains("transpose("), net + " transposes in the gradient:\n" + d[1]);
        }
    }

    @Test
    void theCheckedInGeneratedExamplesHaveNoTransposeLoop() throws IOException {
        try (Stream<Path> s = Files.walk(Repo.root().resolve("generated-examples"))) {
            for (Path java : s.filter(p -> p.toString().endsWith(".java")).toList()) {
                Matcher m = TRANSPOSE_LOOP.matcher(Files.readString(java));
                assertFalse(m.find(), java + " has a transpose loop: " + (m.hitEnd() ? "" : m.group()));
            }
        }
    }

    @Test
    void theTransposeKernelsLoopIsWhatTheCheckAbove() {
        // The pattern finds the transpose kernel's statement, so the test above can fail.
        LossCompiler.Result r = LossCompiler.compile("t.loss", "param W[3, 4];\ninput w[4, 3];\nloss sum(transpose(W) * w);\n",
                LossCompiler.Options.DEFAULT);
        assertTrue(TRANSPOSE_LOOP.matcher(r.output().orElseThrow().source()).find(), r.output().orElseThrow().source());
    }

    @Test
    void generatedProgramsNeverFeedATransposeToAProduct() {
        for (int i = 0; i < 200; i++) {
            String source = ProgramGenerator.generate(20261204L * 1_000_003L + i, "Gen" + i);
            LossCompiler.Result r = LossCompiler.compile("gen.loss", source,
                    new LossCompiler.Options("", Set.of(LossCompiler.Dump.IR, LossCompiler.Dump.ADJOINT)));
            if (!r.ok()) {
                continue; // a generated program over a limit; RandomProgramTest covers those
            }
            noProductReadsATranspose("program " + i, r.dumps().get(LossCompiler.Dump.IR));
            noProductReadsATranspose("program " + i + " (adjoint)", r.dumps().get(LossCompiler.Dump.ADJOINT));
        }
    }
}
