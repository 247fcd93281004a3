package dev.lossc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Help that reads as sentences: whole summaries, whole descriptions, every exit code. */
class HelpTest {
    private static final List<String> COMMANDS = List.of("compile", "check", "eval", "gradcheck", "train", "graph");

    /** The text with its line breaks and indentation folded into single spaces, as a reader takes it in. */
    private static String unwrapped(String text) {
        return text.replaceAll("\\s+", " ");
    }

    private static Map<String, CommandLine> commands() {
        return new CommandLine(new Main()).getSubcommands();
    }

    @Test
    void theCommandListHasEveryCommandsWholeSummary() {
        CliTest.Run r = CliTest.lossc("--help");
        assertEquals(0, r.code());
        String help = unwrapped(r.out());
        for (String name : COMMANDS) {
            String[] header = commands().get(name).getCommandSpec().usageMessage().header();
            assertEquals(1, header.length, name + ": one summary sentence");
            assertTrue(header[0].endsWith("."), name + ": " + header[0]);
            assertTrue(help.contains(name + " " + header[0]), name + " is listed with its whole summary:\n" + r.out());
        }
    }

    @Test
    void everyCommandsHelpHasItsWholeDescriptionAndEveryExitCode() {
        for (String name : COMMANDS) {
            CliTest.Run r = CliTest.lossc(name, "--help");
            assertEquals(0, r.code(), name);
            String help = unwrapped(r.out());
            for (String paragraph : commands().get(name).getCommandSpec().usageMessage().description()) {
                assertTrue(paragraph.endsWith("."), name + ": a description is sentences: " + paragraph);
                assertTrue(help.contains(unwrapped(paragraph)), name + ": the description is whole:\n" + r.out());
            }
            for (String code : List.of("0 Success.", "1 The input has errors", "2 Usage error", "3 Internal error", "4 gradcheck:")) {
                assertTrue(help.contains("Exit codes: ") && help.contains(code), name + " lists exit code " + code + ":\n" + r.out());
            }
            // No line of an option's description breaks a word: every line ends at a word's end.
            for (String line : r.out().split("\n")) {
                assertTrue(line.length() <= 80, name + ": a line wider than 80 columns: " + line);
            }
        }
    }

    @Test
    void helpForAnUnknownCommandIsAUsageError() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new String[] {"frobnicate"}, new PrintWriter(out), new PrintWriter(err));
        assertEquals(Main.USAGE, code);
        assertTrue(err.toString().startsWith("lossc: error: Unmatched argument at index 0: 'frobnicate'"), err.toString());
        assertTrue(err.toString().endsWith("Try 'lossc --help' for more information.\n"), err.toString());
    }
}
