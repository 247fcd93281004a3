package dev.lossc;

import dev.lossc.codegen.Revolve;
import dev.lossc.codegen.StorageAccount;
import dev.lossc.diag.SourceText;
import dev.lossc.ir.Stmt;
import dev.lossc.ir.Value;
import dev.lossc.prim.Costs;
import dev.lossc.prim.Scalar;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code lossc report}: what a generated class costs, before anything runs. For every line of the
 * {@code .loss} file, the floating-point operations of the forward and the backward pass (of
 * {@code lossAndGradient}, counted on the statements the class runs, loops times their
 * iterations, a checkpointed loop's recomputation in its lines' backward) and the bytes of storage
 * the class owns for it; for the class, the bytes by kind and its largest method's bytecode size
 * against HotSpot's 8,000-byte limit on JIT compilation. Operations are counted by
 * {@link Costs}: every scalar operation 1, a multiply-add 2. Sizes that vary per call count at
 * their maximum.
 */
public record CostReport(String className, List<Line> lines, Bytes bytes, long forwardFlops, long backwardFlops,
                         String largestMethod, int largestMethodBytes, List<Checkpointed> checkpointed) {
    /** HotSpot does not JIT-compile a method with more bytecode than this. */
    public static final int JIT_LIMIT = 8000;

    /** One source line's costs: {@code bytes} of every kind (params, gradient, work arrays, per-iteration slots, snapshots). */
    public record Line(int line, String source, long forwardFlops, long backwardFlops, long bytes) {}

    /** A checkpointed loop: its iterations, snapshots, and the iterations its backward pass recomputes against the revolve bound. */
    public record Checkpointed(int line, int iterations, int snapshots, long recomputed, long advances, long bound) {}

    /** The class's storage by kind: params (and states), their gradient, work arrays, the extra slots of values kept per iteration, checkpoint snapshots. */
    public record Bytes(long params, long gradient, long work, long perIteration, long snapshots) {
        public long total() {
            return params + gradient + work + perIteration + snapshots;
        }
    }

    /** One line for a build log: the class's operations, storage by kind and largest method. */
    public String summary() {
        StringBuilder s = new StringBuilder(String.format(java.util.Locale.ROOT,
                "%s: %,d FLOPs forward, %,d backward; %,d bytes (params %,d, gradient %,d, work %,d, per-iteration %,d, snapshots %,d); "
                        + "largest method %s, %,d of %,d bytecode bytes", className, forwardFlops, backwardFlops, bytes.total(), bytes.params(),
                bytes.gradient(), bytes.work(), bytes.perIteration(), bytes.snapshots(), largestMethod, largestMethodBytes, JIT_LIMIT));
        if (largestMethodBytes > JIT_LIMIT) {
            s.append(" (over the JIT limit: it runs interpreted)");
        }
        return s.toString();
    }

    static CostReport of(String className, SourceText source, List<Stmt> forward, List<Stmt> backward, StorageAccount storage,
                         Map<String, byte[]> classFiles) {
        Map<Integer, long[]> byLine = new TreeMap<>();
        count(forward, 1, 0, byLine);
        count(backward, 1, 1, byLine);
        List<Checkpointed> checkpointed = new ArrayList<>();
        for (Stmt s : forward) {
            if (s instanceof Stmt.Loop l && l.loop().snapshots() > 0 && backward.stream().anyMatch(b -> b instanceof Stmt.Loop r && r.loop() == l.loop())) {
                int n = l.loop().trips();
                int snaps = l.loop().snapshots();
                long recomputed = Revolve.recomputed(n, snaps);
                // The backward pass runs each of these iterations' forward statements again.
                Map<Integer, long[]> once = new TreeMap<>();
                count(l.body(), 1, 0, once);
                once.forEach((line, c) -> byLine.computeIfAbsent(line, k -> new long[3])[1] += c[0] * recomputed);
                long advances = recomputed - n + Revolve.lastForwardSnapshot(n, snaps);
                checkpointed.add(new Checkpointed(l.pos() == null ? 0 : l.pos().line(), n, snaps, recomputed, advances, Revolve.bound(n, snaps)));
            }
        }
        long[] kinds = new long[StorageAccount.Kind.values().length];
        for (StorageAccount.Stored st : storage.stored()) {
            byLine.computeIfAbsent(st.line(), k -> new long[3])[2] += st.bytes();
            kinds[st.kind().ordinal()] += st.bytes();
        }
        Bytes bytes = new Bytes(kinds[0], kinds[1], kinds[2], kinds[3], kinds[4]);
        List<Line> lines = new ArrayList<>();
        long f = 0;
        long b = 0;
        for (Map.Entry<Integer, long[]> e : byLine.entrySet()) {
            int line = e.getKey();
            String text = line > 0 && line <= source.lineCount() ? source.line(line).strip() : "(the class's own scratch rows)";
            long[] c = e.getValue();
            lines.add(new Line(line, text, c[0], c[1], c[2]));
            f += c[0];
            b += c[1];
        }
        String largest = "";
        int size = 0;
        for (Map.Entry<String, byte[]> cf : new TreeMap<>(classFiles).entrySet()) {
            for (Map.Entry<String, Integer> m : methodSizes(cf.getValue()).entrySet()) {
                if (m.getValue() > size) {
                    size = m.getValue();
                    String simple = cf.getKey().substring(cf.getKey().lastIndexOf('.') + 1);
                    largest = simple + "." + m.getKey();
                }
            }
        }
        return new CostReport(className, lines, bytes, f, b, largest, size, checkpointed);
    }

    /** Adds each statement's operations, times {@code trips}, to its line's slot {@code slot} (0 forward, 1 backward). */
    private static void count(List<Stmt> body, long trips, int slot, Map<Integer, long[]> byLine) {
        for (Stmt s : body) {
            if (s instanceof Stmt.Loop l) {
                count(l.body(), trips * Math.max(0, l.loop().trips()), slot, byLine);
                continue;
            }
            long flops = flops(s);
            if (flops > 0) {
                int line = s.pos() == null ? 0 : s.pos().line();
                byLine.computeIfAbsent(line, k -> new long[3])[slot] += flops * trips;
            }
        }
    }

    /** A statement's operations: its primitive's or expression's, and the add of each element accumulated. */
    static long flops(Stmt s) {
        if (s instanceof Stmt.Map m) {
            long per = Costs.scalar(m.expr()) + (m.accumulate() || !m.isPointwise() ? 1 : 0);
            // A copy (the expression is one operand) with nothing added costs nothing.
            return m.expr() instanceof Scalar.In && !m.accumulate() && m.isPointwise() ? 0 : per * m.domain().size();
        }
        if (s instanceof Stmt.Op op) {
            List<dev.lossc.types.Shape> shapes = op.args().stream().map(Value::shape).toList();
            long n = Costs.flops(op.prim(), shapes, op.out().shape(), op.attributes()) + (op.accumulate() ? op.out().shape().size() : 0);
            if (op.epilogue() != null) {
                n += (Costs.scalar(op.epilogue().expr()) + (op.epilogue().accumulate() ? 1 : 0)) * (long) op.out().shape().size();
            }
            return n;
        }
        return 0;
    }

    /** The bytecode size of every method of a class file ({@code Code} attributes' {@code code_length}), by name and descriptor. */
    static Map<String, Integer> methodSizes(byte[] classFile) {
        ByteBuffer in = ByteBuffer.wrap(classFile);
        in.position(8);
        int count = in.getShort() & 0xFFFF;
        String[] utf8 = new String[count];
        for (int i = 1; i < count; i++) {
            int tag = in.get() & 0xFF;
            switch (tag) {
                case 1 -> {
                    byte[] b = new byte[in.getShort() & 0xFFFF];
                    in.get(b);
                    utf8[i] = new String(b, java.nio.charset.StandardCharsets.UTF_8);
                }
                case 7, 8, 16, 19, 20 -> in.position(in.position() + 2);
                case 15 -> in.position(in.position() + 3);
                case 3, 4, 9, 10, 11, 12, 17, 18 -> in.position(in.position() + 4);
                case 5, 6 -> {
                    in.position(in.position() + 8);
                    i++;
                }
                default -> throw new IllegalArgumentException("constant pool tag " + tag);
            }
        }
        in.position(in.position() + 6);
        int interfaces = in.getShort() & 0xFFFF;
        in.position(in.position() + 2 * interfaces);
        int fields = in.getShort() & 0xFFFF;
        for (int i = 0; i < fields; i++) {
            in.position(in.position() + 6);
            skipAttributes(in);
        }
        Map<String, Integer> sizes = new LinkedHashMap<>();
        int methods = in.getShort() & 0xFFFF;
        for (int i = 0; i < methods; i++) {
            in.getShort();
            String name = utf8[in.getShort() & 0xFFFF];
            String descriptor = utf8[in.getShort() & 0xFFFF];
            int attributes = in.getShort() & 0xFFFF;
            for (int a = 0; a < attributes; a++) {
                String attr = utf8[in.getShort() & 0xFFFF];
                int length = in.getInt();
                int end = in.position() + length;
                if (attr.equals("Code")) {
                    in.position(in.position() + 4);
                    sizes.put(name + descriptor, in.getInt());
                }
                in.position(end);
            }
        }
        return sizes;
    }

    private static void skipAttributes(ByteBuffer in) {
        int n = in.getShort() & 0xFFFF;
        for (int a = 0; a < n; a++) {
            in.getShort();
            int length = in.getInt();
            in.position(in.position() + length);
        }
    }
}
