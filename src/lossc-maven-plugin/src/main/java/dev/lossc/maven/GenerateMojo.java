package dev.lossc.maven;

import java.io.File;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/** Generates loss-and-gradient classes from {@code src/main/loss} into the main sources. */
@Mojo(name = "generate", defaultPhase = LifecyclePhase.GENERATE_SOURCES, threadSafe = true)
public class GenerateMojo extends AbstractLosscMojo {
    /** Where the .loss files are. */
    @Parameter(defaultValue = "${project.basedir}/src/main/loss")
    private File sourceDirectory;

    /** Where the generated classes go; added as a compile source root. */
    @Parameter(defaultValue = "${project.build.directory}/generated-sources/lossc")
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
        project.addCompileSourceRoot(path);
    }

    @Override
    protected String goal() {
        return "generate";
    }
}
