package dev.lossc.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lossc.types.Precision;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generator behind the goals: packages from folders, incrementality, deletion, errors. */
class LossGeneratorTest {
    @TempDir
    Path base;

    final List<String> errors = new ArrayList<>();

    private LossGenerator.Report run(String packageName, List<String> excludes) throws IOException {
        return run(packageName, excludes, CompilerFingerprint.value());
    }

    private LossGenerator.Report run(String packageName, List<String> excludes, String compiler) throws IOException {
        return run(packageName, excludes, compiler, false);
    }

    private LossGenerator.Report run(String packageName, List<String> excludes, String compiler, boolean simd) throws IOException {
        return run(packageName, excludes, compiler, simd, Precision.DOUBLE);
    }

    private LossGenerator.Report run(String packageName, List<String> excludes, String compiler, boolean simd, Precision precision)
            throws IOException {
        errors.clear();
        LossGenerator.Settings s = new LossGenerator.Settings(base, base.resolve("src/main/loss"), base.resolve("target/gen"),
                base.resolve("target/state.properties"), List.of("**/*.loss"), excludes, packageName, simd, precision);
        return new LossGenerator(s, new LossGenerator.Log() {
            public void info(String line) {
            }

            public void error(String line) {
                errors.add(line);
            }
        }, compiler).run();
    }

    private LossGenerator.Report run() throws IOException {
        return run(null, List.of());
    }

    private Path source(String rel, String text) throws IOException {
        Path p = base.resolve("src/main/loss").resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        return p;
    }

    private Path out(String rel) {
        return base.resolve("target/gen").resolve(rel);
    }

    @Test
    void simdIsAnOptionOfTheBuild() throws IOException {
        source("big.loss", "dim B = 4, D = 20, H = 32;\ninput X[B, D];\nparam W[D, H];\nloss sum(tanh(X @ W));\n");
        assertEquals(1, run().generated());
        assertFalse(Files.readString(out("Big.java")).contains("gemm("));
        LossGenerator.Report r = run(null, List.of(), CompilerFingerprint.value(), true);
        assertEquals(1, r.generated(), "switching simd on regenerates");
        assertTrue(Files.readString(out("Big.java")).contains("gemm("), "the class uses the kernel");
        assertEquals(1, run(null, List.of(), CompilerFingerprint.value(), true).upToDate());
        assertEquals(1, run().generated(), "and switching it off again too");
        assertFalse(Files.readString(out("Big.java")).contains("gemm("));
    }

    @Test
    void precisionIsAnOptionOfTheBuild() throws IOException {
        source("net.loss", "dim D = 3;\ninput x[D];\nparam w[D];\nloss dot(w, x) * dot(w, x);\n");
        assertEquals(1, run().generated());
        assertTrue(Files.readString(out("Net.java")).contains("public double[] parameters()"));
        LossGenerator.Report r = run(null, List.of(), CompilerFingerprint.value(), false, Precision.FLOAT);
        assertEquals(1, r.generated(), "switching to float regenerates");
        assertTrue(Files.readString(out("Net.java")).contains("public float[] parameters()"), "the class is in float");
        assertEquals(1, run(null, List.of(), CompilerFingerprint.value(), false, Precision.FLOAT).upToDate());
        assertEquals(1, run().generated(), "and switching back too");
        assertTrue(Files.readString(out("Net.java")).contains("public double[] parameters()"));
    }

    @Test
    void derivativesAreAnOptionOfTheBuild() throws IOException {
        source("net.loss", "dim D = 3;\ninput x[D];\nparam w[D];\noutput s = tanh(dot(w, x));\nloss dot(w, x) * dot(w, x);\n");
        assertEquals(1, run().generated());
        assertFalse(Files.readString(out("Net.java")).contains(" hvp("));
        LossGenerator.Settings s = new LossGenerator.Settings(base, base.resolve("src/main/loss"), base.resolve("target/gen"),
                base.resolve("target/state.properties"), List.of("**/*.loss"), List.of(), null, false, Precision.DOUBLE, false,
                java.util.EnumSet.of(dev.lossc.LossCompiler.Derivative.HVP, dev.lossc.LossCompiler.Derivative.JACOBIAN));
        LossGenerator.Report r = new LossGenerator(s, new LossGenerator.Log() {
            public void info(String line) {
            }

            public void error(String line) {
                errors.add(line);
            }
        }, CompilerFingerprint.value()).run();
        assertEquals(1, r.generated(), "asking for derivatives regenerates");
        String java = Files.readString(out("Net.java"));
        assertTrue(java.contains("public double hvp(") && java.contains("public double[] s_jacobian("), "the class has them");
        assertFalse(java.contains("public double jvp("), "and only those asked for");
        assertEquals(1, run().generated(), "and dropping them too");
        assertFalse(Files.readString(out("Net.java")).contains(" hvp("));
    }

    @Test
    void packagesComeFromFolders() throws IOException {
        source("top.loss", "param w;\nloss w * w;\n");
        source("com/acme/deep/net.loss", "param w;\nloss w * w;\n");
        LossGenerator.Report r = run();
        assertEquals(2, r.generated());
        assertTrue(Files.readString(out("Top.java")).contains("public final class Top"));
        assertTrue(Files.readString(out("com/acme/deep/Net.java")).contains("package com.acme.deep;"));
    }

    @Test
    void packageNameOverridesFolders() throws IOException {
        source("a/b/net.loss", "param w;\nloss w * w;\n");
        run("org.example", List.of());
        assertTrue(Files.readString(out("org/example/Net.java")).contains("package org.example;"));
    }

    @Test
    void sameBytesAsTheCommandLine() throws IOException {
        Path repoExamples = dev.lossc.testing.Repo.examples();
        for (String name : List.of("rnn.loss", "worked_example.loss", "relu_mlp.loss")) {
            Files.createDirectories(base.resolve("src/main/loss/x/y"));
            Files.copy(repoExamples.resolve(name), base.resolve("src/main/loss/x/y").resolve(name));
        }
        run();
        Path cliOut = base.resolve("cli");
        java.io.StringWriter err = new java.io.StringWriter();
        int code = dev.lossc.cli.Main.run(new String[] {"compile", "--package", "x.y", "-d", cliOut.toString(),
                repoExamples.resolve("rnn.loss").toString(), repoExamples.resolve("worked_example.loss").toString(),
                repoExamples.resolve("relu_mlp.loss").toString()}, new java.io.PrintWriter(new java.io.StringWriter()), new java.io.PrintWriter(err));
        assertEquals(0, code, err.toString());
        for (String cls : List.of("Rnn", "WorkedExample", "ReluMlp")) {
            assertEquals(Files.readString(cliOut.resolve("x/y/" + cls + ".java")), Files.readString(out("x/y/" + cls + ".java")), cls);
        }
    }

    @Test
    void secondRunWritesNothing() throws IOException {
        source("a.loss", "param w;\nloss w * w;\n");
        source("p/b.loss", "param w;\nloss w * w * w;\n");
        assertEquals(2, run().generated());
        FileTime old = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(out("A.java"), old);
        Files.setLastModifiedTime(out("p/B.java"), old);
        LossGenerator.Report second = run();
        assertEquals(0, second.generated());
        assertEquals(2, second.upToDate());
        assertEquals(old, Files.getLastModifiedTime(out("A.java")));
        assertEquals(old, Files.getLastModifiedTime(out("p/B.java")));
    }

    @Test
    void aChangedCompilerRegeneratesEverythingButRewritesOnlyWhatDiffers() throws IOException {
        source("a.loss", "param w;\nloss w * w;\n");
        run(null, List.of(), "compiler-1");
        String generated = Files.readString(out("A.java"));
        Files.writeString(out("A.java"), generated.replace("w * w", "w * w (edited by an older compiler)"));
        Path kept = source("b.loss", "param w;\nloss w;\n");
        run(null, List.of(), "compiler-1");
        FileTime old = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(out("B.java"), old);
        assertEquals(0, run(null, List.of(), "compiler-1").generated(), "same compiler, same sources: up to date");
        LossGenerator.Report r = run(null, List.of(), "compiler-2");
        assertEquals(2, r.generated(), "a new compiler (same version number, other bytes) recompiles every source");
        assertEquals(generated, Files.readString(out("A.java")), "stale output replaced");
        assertEquals(old, Files.getLastModifiedTime(out("B.java")), "identical output left untouched");
        assertTrue(Files.exists(kept));
    }

    @Test
    void theFingerprintNamesTheVersionAndTheBytes() {
        String f = CompilerFingerprint.value();
        assertTrue(f.startsWith(dev.lossc.LossCompiler.version() + "+"), f);
        assertEquals(f, CompilerFingerprint.value());
    }

    @Test
    void aChangedSourceIsRegeneratedAndOnlyIt() throws IOException {
        Path a = source("a.loss", "param w;\nloss w * w;\n");
        source("b.loss", "param w;\nloss w;\n");
        run();
        Files.writeString(a, "param w;\nloss w * w * 2;\n");
        LossGenerator.Report r = run();
        assertEquals(1, r.generated());
        assertEquals(1, r.upToDate());
        assertTrue(Files.readString(out("A.java")).contains("2.0"));
    }

    @Test
    void aDeletedSourceTakesItsClassAlong() throws IOException {
        Path a = source("pkg/deep/a.loss", "param w;\nloss w * w;\n");
        source("b.loss", "param w;\nloss w;\n");
        run();
        assertTrue(Files.exists(out("pkg/deep/A.java")));
        Files.delete(a);
        LossGenerator.Report r = run();
        assertEquals(1, r.deleted());
        assertFalse(Files.exists(out("pkg/deep/A.java")));
        assertFalse(Files.exists(out("pkg")), "empty package folders are removed");
        assertTrue(Files.exists(out("B.java")));
    }

    @Test
    void excludedFilesAreNotCompiled() throws IOException {
        source("a.loss", "param w;\nloss w * w;\n");
        source("drafts/b.loss", "this is not valid\n");
        LossGenerator.Report r = run(null, List.of("drafts/**"));
        assertEquals(1, r.generated());
        assertEquals(0, r.errors());
    }

    @Test
    void aRenamedModelReplacesItsOldClass() throws IOException {
        Path a = source("a.loss", "model First;\nparam w;\nloss w * w;\n");
        run();
        assertTrue(Files.exists(out("First.java")));
        Files.writeString(a, "model Second;\nparam w;\nloss w * w;\n");
        run();
        assertFalse(Files.exists(out("First.java")));
        assertTrue(Files.exists(out("Second.java")));
    }

    @Test
    void everyErrorOfEveryFileIsReported() throws IOException {
        source("bad1.loss", "param w;\nloss w + x + y;\n");
        source("sub/bad2.loss", "loss q;\n");
        source("good.loss", "param w;\nloss w;\n");
        LossGenerator.Report r = run();
        assertEquals(3, r.errors());
        assertEquals(2, r.filesWithErrors());
        String sep = java.io.File.separator;
        assertTrue(errors.contains("src" + sep + "main" + sep + "loss" + sep + "bad1.loss:2:10: error: unknown name 'x' [N001]"), errors.toString());
        assertTrue(errors.contains("src" + sep + "main" + sep + "loss" + sep + "bad1.loss:2:14: error: unknown name 'y' [N001]"), errors.toString());
        assertTrue(errors.contains("src" + sep + "main" + sep + "loss" + sep + "sub" + sep + "bad2.loss:1:6: error: unknown name 'q' [N001]"), errors.toString());
        assertTrue(errors.contains("loss w + x + y;"), "the source line is shown: " + errors);
    }

    @Test
    void aFolderThatIsNotAPackageIsAnError() throws IOException {
        source("my-nets/a.loss", "param w;\nloss w;\n");
        LossGenerator.Report r = run();
        assertEquals(1, r.errors());
        assertTrue(errors.get(0).contains("error: the folder 'my-nets' is not a valid Java package name"), errors.toString());
    }

    @Test
    void twoFilesForOneClassIsAnErrorThatNamesBoth() throws IOException {
        source("a.loss", "model Same;\nparam w;\nloss w;\n");
        source("b.loss", "model Same;\nparam w;\nloss w;\n");
        assertEquals(2, run().errors());
        assertEquals(List.of("src/main/loss/a.loss:1:1: error: class Same is also generated from src/main/loss/b.loss",
                "src/main/loss/b.loss:1:1: error: class Same is also generated from src/main/loss/a.loss"), errors);
        assertFalse(Files.exists(out("Same.java")), "neither source's class is written");
    }

    /** The incremental build sees a duplicate added to a source set that was up to date, and its removal. */
    @Test
    void aDuplicateAddedAndRemovedIncrementallyIsTheCleanBuildsError() throws IOException {
        Path iris = source("iris.loss", "model Iris;\nparam w;\nloss w * w;\n");
        assertEquals(1, run().generated());
        String real = Files.readString(out("Iris.java"));
        Path dup = source("dup_iris.loss", "model Iris;\nparam v[2];\nloss sum(v);\n");
        LossGenerator.Report r = run();
        assertEquals(2, r.errors(), errors.toString());
        assertEquals(List.of("src/main/loss/dup_iris.loss:1:1: error: class Iris is also generated from src/main/loss/iris.loss",
                "src/main/loss/iris.loss:1:1: error: class Iris is also generated from src/main/loss/dup_iris.loss"), errors);
        assertFalse(Files.exists(out("Iris.java")), "no class of either: which one is meant is the user's to say");
        assertEquals(2, run().errors(), "a second build fails the same way");
        Files.delete(dup);
        r = run();
        assertEquals(0, r.errors(), errors.toString());
        assertEquals(1, r.generated());
        assertEquals(real, Files.readString(out("Iris.java")), "the real source's class is back");
        assertEquals(1, run().upToDate());
        assertTrue(Files.exists(iris));
    }

    @Test
    void aCaseClashIncrementallyIsAnErrorThatNamesBoth() throws IOException {
        source("a.loss", "model Iris;\nparam w;\nloss w;\n");
        assertEquals(1, run().generated());
        source("b.loss", "model IRIS;\nparam w;\nloss w;\n");
        assertEquals(2, run().errors());
        assertEquals(List.of("src/main/loss/a.loss:1:1: error: class Iris and class IRIS (from src/main/loss/b.loss) differ only in case: "
                        + "on macOS and Windows they are one file",
                "src/main/loss/b.loss:1:1: error: class IRIS and class Iris (from src/main/loss/a.loss) differ only in case: "
                        + "on macOS and Windows they are one file"), errors);
        assertFalse(Files.exists(out("Iris.java")) || Files.exists(out("IRIS.java")), "nothing stale is left");
    }

    @Test
    void aSourceWithErrorsLosesItsPreviousClass() throws IOException {
        Path a = source("a.loss", "param w;\nloss w;\n");
        assertEquals(1, run().generated());
        Files.writeString(a, "param w;\nloss q;\n");
        assertEquals(1, run().errors());
        assertFalse(Files.exists(out("A.java")), "a clean build would not have it either");
        Files.writeString(a, "param w;\nloss w;\n");
        assertEquals(1, run().generated());
    }

    @Test
    void aClassThatWouldReplaceADirectoryIsRefusedAndTheDirectoryKept() throws IOException {
        source("a.loss", "param w;\nloss w;\n");
        Files.createDirectories(out("A.java/inside"));
        LossGenerator.Report r = run();
        assertEquals(1, r.errors());
        assertEquals(List.of(out("A.java") + ": error: cannot write: it is a directory [W001] (the class of src/main/loss/a.loss)"), errors);
        assertTrue(Files.isDirectory(out("A.java/inside")));
    }

    @Test
    void anInvalidPackageNameIsAnError() throws IOException {
        source("a.loss", "param w;\nloss w;\n");
        assertEquals(1, run("com.1bad", List.of()).errors());
        assertEquals(List.of("lossc: packageName 'com.1bad' is not a valid Java package name"), errors);
        assertFalse(Files.exists(out("A.java")));
    }

    @Test
    void noSourceDirectoryIsNotAnError() throws IOException {
        LossGenerator.Report r = run();
        assertEquals(0, r.generated() + r.errors());
    }

    @Test
    void aPipeInTheSourceFolderIsAnErrorNotAHang() throws Exception {
        source("good.loss", "param w;\nloss w * w;\n");
        Path fifo = base.resolve("src/main/loss/stray.loss");
        try {
            org.junit.jupiter.api.Assumptions.assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0);
        } catch (IOException e) {
            org.junit.jupiter.api.Assumptions.assumeTrue(false, "no mkfifo");
        }
        LossGenerator.Report r = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(30), () -> run());
        assertEquals(1, r.errors());
        assertEquals(1, r.generated());
        assertEquals(List.of("src/main/loss/stray.loss: error: not a regular file (a device, pipe or socket) [L005]"), errors);
    }

    @Test
    void classesDifferingOnlyInCaseAreOneFileOnSomeSystems() throws IOException {
        source("a.loss", "model Net;\nparam w;\nloss w;\n");
        source("b.loss", "model NET;\nparam w;\nloss w;\n");
        assertEquals(2, run().errors());
        assertTrue(errors.get(1).contains("b.loss:1:1: error: class NET and class Net (from src/main/loss/a.loss) differ only in case"), errors.toString());
        assertFalse(Files.exists(out("Net.java")) || Files.exists(out("NET.java")));
    }

    @Test
    void aModelNameThatCannotBeAFileIsADiagnostic() throws IOException {
        source("nul.loss", "param w;\nloss w;\n");
        assertEquals(1, run().errors());
        assertTrue(errors.get(0).startsWith("src/main/loss/nul.loss:1:1: error: model name 'Nul' cannot name a file on every platform"), errors.toString());
    }
}
