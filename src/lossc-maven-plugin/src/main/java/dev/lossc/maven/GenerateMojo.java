package dev.lossc.maven;

import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;

/** Generates loss-and-gradient classes from {@code src/main/loss} into the main sources. */
@Mojo(name = "generate", defaultPhase = LifecyclePhase.GENERATE_SOURCES, threadSafe = true)
public class GenerateMojo extends AbstractLosscMojo {
    public GenerateMojo() {
        super(Scope.MAIN);
    }
}
