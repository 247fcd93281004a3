package dev.lossc.maven;

import dev.lossc.types.Precision;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;

/**
 * The two goals, which differ only in their {@link Scope}: parameters, the run, error reporting.
 * Thin: the work is {@link LossGenerator}'s.
 */
abstract class AbstractLosscMojo extends AbstractMojo {
    /** Which sources a goal generates: the main ones or the test ones. */
    enum Scope {
        MAIN("generate", "main", "generated-sources"),
        TEST("generate-test", "test", "generated-test-sources");

        final String goal;
        final String folder;
        final String generated;

        Scope(String goal, String folder, String generated) {
            this.goal = goal;
            this.folder = folder;
            this.generated = generated;
        }
    }

    private final Scope scope;

    AbstractLosscMojo(Scope scope) {
        this.scope = scope;
    }

    /** Where the .loss files are: {@code src/main/loss} (for {@code generate-test}, {@code src/test/loss}) by default. */
    @Parameter
    protected File sourceDirectory;

    /**
     * Where the generated classes go, added as a (test) compile source root:
     * {@code target/generated-sources/lossc} ({@code target/generated-test-sources/lossc}) by default.
     */
    @Parameter
    protected File outputDirectory;
    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    protected MavenProject project;

    /** Files to compile, as patterns relative to the source directory. */
    @Parameter
    protected List<String> includes = new ArrayList<>(List.of("**/*.loss"));

    /** Files to leave out, as patterns relative to the source directory. */
    @Parameter
    protected List<String> excludes = new ArrayList<>();

    /**
     * The Java package of every generated class. When unset, a file's package is its folder under the
     * source directory ({@code src/main/loss/com/acme/net.loss} → {@code com.acme}).
     */
    @Parameter(property = "lossc.packageName")
    protected String packageName;

    /**
     * Matrix products on the incubating Vector API: the generated classes then need JDK 17 or later
     * and {@code --add-modules jdk.incubator.vector} to compile and to run (see docs/performance.md).
     */
    @Parameter(property = "lossc.simd", defaultValue = "false")
    protected boolean simd;

    /**
     * Parallel classes: {@code AutoCloseable}, with {@code setThreads(int)} (1 by default); their large
     * matrix products run split across that many threads, with the same results to the bit.
     */
    @Parameter(property = "lossc.parallel", defaultValue = "false")
    protected boolean parallel;

    /**
     * The element type of the generated classes: {@code double} (the default) or {@code float}
     * ({@code float} and {@code float[]} in their API, arithmetic in float; see docs/language.md).
     */
    @Parameter(property = "lossc.precision", defaultValue = "double")
    protected String precision;

    /**
     * The derivatives the generated classes have, of {@code grad} (always), {@code hvp}, {@code jvp}
     * and {@code jacobian}, comma-separated (see docs/language.md, section 8): {@code <derivatives>grad,hvp</derivatives>}.
     */
    @Parameter(property = "lossc.derivatives", defaultValue = "grad")
    protected String derivatives;

    /** Skips the goal. */
    @Parameter(property = "lossc.skip", defaultValue = "false")
    protected boolean skip;

    private File sourceDirectory() {
        return sourceDirectory != null ? sourceDirectory : new File(project.getBasedir(), "src/" + scope.folder + "/loss");
    }

    private File outputDirectory() {
        return outputDirectory != null ? outputDirectory : new File(project.getBuild().getDirectory(), scope.generated + "/lossc");
    }

    private void addSourceRoot(String path) {
        switch (scope) {
            case MAIN -> project.addCompileSourceRoot(path);
            case TEST -> project.addTestCompileSourceRoot(path);
        }
    }

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        if (skip) {
            getLog().info("lossc: skipped");
            return;
        }
        Precision elements = Precision.named(precision == null ? "double" : precision);
        if (elements == null) {
            throw new MojoExecutionException("lossc: <precision> must be double or float, not '" + precision + "'");
        }
        java.util.Set<dev.lossc.LossCompiler.Derivative> wanted = java.util.EnumSet.noneOf(dev.lossc.LossCompiler.Derivative.class);
        for (String d : (derivatives == null ? "grad" : derivatives).split(",")) {
            dev.lossc.LossCompiler.Derivative named = dev.lossc.LossCompiler.Derivative.named(d.strip());
            if (named == null) {
                throw new MojoExecutionException("lossc: <derivatives> takes grad, hvp, jvp and jacobian, comma-separated, not '" + d.strip() + "'");
            }
            wanted.add(named);
        }
        File out = outputDirectory();
        File stateDir = new File(project.getBuild().getDirectory(), "lossc-state");
        LossGenerator.Settings settings = new LossGenerator.Settings(
                project.getBasedir().toPath().toAbsolutePath(), sourceDirectory().toPath().toAbsolutePath(), out.toPath().toAbsolutePath(),
                stateDir.toPath().resolve(scope.goal + "-" + shortHash(out.getAbsolutePath()) + ".properties"),
                includes, excludes, packageName, simd, elements, parallel, wanted);
        LossGenerator.Report report;
        try {
            report = new LossGenerator(settings, new LossGenerator.Log() {
                @Override
                public void info(String line) {
                    getLog().info(line);
                }

                @Override
                public void error(String line) {
                    getLog().error(line);
                }
            }).run();
        } catch (IOException e) {
            throw new MojoExecutionException("lossc: " + e.getMessage(), e);
        }
        addSourceRoot(out.getPath());
        if (report.errors() > 0) {
            throw new MojoFailureException("lossc: " + report.errors() + (report.errors() == 1 ? " error" : " errors") + " in "
                    + report.filesWithErrors() + (report.filesWithErrors() == 1 ? " file" : " files"));
        }
        getLog().info("lossc: " + report.generated() + " generated, " + report.upToDate() + " up to date, "
                + report.deleted() + " deleted (" + out + ")");
    }

    private static String shortHash(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8))).substring(0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
