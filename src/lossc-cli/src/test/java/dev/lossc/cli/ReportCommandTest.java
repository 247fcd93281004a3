package dev.lossc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lossc report}: the table, the JSON, a bad file's diagnostic, and nothing written. */
class ReportCommandTest {
    @TempDir
    Path tmp;

    private Path write(String name, String text) throws Exception {
        Path p = tmp.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    private static final String NET = "model Net;\ndim N = 3, H = 2;\ninput x[N];\nparam V[H, N];\nparam w[H];\nparam a;\n"
            + "var h = x;\nfor t in 0..4 checkpoint(2) {\n  h = tanh(h * a);\n}\nloss dot(w, tanh(V @ h));\n";

    @Test
    void theTableHasEveryLineWithItsCountsAndTheClassTotals() throws Exception {
        Path f = write("net.loss", NET);
        CliTest.Run r = CliTest.lossc("report", f.toString());
        assertEquals(0, r.code(), r.err());
        String out = r.out();
        assertTrue(out.startsWith("Net (net.loss): lossAndGradient\n"), out);
        // Line 9 runs 4 times: a multiply and a tanh on 3 elements.
        assertTrue(out.lines().anyMatch(l -> l.matches(" +9 +24 +[0-9,]+ +[0-9,]+  h = tanh\\(h \\* a\\);")), out);
        // Line 11: V @ h (2 * 2 * 3), tanh (2), dot (2 * 2).
        assertTrue(out.lines().anyMatch(l -> l.matches(" +11 +18 +[0-9,]+ +[0-9,]+  loss dot\\(w, tanh\\(V @ h\\)\\);")), out);
        assertTrue(out.contains("checkpointed loop at line 8: 4 iterations, 2 snapshots;"), out);
        assertTrue(out.contains("HotSpot compiles up to 8,000): compiled"), out);
        try (var files = Files.list(tmp)) {
            assertEquals(1, files.count(), "report writes nothing");
        }
    }

    @Test
    void jsonHasARecordPerLine() throws Exception {
        Path f = write("net.loss", NET);
        CliTest.Run r = CliTest.lossc("report", "--json", f.toString());
        assertEquals(0, r.code(), r.err());
        List<Map<String, Object>> lines = new ArrayList<>();
        Map<String, Object> top = new LinkedHashMap<>();
        try (JsonParser p = new JsonFactory().createParser(r.out())) {
            assertEquals(JsonToken.START_OBJECT, p.nextToken());
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                if (name.equals("lines")) {
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        Map<String, Object> line = new LinkedHashMap<>();
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String key = p.currentName();
                            p.nextToken();
                            line.put(key, p.currentToken() == JsonToken.VALUE_STRING ? p.getText() : (Object) p.getLongValue());
                        }
                        lines.add(line);
                    }
                } else if (t.isScalarValue()) {
                    top.put(name, p.getText());
                } else {
                    p.skipChildren();
                }
            }
        }
        assertEquals("Net", top.get("model"));
        Map<String, Object> eight = lines.stream().filter(l -> l.get("line").equals(9L)).findFirst().orElseThrow();
        assertEquals(List.of("line", "source", "forward_flops", "backward_flops", "bytes"), new ArrayList<>(eight.keySet()));
        assertEquals(24L, eight.get("forward_flops"));
        long forward = lines.stream().mapToLong(l -> (Long) l.get("forward_flops")).sum();
        assertEquals(Long.toString(forward), top.get("forward_flops"));
    }

    @Test
    void aBadFileGetsItsDiagnosticAndExit1() throws Exception {
        Path f = write("bad.loss", "param w;\nloss w +;\n");
        CliTest.Run r = CliTest.lossc("report", f.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith(f + ":2:"), r.err());
        assertTrue(r.err().contains("^"), r.err());
        assertEquals("", r.out());
    }
}
