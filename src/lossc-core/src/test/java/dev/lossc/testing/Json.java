package dev.lossc.testing;

import dev.lossc.ValuesFile;
import dev.lossc.diag.Reporter;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads the examples' VALUES.json files with the reader {@code lossc eval} uses, into flat arrays by name. */
public final class Json {
    private Json() {}

    public static Map<String, double[]> values(String text) {
        Reporter reporter = new Reporter("values.json");
        Map<String, ValuesFile.Entry> entries = ValuesFile.parse(text, reporter);
        if (entries == null) {
            throw new IllegalArgumentException(reporter.diagnostics().toString());
        }
        Map<String, double[]> out = new LinkedHashMap<>();
        entries.forEach((name, e) -> out.put(name, e.flat()));
        return out;
    }
}
