package dev.lossc.maven;

import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;

/** Generates loss-and-gradient classes from {@code src/test/loss} into the test sources. */
@Mojo(name = "generate-test", defaultPhase = LifecyclePhase.GENERATE_TEST_SOURCES, threadSafe = true)
public class GenerateTestMojo extends AbstractLosscMojo {
    public GenerateTestMojo() {
        super(Scope.TEST);
    }
}
