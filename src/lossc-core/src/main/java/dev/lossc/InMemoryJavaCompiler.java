package dev.lossc;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Compiles generated classes with the JDK's javac, entirely in memory, and loads them. Used by
 * {@code lossc eval} and by the tests; needs a JDK (not only a JRE) at run time.
 */
public final class InMemoryJavaCompiler {
    private InMemoryJavaCompiler() {}

    /** javac rejected the sources; the message holds its diagnostics. */
    public static final class CompilationFailed extends Exception {
        public CompilationFailed(String message) {
            super(message);
        }
    }

    /** Compiles {@code sources} (qualified name → source) with {@code options}; returns their loader. */
    public static ClassLoader compile(Map<String, String> sources, List<String> options) throws CompilationFailed {
        return new MemoryLoader(compileToBytes(sources, options), InMemoryJavaCompiler.class.getClassLoader());
    }

    /** Class files by binary name. */
    public static Map<String, byte[]> compileToBytes(Map<String, String> sources, List<String> options) throws CompilationFailed {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new CompilationFailed("no Java compiler available: run lossc on a JDK, not a JRE");
        }
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        StandardJavaFileManager standard = javac.getStandardFileManager(diagnostics, null, null);
        Map<String, ByteArrayOutputStream> classes = new HashMap<>();
        ForwardingJavaFileManager<StandardJavaFileManager> manager = new ForwardingJavaFileManager<>(standard) {
            @Override
            public JavaFileObject getJavaFileForOutput(Location location, String className, JavaFileObject.Kind kind, FileObject sibling) {
                return new SimpleJavaFileObject(URI.create("mem:///" + className.replace('.', '/') + kind.extension), kind) {
                    @Override
                    public OutputStream openOutputStream() {
                        ByteArrayOutputStream out = new ByteArrayOutputStream();
                        classes.put(className, out);
                        return out;
                    }
                };
            }
        };
        List<JavaFileObject> units = new ArrayList<>();
        for (Map.Entry<String, String> e : sources.entrySet()) {
            String text = e.getValue();
            units.add(new SimpleJavaFileObject(URI.create("string:///" + e.getKey().replace('.', '/') + ".java"), JavaFileObject.Kind.SOURCE) {
                @Override
                public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                    return text;
                }
            });
        }
        StringWriter out = new StringWriter();
        boolean ok = javac.getTask(out, manager, diagnostics, options, null, units).call();
        if (!ok) {
            StringBuilder msg = new StringBuilder("javac rejected the generated code:\n");
            for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                if (d.getKind() == Diagnostic.Kind.ERROR) {
                    msg.append(d.getSource() == null ? "" : d.getSource().getName()).append(':').append(d.getLineNumber())
                            .append(": ").append(d.getMessage(null)).append('\n');
                }
            }
            throw new CompilationFailed(msg.toString());
        }
        Map<String, byte[]> bytes = new HashMap<>();
        classes.forEach((k, v) -> bytes.put(k, v.toByteArray()));
        return bytes;
    }

    private static final class MemoryLoader extends ClassLoader {
        private final Map<String, byte[]> classes;

        MemoryLoader(Map<String, byte[]> classes, ClassLoader parent) {
            super(parent);
            this.classes = classes;
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            byte[] b = classes.get(name);
            if (b == null) {
                throw new ClassNotFoundException(name);
            }
            return defineClass(name, b, 0, b.length);
        }
    }
}
