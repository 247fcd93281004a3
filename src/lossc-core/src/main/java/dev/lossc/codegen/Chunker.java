package dev.lossc.codegen;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import dev.lossc.check.Symbol;
import dev.lossc.diag.SourceText;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import javax.lang.model.element.Modifier;

/**
 * Splits generated code into methods small enough for HotSpot to JIT-compile (it skips methods
 * over 8,000 bytecode bytes) and for javac (64 KiB). Code is measured in source characters, which
 * bound bytecode bytes from above for the statements the kernels emit; {@link #LIMIT} leaves a
 * wide margin. A method that would be too large becomes a sequence of calls to private methods,
 * each taking the loop variables in scope; loops too large for one method keep their header in the
 * caller and split their body the same way.
 */
final class Chunker {
    static final int LIMIT = 3000;

    /** A piece of generated code: straight-line code, or a loop around more units. */
    sealed interface Unit permits Code, Loop {
        int size();
    }

    record Code(CodeBlock code, int line, String note) implements Unit {
        public int size() {
            return code.toString().length() + (note == null ? 0 : note.length());
        }
    }

    record Loop(String header, Symbol.Loop loop, List<Unit> body, int line) implements Unit {
        public int size() {
            return header.length() + 10 + total(body);
        }
    }

    private final SourceText source;
    private final Layout layout;
    private final Supplier<String> methodNames;
    private final List<MethodSpec> methods = new ArrayList<>();

    Chunker(SourceText source, Layout layout, Supplier<String> methodNames) {
        this.source = source;
        this.layout = layout;
        this.methodNames = methodNames;
    }

    List<MethodSpec> methods() {
        return methods;
    }

    static int total(List<Unit> units) {
        int n = 0;
        for (Unit u : units) {
            n += u.size();
        }
        return n;
    }

    /** The body for a method whose scope has {@code loops} open, split as needed. */
    CodeBlock body(List<Unit> units, List<Symbol.Loop> loops) {
        return inline(reduce(units, loops), loops);
    }

    private List<Unit> reduce(List<Unit> units, List<Symbol.Loop> loops) {
        while (total(units) > LIMIT) {
            List<Unit> next = new ArrayList<>();
            List<Unit> group = new ArrayList<>();
            for (Unit u : units) {
                if (u instanceof Loop l && u.size() > LIMIT) {
                    flush(group, next, loops);
                    List<Symbol.Loop> inner = new ArrayList<>(loops);
                    inner.add(l.loop());
                    Loop small = new Loop(l.header(), l.loop(), reduce(l.body(), inner), l.line());
                    if (small.size() > LIMIT) {
                        group.add(small);
                        flush(group, next, loops);
                    } else {
                        next.add(small);
                    }
                } else {
                    if (!group.isEmpty() && total(group) + u.size() > LIMIT) {
                        flush(group, next, loops);
                    }
                    group.add(u);
                }
            }
            flush(group, next, loops);
            units = next;
        }
        return units;
    }

    /** Moves {@code group} into a new private method and leaves a call to it in {@code out}. */
    private void flush(List<Unit> group, List<Unit> out, List<Symbol.Loop> loops) {
        if (group.isEmpty()) {
            return;
        }
        if (group.size() == 1 && group.get(0) instanceof Code c && c.size() < 200) {
            out.add(c);
            group.clear();
            return;
        }
        String name = methodNames.get();
        MethodSpec.Builder m = MethodSpec.methodBuilder(name).addModifiers(Modifier.PRIVATE);
        List<String> args = new ArrayList<>();
        for (Symbol.Loop l : loops) {
            m.addParameter(int.class, layout.loop(l));
            args.add(layout.loop(l));
        }
        m.addCode(inline(group, loops));
        methods.add(m.build());
        out.add(new Code(CodeBlock.builder().addStatement("$L($L)", name, String.join(", ", args)).build(), -1, null));
        group.clear();
    }

    private CodeBlock inline(List<Unit> units, List<Symbol.Loop> loops) {
        CodeBlock.Builder b = CodeBlock.builder();
        int[] lastLine = {-1};
        inline(b, units, lastLine);
        return b.build();
    }

    private void inline(CodeBlock.Builder b, List<Unit> units, int[] lastLine) {
        for (Unit u : units) {
            if (u instanceof Code c) {
                comment(b, c.line(), lastLine);
                if (c.note() != null) {
                    b.add("// $L\n", c.note());
                }
                b.add(c.code());
            } else {
                Loop l = (Loop) u;
                comment(b, l.line(), lastLine);
                b.beginControlFlow("$L", l.header());
                lastLine[0] = l.line();
                inline(b, l.body(), lastLine);
                b.endControlFlow();
            }
        }
    }

    /** Source text made safe for a Java line comment (no unicode escapes, no control characters). */
    static String commentText(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                out.append("\\\\");
            } else if (Character.isISOControl(c)) {
                out.append('?');
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private void comment(CodeBlock.Builder b, int line, int[] lastLine) {
        if (line > 0 && line != lastLine[0]) {
            b.add("// line $L: $L\n", line, commentText(source.line(line).strip()));
            lastLine[0] = line;
        }
    }
}
