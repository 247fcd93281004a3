package dev.lossc.property;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossc.testing.ProgramGenerator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The random programs {@link RandomProgramTest} runs cover the language: each construct appears in
 * at least one program in forty (the same seeds, so this counts exactly what that test checks).
 */
class GeneratorCoverageTest {
    /** Each construct and the pattern that finds it in a program's text. */
    private static final Map<String, Pattern> CONSTRUCTS = new LinkedHashMap<>();

    static {
        CONSTRUCTS.put("output", Pattern.compile("(?m)^output "));
        CONSTRUCTS.put("dim that varies per call", Pattern.compile("dim B <= "));
        CONSTRUCTS.put("int input", Pattern.compile(": int;"));
        CONSTRUCTS.put("gather by an int vector", Pattern.compile("\\[(toks|ids\\d*)\\]"));
        CONSTRUCTS.put("var in a loop body", Pattern.compile("(?m)^ +var "));
        CONSTRUCTS.put("slice with a range", Pattern.compile("\\[\\d+\\.\\.\\d+"));
        CONSTRUCTS.put("column slice", Pattern.compile("\\[\\.\\., "));
        CONSTRUCTS.put("concat", Pattern.compile("concat\\("));
        CONSTRUCTS.put("row or column", Pattern.compile("(row|column)\\("));
        CONSTRUCTS.put("where", Pattern.compile("where\\("));
        CONSTRUCTS.put("comparison", Pattern.compile(" (<|<=|>|>=|==|!=) "));
        CONSTRUCTS.put("clamp", Pattern.compile("clamp\\("));
        CONSTRUCTS.put("named argument", Pattern.compile("\\w+\\([^()]*, (alpha|axis) = "));
        CONSTRUCTS.put("elu", Pattern.compile("elu\\("));
        CONSTRUCTS.put("cumsum", Pattern.compile("cumsum\\("));
        CONSTRUCTS.put("negative axis", Pattern.compile("\\w+\\([^()]*, (axis = )?-[12]\\)"));
        CONSTRUCTS.put("constructor", Pattern.compile("(zeros|ones|full)\\("));
        CONSTRUCTS.put("several results", Pattern.compile("let \\(\\w+, \\w+\\) = "));
        CONSTRUCTS.put("batch norm and states", Pattern.compile("batch_norm\\("));
        CONSTRUCTS.put("int matrix", Pattern.compile("\\[B, 3\\]: int;"));
        CONSTRUCTS.put("tensor of rank 3 or 4", Pattern.compile("\\[B, \\d+, \\d+(, \\d+)?\\];"));
        CONSTRUCTS.put("convolution", Pattern.compile("conv[12]d\\("));
        CONSTRUCTS.put("pooling", Pattern.compile("(max|avg)_pool[12]d\\("));
        CONSTRUCTS.put("reshape, flatten, unsqueeze", Pattern.compile("(reshape|flatten|unsqueeze)\\("));
        CONSTRUCTS.put("permute of a tensor", Pattern.compile("(permute\\(a|transpose\\(z, 1, 2\\))"));
        CONSTRUCTS.put("batched product of tensors", Pattern.compile("(\\) @ permute\\(|z @ transpose\\(z)"));
        CONSTRUCTS.put("lookup by an int matrix", Pattern.compile("Emb\\[toks\\]"));
        CONSTRUCTS.put("int tensor as sequence labels", Pattern.compile("cross_entropy\\(z, toks\\)"));
        CONSTRUCTS.put("slice of a tensor", Pattern.compile("(X\\[\\.\\., 0\\.\\.1|a\\[\\.\\., 0, \\.\\., 0\\.\\.1|S\\[\\.\\., 1\\.\\.)"));
        CONSTRUCTS.put("function along a tensor's axis", Pattern.compile("(softmax|log_softmax|logsumexp|amax|amin|cumsum)\\((z|a), [123]\\)"));
        CONSTRUCTS.put("concat of tensors", Pattern.compile("concat\\((z|S), "));
        CONSTRUCTS.put("batched product that broadcasts", Pattern.compile("(Wd @ transpose\\(S|S @ P\\))"));
        CONSTRUCTS.put("int tensor of rank 3", Pattern.compile("\\[B, \\d+, 2\\]: int;"));
        CONSTRUCTS.put("max/min reduction", Pattern.compile("(amax|amin|max|min)\\([^,()]*(\\([^()]*\\))*[^,()]*\\)"));
    }

    @Test
    void everyVersionTwoConstructAppearsInManyGeneratedPrograms() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        CONSTRUCTS.keySet().forEach(k -> counts.put(k, 0));
        for (int i = 0; i < RandomProgramTest.PROGRAMS; i++) {
            String source = ProgramGenerator.generate(RandomProgramTest.BASE_SEED * 1_000_003L + i, "Gen" + i);
            CONSTRUCTS.forEach((name, p) -> {
                if (p.matcher(source).find()) {
                    counts.merge(name, 1, Integer::sum);
                }
            });
        }
        System.out.println("generated programs containing each construct, of " + RandomProgramTest.PROGRAMS + ": " + counts);
        counts.forEach((name, n) -> assertTrue(n >= RandomProgramTest.PROGRAMS / 40,
                name + " appears in only " + n + " of " + RandomProgramTest.PROGRAMS + " programs: " + counts));
    }
}
