package dev.lossc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * CSV data and JSON values accept what spreadsheets and scripts write (a byte-order mark, blank
 * lines, CRLF, spaces around cells) and refuse what is not a number by one strict grammar, with
 * messages in lossc's words that quote at most about 100 characters.
 */
class DataFilesTest {
    @TempDir
    Path tmp;

    Path model;

    @BeforeEach
    void model() throws IOException {
        model = Files.writeString(tmp.resolve("fit.loss"), "input x[2];\ninput y;\nparam w[2];\nloss (dot(w, x) - y) ^ 2;\n");
    }

    private CliTest.Run train(Path data, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("train", model.toString(), "--data", data.toString(), "--epochs", "3",
                "--batch", "all", "--lr", "0.1"));
        args.addAll(List.of(more));
        return HostileCliTest.lossc(args.toArray(String[]::new));
    }

    private Path csv(String name, byte[] bytes) throws IOException {
        return Files.write(tmp.resolve(name), bytes);
    }

    private Path csv(String name, String text) throws IOException {
        return csv(name, text.getBytes(StandardCharsets.UTF_8));
    }

    private static final String PLAIN = "x[0],x[1],y\n1,0.5,2\n-0.25,1e-2,0\n3E1,-0,-1.5\n";

    /** Every spelling of the same table trains to the same losses as the plain file. */
    @Test
    void whatSpreadsheetsWriteIsAccepted() throws IOException {
        String expected = train(csv("plain.csv", PLAIN)).out();
        assertTrue(expected.contains("epoch 3/3"), expected);
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] text = PLAIN.getBytes(StandardCharsets.UTF_8);
        byte[] withBom = new byte[bom.length + text.length];
        System.arraycopy(bom, 0, withBom, 0, 3);
        System.arraycopy(text, 0, withBom, 3, text.length);
        for (Path p : List.of(csv("bom.csv", withBom),
                csv("blank.csv", "x[0],x[1],y\n\n1,0.5,2\n\n\n-0.25,1e-2,0\n   \n3E1,-0,-1.5\n\n\n"),
                csv("crlf.csv", PLAIN.replace("\n", "\r\n")),
                csv("spaces.csv", "x[0] , x[1],\ty\n 1 ,0.5 , 2\n-0.25,\t1e-2,0\n3E1,-0,-1.5"),
                csv("quoted.csv", "\"x[0]\",x[1],y\n\"1\",0.5,2\n-0.25,1e-2,\"0\"\n3E1,-0,-1.5\n"))) {
            CliTest.Run r = train(p);
            assertEquals(0, r.code(), p + ": " + r.err());
            assertEquals(expected, r.out(), p.toString());
        }
    }

    static Stream<Arguments> notNumbers() {
        return Stream.of(
                Arguments.of("1d", "'1d' is not a number"),
                Arguments.of("2f", "'2f' is not a number"),
                Arguments.of("+1", "'+1' is not a number"),
                Arguments.of("0x10", "'0x10' is not a number"),
                Arguments.of(".5", "'.5' is not a number"),
                Arguments.of("1.", "'1.' is not a number"),
                Arguments.of("01", "'01' is not a number (a leading zero)"),
                Arguments.of("1\u0000", "'1?' is not a number"),
                Arguments.of("\u00001", "'?1' is not a number"),
                Arguments.of("1 2", "'1 2' is not a number"),
                Arguments.of("", "'' is empty, not a number"),
                Arguments.of("nan", "'nan' is not a number: NaN is not accepted, only finite numbers"),
                Arguments.of("NaN", "'NaN' is not a number: NaN is not accepted, only finite numbers"),
                Arguments.of("inf", "'inf' is not a number: infinities are not accepted, only finite numbers"),
                Arguments.of("-Infinity", "'-Infinity' is not a number: infinities are not accepted, only finite numbers"),
                Arguments.of("1e400", "'1e400' is out of range for a double (the largest is 1.7976931348623157E308)"));
    }

    @ParameterizedTest
    @MethodSource("notNumbers")
    void numbersFollowJsonsGrammar(String cell, String message) throws IOException {
        Path p = csv("bad.csv", "x[0],x[1],y\n1,2,3\n\n0.5," + cell + ",1\n");
        CliTest.Run r = train(p);
        assertEquals(1, r.code());
        assertEquals(p + ":4: error: column 'x[1]': " + message + "\n", r.err());
    }

    @Test
    void aHugeCellIsQuotedInAboutAHundredCharacters() throws IOException {
        Path p = csv("huge.csv", "x[0],x[1],y\n1,2,3\n1," + "7".repeat(20_000_000) + "x,3\n");
        CliTest.Run r = train(p);
        assertEquals(1, r.code());
        assertEquals(p + ":3: error: column 'x[1]': '" + "7".repeat(100) + "…' is not a number\n", r.err());
        Path name = csv("name.csv", "x[0],x[1],y," + "z".repeat(1_000_000) + "\n1,2,3,4\n");
        r = train(name);
        assertEquals(1, r.code());
        assertTrue(r.err().length() < 300, r.err().length() + " characters");
        assertTrue(r.err().startsWith(name + ":1: error: column '" + "z".repeat(100) + "…' is not a column of any input"), r.err());
    }

    @Test
    void malformedCsvIsDescribedInLosscsWords() throws IOException {
        Path open = csv("open.csv", "x[0],x[1],y\n1,2,3\n1,\"2,3\n4,5,6\n");
        CliTest.Run r = train(open);
        assertEquals(1, r.code());
        assertEquals(open + ":3: error: a quoted value opened on this line is not closed before the end of the file\n", r.err());
        Path after = csv("after.csv", "x[0],x[1],y\n1,\"2\"x,3\n");
        r = train(after);
        assertEquals(1, r.code());
        assertEquals(after + ":2: error: a quoted value is followed by other characters before the next comma\n", r.err());
        Path twice = csv("twice.csv", "x[0],x[1],x[0],y\n1,2,3,4\n");
        assertEquals(twice + ":1: error: column 'x[0]' appears twice\n", train(twice).err());
        Path empty = csv("empty.csv", "x[0],,x[1],y\n1,2,3,4\n");
        assertEquals(empty + ":1: error: column 2 of the header has no name\n", train(empty).err());
        Path multi = csv("multi.csv", "x[0],x[1],y\n1,\"2\n\n\",3\n");
        assertEquals(multi + ":2: error: column 'x[1]': '2??' is not a number\n", train(multi).err());
        for (Path p : List.of(open, after, twice, empty, multi)) {
            String err = train(p).err();
            assertFalse(err.contains("org.apache") || err.contains("Exception") || err.contains("CSV"), err);
        }
    }

    /** Mapping columns to inputs is one lookup per column: 50,000 columns of one input read correctly. */
    @Test
    void manyColumnsMapToTheirInputs() throws IOException {
        int n = 50_000;
        Path wide = Files.writeString(tmp.resolve("wide.loss"), "dim N = " + n + ";\ninput x[N];\nparam w[N];\nloss (dot(w, x) - 1) ^ 2;\n");
        StringBuilder s = new StringBuilder();
        // The header in reverse order: each name is found wherever it is.
        for (int j = n - 1; j >= 0; j--) {
            s.append("x[").append(j).append(']').append(j == 0 ? "\n" : ",");
        }
        for (int j = n - 1; j >= 0; j--) {
            s.append(j == 7 ? "1" : "0").append(j == 0 ? "\n" : ",");
        }
        Path data = csv("wide.csv", s.toString());
        Path out = tmp.resolve("w.json");
        CliTest.Run r = HostileCliTest.lossc("train", wide.toString(), "--data", data.toString(), "--epochs", "1", "--lr", "0.5",
                "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        // One step of 0.5 from w = 0 on (w[7] - 1)^2 sets w[7] to 1 and leaves the rest at 0.
        String params = Files.readString(out);
        assertTrue(params.startsWith("{\n  \"w\": [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0,"), params.substring(0, 80));
    }

    // ------------------------------------------------------------------ JSON

    private CliTest.Run eval(String json) throws IOException {
        Path values = Files.writeString(tmp.resolve("v.json"), json);
        return HostileCliTest.lossc("eval", model.toString(), "--values", values.toString());
    }

    @Test
    void aJsonByteOrderMarkIsAccepted() throws IOException {
        String json = "{\"x\": [1, 2], \"y\": 0.5, \"w\": [0.1, 0.2]}";
        String plain = eval(json).out();
        assertTrue(plain.startsWith("{\"loss\": "), plain);
        assertEquals(plain, eval("\uFEFF" + json).out());
    }

    @Test
    void aNumberBeyondADoubleIsAnErrorAtItsPlace() throws IOException {
        CliTest.Run r = eval("{\"x\": [1, 2],\n \"y\": 0.5,\n \"w\": [0.1, 1e400]}");
        assertEquals(1, r.code());
        assertEquals(tmp.resolve("v.json") + ":3:13: error: the value of 'w' holds 1e400, which is out of range for a double "
                + "(the largest is 1.7976931348623157E308) [V009]\n \"w\": [0.1, 1e400]}\n            ^\n", r.err());
        // The same in a params file.
        Path params = Files.writeString(tmp.resolve("p.json"), "{\"w\": [-1e999, 0]}");
        Path inputs = Files.writeString(tmp.resolve("in.json"), "{\"x\": [1, 2], \"y\": 0.5}");
        r = HostileCliTest.lossc("eval", model.toString(), "--values", inputs.toString(), "--params", params.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith(params + ":1:8: error: the value of 'w' holds -1e999"), r.err());
    }

    static Stream<Arguments> badJson() {
        return Stream.of(
                Arguments.of("{\"x\": [1, 2,}", "1:13: error: invalid JSON: unexpected character '}' [V001]"),
                Arguments.of("{\"x\": [1, tru]}", "1:11: error: invalid JSON: 'tru' is not a JSON value (expected a number, a string, an array or an object) [V001]"),
                Arguments.of("{\"x\": [1, NaN]}", "1:14: error: invalid JSON: NaN and infinities are written as strings in JSON: \"NaN\", \"Infinity\", \"-Infinity\" [V001]"),
                Arguments.of("{\"x\": [01]}", "1:9: error: invalid JSON: not a valid JSON number [V001]"),
                Arguments.of("{x: 1}", "1:2: error: invalid JSON: unexpected character 'x' [V001]"),
                Arguments.of("{\"x\": [1", "1:9: error: invalid JSON: the file ends inside an object or array [V001]"),
                Arguments.of("{\"x\": " + "[".repeat(40) + "1" + "]".repeat(40) + "}", "error: invalid JSON: arrays nested more than 32 levels deep [V001]"));
    }

    @ParameterizedTest
    @MethodSource("badJson")
    void malformedJsonIsDescribedInLosscsWords(String json, String message) throws IOException {
        CliTest.Run r = eval(json);
        assertEquals(1, r.code());
        String first = r.err().lines().findFirst().orElse("");
        assertTrue(first.startsWith(tmp.resolve("v.json") + ":"), first);
        assertTrue(first.endsWith(message), first);
        for (String jackson : List.of("code 1", "was expecting", "Unexpected character", "jackson", "Exception", "Source:")) {
            assertFalse(r.err().contains(jackson), r.err());
        }
    }
}
