package dev.lossc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The write side: every file lossc writes goes through one policy. Each case gives its exact
 * message and exit code, and leaves the file system as it was (every entry under the test's
 * folder: its kind, its link target, its bytes).
 */
class WriteSideTest {
    @TempDir
    Path tmp;

    Path model;
    Path data;

    @BeforeEach
    void files() throws IOException {
        model = Files.writeString(tmp.resolve("fit.loss"), "input x[2];\ninput y;\nparam w[2];\nparam b;\nloss (dot(w, x) + b - y) ^ 2;\n");
        StringBuilder csv = new StringBuilder("x[0],x[1],y\n");
        for (int i = 0; i < 20; i++) {
            csv.append(i % 5 * 0.1).append(',').append(i % 3 * 0.2).append(',').append(0.3 * (i % 5) - 0.1 * (i % 3)).append('\n');
        }
        data = Files.writeString(tmp.resolve("data.csv"), csv);
    }

    private CliTest.Run lossc(String... args) {
        return HostileCliTest.lossc(args);
    }

    /** What the folder holds: per entry, its kind and its bytes' digest or its link's target. */
    private Map<String, String> snapshot() throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> all = Files.walk(tmp)) {
            for (Path p : all.toList()) {
                String kind;
                if (Files.isSymbolicLink(p)) {
                    kind = "link -> " + Files.readSymbolicLink(p);
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    kind = "dir";
                } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    kind = "file " + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
                } else {
                    kind = "special " + Files.getAttribute(p, "unix:mode");
                }
                out.put(tmp.relativize(p).toString(), kind);
            }
        }
        return out;
    }

    private void refused(String expectedErr, String... args) throws Exception {
        Map<String, String> before = snapshot();
        CliTest.Run r = lossc(args);
        assertEquals(1, r.code(), r.out() + r.err());
        assertEquals(expectedErr, r.err());
        assertEquals("", r.out(), "refused before any work: nothing printed");
        assertEquals(before, snapshot(), "the file system is unchanged");
    }

    private Path fifo(String name) throws Exception {
        Path f = tmp.resolve(name);
        try {
            assumeTrue(new ProcessBuilder("mkfifo", f.toString()).start().waitFor() == 0);
        } catch (IOException e) {
            assumeTrue(false, "no mkfifo");
        }
        return f;
    }

    @Test
    void aFifoIsNeverReplaced() throws Exception {
        Path f = fifo("pipe.json");
        String err = f + ": error: cannot write: it is a FIFO (named pipe), not a regular file [W002]\n";
        refused(err, "train", model.toString(), "--data", data.toString(), "--out", f.toString());
        Path svg = fifo("pipe.svg");
        refused(svg + ": error: cannot write: it is a FIFO (named pipe), not a regular file [W002]\n",
                "train", model.toString(), "--data", data.toString(), "--plot", svg.toString());
        refused(svg + ": error: cannot write: it is a FIFO (named pipe), not a regular file [W002]\n",
                "graph", model.toString(), "-o", svg.toString());
        Path out = Files.createDirectory(tmp.resolve("out"));
        Path classFile = fifo("out/Fit.java");
        refused(classFile + ": error: cannot write: it is a FIFO (named pipe), not a regular file [W002]\nnothing written\n",
                "compile", model.toString(), "-d", out.toString());
    }

    /** A device node, made here (never /dev itself): only when the test runs as root. */
    @Test
    void aDeviceIsNeverReplaced() throws Exception {
        Path dev = tmp.resolve("null.json");
        try {
            assumeTrue(new ProcessBuilder("mknod", dev.toString(), "c", "1", "3").start().waitFor() == 0, "mknod needs root");
        } catch (IOException e) {
            assumeTrue(false, "no mknod");
        }
        refused(dev + ": error: cannot write: it is a character device, not a regular file [W002]\n",
                "train", model.toString(), "--data", data.toString(), "--out", dev.toString());
        Path svg = tmp.resolve("null.svg");
        Files.move(dev, svg);
        refused(svg + ": error: cannot write: it is a character device, not a regular file [W002]\n",
                "train", model.toString(), "--data", data.toString(), "--plot", svg.toString());
    }

    @Test
    void aDirectoryIsNeverReplaced() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("params.json/inside"));
        refused(dir.getParent() + ": error: cannot write: it is a directory [W001]\n",
                "train", model.toString(), "--data", data.toString(), "--out", dir.getParent().toString());
    }

    @Test
    void anOutputThatIsAnInputIsRefused() throws Exception {
        // Data in a file named like a params file: the name does not make it an output.
        Path jsonData = Files.copy(data, tmp.resolve("data.json"));
        refused(jsonData + ": error: cannot write: it is also the training data (--data), which this command reads [W003]\n",
                "train", model.toString(), "--data", jsonData.toString(), "--out", jsonData.toString());
        // By real path: another spelling of the same file, and a symbolic link to it.
        Path other = tmp.resolve("sub/../data.json");
        Files.createDirectories(tmp.resolve("sub"));
        refused(other + ": error: cannot write: it is also the training data (--data), which this command reads [W003]\n",
                "train", model.toString(), "--data", jsonData.toString(), "--out", other.toString());
        Path link = Files.createSymbolicLink(tmp.resolve("link.json"), data.getFileName());
        refused(link + ": error: cannot write: it is also the training data (--data), which this command reads [W003]\n",
                "train", model.toString(), "--data", data.toString(), "--out", link.toString());
        Path hard = Files.createLink(tmp.resolve("hard.json"), data);
        refused(hard + ": error: cannot write: it is also the training data (--data), which this command reads [W003]\n",
                "train", model.toString(), "--data", data.toString(), "--out", hard.toString());
        Path init = Files.writeString(tmp.resolve("init.json"), "{\"w\": [0, 0], \"b\": 0}");
        refused(init + ": error: cannot write: it is also the initial parameters (--init), which this command reads [W003]\n",
                "train", model.toString(), "--data", data.toString(), "--init", init.toString(), "--out", init.toString());
        // graph -o naming its own model; compile writing a class over its source.
        Path dotModel = Files.copy(model, tmp.resolve("net.dot"));
        refused(dotModel + ": error: cannot write: it is also the model, which this command reads [W003]\n",
                "graph", dotModel.toString(), "-o", dotModel.toString());
        Path javaSource = Files.writeString(tmp.resolve("Fit.java"), "model Fit;\nparam w;\nloss w * w;\n");
        refused(javaSource + ": error: cannot write: it is also the source " + javaSource + ", which this command reads [W003]\nnothing written\n",
                "compile", javaSource.toString(), "-d", tmp.toString());
    }

    @Test
    void twoOutputsOnOneFileAreRefused() throws Exception {
        Path params = Files.writeString(tmp.resolve("p.json"), "{}");
        Path plot = Files.createSymbolicLink(tmp.resolve("p.svg"), params.getFileName());
        refused(plot + ": error: cannot write: it is also the parameters (--out), which this command writes [W004]\n",
                "train", model.toString(), "--data", data.toString(), "--out", params.toString(), "--plot", plot.toString());
        Path log = Files.createSymbolicLink(tmp.resolve("p.csv"), params.getFileName());
        refused(log + ": error: cannot write: it is also the parameters (--out), which this command writes [W004]\n",
                "train", model.toString(), "--data", data.toString(), "--out", params.toString(), "--log", log.toString());
        // Nor may an output be the state file written beside --out.
        Path state = Files.writeString(tmp.resolve("q.state.safetensors"), "");
        Path link = Files.createSymbolicLink(tmp.resolve("q.svg"), state.getFileName());
        refused(tmp.resolve("q.state.safetensors") + ": error: cannot write: it is also the plot (--plot), which this command writes [W004]\n",
                "train", model.toString(), "--data", data.toString(), "--out", tmp.resolve("q.json").toString(), "--plot", link.toString());
    }

    @Test
    void anOutputInAFolderThatCannotBeWrittenIsRefusedBeforeTraining() throws Exception {
        Path blocker = Files.writeString(tmp.resolve("blocker"), "not a folder");
        refused(blocker.resolve("p.json") + ": error: cannot write: " + blocker + " is not a folder [W005]\n",
                "train", model.toString(), "--data", data.toString(), "--out", blocker.resolve("p.json").toString());
        refused(blocker.resolve("curve.svg") + ": error: cannot write: " + blocker + " is not a folder [W005]\n",
                "train", model.toString(), "--data", data.toString(), "--epochs", "100000", "--plot", blocker.resolve("curve.svg").toString());
    }

    /**
     * A folder that cannot be written: by its mode for another user; as root, whom modes do not stop,
     * by the immutable attribute ({@code chattr +i}) where the file system has it.
     */
    @Test
    void anOutputInAReadOnlyFolderIsRefusedBeforeTraining() throws Exception {
        Path locked = Files.createDirectory(tmp.resolve("locked"));
        boolean immutable = false;
        Files.setPosixFilePermissions(locked, java.nio.file.attribute.PosixFilePermissions.fromString("r-xr-xr-x"));
        if (Files.isWritable(locked)) {
            try {
                immutable = new ProcessBuilder("chattr", "+i", locked.toString()).start().waitFor() == 0;
            } catch (IOException e) {
                immutable = false;
            }
        }
        try {
            assumeFalse(Files.isWritable(locked), "neither the mode nor chattr +i makes a folder read-only here");
            refused(locked.resolve("p.json") + ": error: cannot write: the folder " + locked + " cannot be written (permission denied) [W005]\n",
                    "train", model.toString(), "--data", data.toString(), "--out", locked.resolve("p.json").toString());
        } finally {
            if (immutable) {
                new ProcessBuilder("chattr", "-i", locked.toString()).start().waitFor();
            }
            Files.setPosixFilePermissions(locked, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    private static void assumeFalse(boolean b, String why) {
        assumeTrue(!b, why);
    }

    /** GNU tools write through a symbolic link: the file it leads to gets the parameters, the link stays a link. */
    @Test
    void aSymbolicLinkIsWrittenThrough() throws Exception {
        Path real = Files.writeString(tmp.resolve("real.json"), "{}");
        Path link = Files.createSymbolicLink(tmp.resolve("params.json"), real.getFileName());
        CliTest.Run r = lossc("train", model.toString(), "--data", data.toString(), "--epochs", "2", "--out", link.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.isSymbolicLink(link));
        assertTrue(Files.readString(real).contains("\"w\": ["), Files.readString(real));
        Path dangling = Files.createSymbolicLink(tmp.resolve("dangling.json"), tmp.resolve("nowhere/p.json"));
        refused(dangling + ": error: cannot write: it is a symbolic link to a missing file (" + tmp.resolve("nowhere/p.json") + ") [W005]\n",
                "train", model.toString(), "--data", data.toString(), "--out", dangling.toString());
    }

    /** A second run writing the same --out fails at once, while the first is still training. */
    @Test
    void aSecondWriterOfOneOutFailsFast() throws Exception {
        Path out = tmp.resolve("params.json");
        try (dev.lossc.OutputFiles.Lock first = dev.lossc.OutputFiles.lock(out)) {
            CliTest.Run r = lossc("train", model.toString(), "--data", data.toString(), "--out", out.toString());
            assertEquals(1, r.code());
            assertEquals(out + ": error: cannot write: another lossc process is writing it (it holds the lock .params.json.lossc-lock) [W006]\n",
                    r.err());
            assertEquals("", r.out());
        }
        assertEquals(0, lossc("train", model.toString(), "--data", data.toString(), "--epochs", "1", "--out", out.toString()).code());
        try (Stream<Path> files = Files.list(tmp)) {
            assertEquals(List.of(), files.filter(p -> p.getFileName().toString().startsWith(".")).toList(), "no lock or temporary file left");
        }
    }
}
