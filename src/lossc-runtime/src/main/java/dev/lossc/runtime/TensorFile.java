package dev.lossc.runtime;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tensors of one file, by name, read lazily: what {@link Parameters} loads from. Each format
 * ({@link SafeTensors}, {@link Npy} and {@code .npz}, lossc's params JSON) opens a file into one.
 */
public abstract class TensorFile implements AutoCloseable {
    /** One tensor: its name, element type ({@code null} when the format's type is not a float lossc reads, see {@link #typeName}), shape. */
    public static final class Entry {
        final String name;
        final DType dtype;
        final String typeName;
        final long[] shape;

        Entry(String name, DType dtype, String typeName, long[] shape) {
            this.name = name;
            this.dtype = dtype;
            this.typeName = typeName;
            this.shape = shape;
        }

        public String name() {
            return name;
        }

        /** The element type, or null for one lossc does not read. */
        public DType dtype() {
            return dtype;
        }

        /** The element type as the file names it ({@code F64}, {@code <f4}, {@code I64}, …). */
        public String typeName() {
            return typeName;
        }

        public long[] shape() {
            return shape.clone();
        }

        public long elements() {
            long n = 1;
            for (long s : shape) {
                n *= s;
            }
            return n;
        }
    }

    /** Where the numbers go: a double class's or a float class's array. */
    interface Sink {
        void set(int i, double v);
    }

    static Sink sink(final double[] a) {
        return (i, v) -> a[i] = v;
    }

    static Sink sink(final float[] a) {
        return (i, v) -> a[i] = (float) v;
    }

    private final String source;
    private final Map<String, Entry> entries = new LinkedHashMap<>();

    TensorFile(String source) {
        this.source = source;
    }

    /** The file, for messages. */
    public final String source() {
        return source;
    }

    final void add(Entry e) throws ParameterFileException {
        if (entries.put(e.name, e) != null) {
            throw new ParameterFileException(source + ": tensor '" + e.name + "' appears twice");
        }
    }

    /** The tensors, in file order. */
    public final List<Entry> entries() {
        return Collections.unmodifiableList(new ArrayList<>(entries.values()));
    }

    /** The tensor named {@code name}, or null. */
    public final Entry entry(String name) {
        return entries.get(name);
    }

    /**
     * The values of tensor {@code name}, flat in row-major order, as doubles: an application's
     * inputs from a values file ({@code {"X": [[…], …]}}), say. Throws when there is no such
     * tensor, or its element type is not a float.
     */
    public final double[] values(String name) throws IOException {
        Entry e = entry(name);
        if (e == null) {
            throw new ParameterFileException(source + ": no tensor '" + name + "'");
        }
        if (e.dtype == null) {
            throw new ParameterFileException(source + ": tensor '" + name + "' has element type " + e.typeName + ", not a floating-point type");
        }
        if (e.elements() > Integer.MAX_VALUE - 8) {
            throw new ParameterFileException(source + ": tensor '" + name + "' has more elements than a Java array holds");
        }
        double[] v = new double[(int) e.elements()];
        read(e, sink(v), 0);
        return v;
    }

    /**
     * Reads tensor {@code e} into {@code out} from index {@code at}, its elements in row-major
     * order, each converted to a double exactly (and by {@code out} to its element type).
     */
    abstract void read(Entry e, Sink out, int at) throws IOException;

    @Override
    public void close() throws IOException {
    }

    /** Opens {@code file} by its name's ending: {@code .safetensors}, {@code .npz}, {@code .npy} or {@code .json}. */
    public static TensorFile open(Path file) throws IOException {
        switch (Format.of(file)) {
            case SAFETENSORS:
                return SafeTensors.open(file);
            case NPZ:
                return Npy.openArchive(file);
            case NPY:
                return Npy.open(file);
            default:
                return ParamsJson.load(file);
        }
    }

    /** The file formats, named by the ending of a file's name. */
    public enum Format {
        JSON(".json"), SAFETENSORS(".safetensors"), NPZ(".npz"), NPY(".npy");

        private final String ending;

        Format(String ending) {
            this.ending = ending;
        }

        public String ending() {
            return ending;
        }

        /** The format {@code file}'s name ends with. */
        public static Format of(Path file) throws ParameterFileException {
            String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
            for (Format f : values()) {
                if (name.endsWith(f.ending)) {
                    return f;
                }
            }
            throw new ParameterFileException(file + ": the name must end in .json (lossc's params), .safetensors, .npz or .npy");
        }
    }

    // ------------------------------------------------------------------ writing

    /** A tensor to write: its name, shape, and its elements at {@code from} of {@code values} (double[] or float[]). */
    static final class Out {
        final String name;
        final long[] shape;
        final Object values;
        final int from;

        Out(String name, long[] shape, Object values, int from) {
            this.name = name;
            this.shape = shape;
            this.values = values;
            this.from = from;
        }

        int elements() {
            long n = 1;
            for (long s : shape) {
                n *= s;
            }
            return (int) n;
        }

        double get(int i) {
            return values instanceof double[] ? ((double[]) values)[from + i] : ((float[]) values)[from + i];
        }
    }

    /** Writes tensor {@code t}'s elements as {@code dtype} (F64 or F32), little-endian, in blocks. */
    static void writeData(OutputStream out, Out t, DType dtype) throws IOException {
        int n = t.elements();
        ByteBuffer block = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            if (block.remaining() < 8) {
                out.write(block.array(), 0, block.position());
                block.clear();
            }
            if (dtype == DType.F64) {
                block.putDouble(t.get(i));
            } else {
                block.putFloat((float) t.get(i));
            }
        }
        out.write(block.array(), 0, block.position());
    }

    /** What writes a file's bytes into a stream. */
    interface Writer {
        void write(OutputStream out) throws IOException;
    }

    /**
     * Writes {@code file} atomically: a temporary file beside it, then a move, so a reader never sees
     * a partial file and a failed write leaves the old one.
     */
    static void atomically(Path file, Writer writer) throws IOException {
        Path abs = file.toAbsolutePath();
        Path folder = abs.getParent();
        if (Files.isSymbolicLink(abs)) {
            abs = abs.toRealPath();
            folder = abs.getParent();
        }
        if (Files.exists(abs) && !Files.isRegularFile(abs)) {
            throw new IOException(file + ": not written: it is not a regular file");
        }
        Files.createDirectories(folder);
        Path tmp = Files.createTempFile(folder, "." + abs.getFileName(), ".tmp");
        try {
            try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                writer.write(out);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    static String shape(long[] s) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < s.length; i++) {
            b.append(i == 0 ? "" : ", ").append(s[i]);
        }
        return b.append(']').toString();
    }
}
