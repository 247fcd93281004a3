package dev.lossc.cli;

import static dev.lossc.cli.CliTest.lossc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An int matrix on the command line: a values file nests its rows, a CSV row holds one row of it; bad ids are named where they are. */
class IntMatrixCliTest {
    @TempDir
    Path tmp;

    private static final String MODEL = CliTest.EXAMPLES.resolve("lstm_lm.loss").toString();

    @Test
    void aValuesFileNestsTheRowsAndABadIdIsNamedByRowAndColumn() throws Exception {
        CliTest.Run ok = lossc("eval", MODEL, "--values", CliTest.EXAMPLES.resolve("lstm_lm.json").toString());
        assertEquals(0, ok.code(), ok.err());
        assertTrue(ok.out().startsWith("{\"loss\": "), ok.out());
        Path bad = tmp.resolve("bad.json");
        Files.writeString(bad, "{\"toks\": [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], [0, 1, 16, 3, 4, 5, 6, 7, 8, 9, 10, 11]]}");
        CliTest.Run r = lossc("eval", MODEL, "--values", bad.toString(), "--seed", "1");
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith(bad + ":1:2: error: int input 'toks' takes integers in 0..15, but element [1][2] is 16 [V007]"), r.err());
    }

    @Test
    void aCsvRowIsOneRowOfTheMatrix() throws Exception {
        Path data = tmp.resolve("seq.csv");
        StringBuilder s = new StringBuilder();
        for (int t = 0; t < 12; t++) {
            s.append(t == 0 ? "" : ",").append("toks[").append(t).append(']');
        }
        s.append("\n0,1,2,3,4,5,6,7,8,9,10,11\n5,6,7,8,9,10,11,12,13,14,15,0\n");
        Files.writeString(data, s);
        CliTest.Run r = lossc("train", MODEL, "--data", data.toString(), "--epochs", "2");
        assertEquals(0, r.code(), r.out() + r.err());
        Files.writeString(data, s.toString().replace("13,14", "13,17"));
        CliTest.Run bad = lossc("train", MODEL, "--data", data.toString(), "--epochs", "2");
        assertEquals(1, bad.code());
        assertEquals(data + ":3: error: column 'toks[9]': 17 is outside the valid range 0..15 of input toks\n", bad.err());
    }
}
