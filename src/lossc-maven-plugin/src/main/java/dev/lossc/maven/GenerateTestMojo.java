package dev.lossc.maven;

import java.io.File;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/** Generates loss-and-gradient classes from {@code src/test/loss} into the test sources. */
@Mojo(name = "generate-test", defaultPhase = LifecyclePhase.GENERATE_TEST_SOURCES, threadSafe = true)
public class GenerateTestMojo extends AbstractLosscMojo {
    /** Where the test .loss files are. */
    @Parameter(defaultValue = "${project.basedir}/src/test/loss")
    private File sourceDirectory;

    /** Where the generated classes go; added as a test compile source root. */
    @Parameter(defaultValue = "${project.build.directory}/generated-test-sources/lossc")
    private File outputDirectory;

    @Override
    protected File sourceDirectory() {
        return sourceDirectory;
    }

    @Override
    protected File outputDirectory() {
        return outputDirectory;
    }

    @Override
    protected void addSourceRoot(String path) {
        project.addTestCompileSourceRoot(path);
    }

    @Override
    protected String goal() {
        return "generate-test";
    }
}
