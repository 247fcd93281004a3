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

    /**
     * The m2e mapping, read as m2e reads it (an XML document), covers exactly the goals the plugin
     * descriptor (generated from the mojos' annotations) declares, and tells m2e to execute them,
     * also on incremental builds: renaming or adding a goal without mapping it fails here.
     */
    @Test
    void eclipseRunsEveryGoalOnIncrementalBuilds() throws Exception {
        javax.xml.parsers.DocumentBuilder xml = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder();
        org.w3c.dom.Document mapping = xml.parse(new java.io.ByteArrayInputStream(
                resource("/META-INF/m2e/lifecycle-mapping-metadata.xml").getBytes(StandardCharsets.UTF_8)));
        org.w3c.dom.Document plugin = xml.parse(new java.io.ByteArrayInputStream(
                resource("/META-INF/maven/plugin.xml").getBytes(StandardCharsets.UTF_8)));
        java.util.Set<String> declared = new java.util.TreeSet<>();
        org.w3c.dom.NodeList mojos = plugin.getElementsByTagName("mojo");
        for (int i = 0; i < mojos.getLength(); i++) {
            declared.add(((org.w3c.dom.Element) mojos.item(i)).getElementsByTagName("goal").item(0).getTextContent().trim());
        }
        org.w3c.dom.NodeList executions = mapping.getElementsByTagName("pluginExecution");
        java.util.Set<String> mapped = new java.util.TreeSet<>();
        for (int i = 0; i < executions.getLength(); i++) {
            org.w3c.dom.Element e = (org.w3c.dom.Element) executions.item(i);
            org.w3c.dom.NodeList goals = ((org.w3c.dom.Element) e.getElementsByTagName("pluginExecutionFilter").item(0)).getElementsByTagName("goal");
            for (int g = 0; g < goals.getLength(); g++) {
                mapped.add(goals.item(g).getTextContent().trim());
            }
            org.w3c.dom.Element execute = (org.w3c.dom.Element) ((org.w3c.dom.Element) e.getElementsByTagName("action").item(0))
                    .getElementsByTagName("execute").item(0);
            assertNotNull(execute, "the action is to execute the goals");
            assertTrue(Boolean.parseBoolean(execute.getElementsByTagName("runOnIncremental").item(0).getTextContent().trim()));
        }
        assertTrue(declared.size() >= 2, "goals in the descriptor: " + declared);
        org.junit.jupiter.api.Assertions.assertEquals(declared, mapped);
    }
}
