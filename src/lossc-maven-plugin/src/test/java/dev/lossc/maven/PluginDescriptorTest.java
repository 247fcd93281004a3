package dev.lossc.maven;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What Maven and Eclipse read from the plugin jar: goals, phases, thread safety, the m2e mapping. */
class PluginDescriptorTest {
    private static String resource(String name) throws IOException {
        try (InputStream in = PluginDescriptorTest.class.getResourceAsStream(name)) {
            assertNotNull(in, name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void goalsArePhasedAndThreadSafe() throws IOException {
        String plugin = resource("/META-INF/maven/plugin.xml");
        String generate = plugin.substring(plugin.indexOf("<goal>generate</goal>"), plugin.indexOf("</mojo>", plugin.indexOf("<goal>generate</goal>")));
        assertTrue(generate.contains("<phase>generate-sources</phase>") && generate.contains("<threadSafe>true</threadSafe>"), generate);
        String test = plugin.substring(plugin.indexOf("<goal>generate-test</goal>"), plugin.indexOf("</mojo>", plugin.indexOf("<goal>generate-test</goal>")));
        assertTrue(test.contains("<phase>generate-test-sources</phase>") && test.contains("<threadSafe>true</threadSafe>"), test);
        assertTrue(plugin.contains("<goalPrefix>lossc</goalPrefix>"));
        for (String parameter : new String[] {"sourceDirectory", "outputDirectory", "includes", "excludes", "packageName", "skip"}) {
            assertTrue(generate.contains("<name>" + parameter + "</name>"), parameter);
        }
    }

    @Test
    void eclipseRunsTheGoalsOnIncrementalBuilds() throws IOException {
        String mapping = resource("/META-INF/m2e/lifecycle-mapping-metadata.xml");
        assertTrue(mapping.contains("<goal>generate</goal>") && mapping.contains("<goal>generate-test</goal>"));
        assertTrue(mapping.contains("<runOnIncremental>true</runOnIncremental>"));
    }
}
