package dev.lossc.runtime;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format (Hugging Face's): an 8-byte little-endian header length {@code N}, a JSON
 * header of {@code N} bytes mapping each tensor's name to its {@code dtype}, {@code shape} and
 * {@code data_offsets} (from the end of the header), an optional {@code __metadata__} object of
 * strings, then the tensors' bytes, little-endian, row-major. A file is checked as the reference
 * implementation checks it before any tensor is read: a header of at most 100,000,000 bytes inside
 * the file, valid JSON, offsets that match each tensor's size, lie inside the file, do not overlap
 * and cover the data with no gap.
 */
public final class SafeTensors extends TensorFile {
    /** The largest header read, as the reference implementation's {@code MAX_HEADER_SIZE}. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, long[]> offsets = new LinkedHashMap<>();
    private final Map<String, String> metadata;

    private SafeTensors(String source, FileChannel channel, long dataStart, Map<String, String> metadata) {
        super(source);
        this.channel = channel;
        this.dataStart = dataStart;
        this.metadata = metadata;
    }

    /** The header's {@code __metadata__}: string keys and values (empty when there is none). */
    public Map<String, String> metadata() {
        return Collections.unmodifiableMap(metadata);
    }

    /** Opens a safetensors file and checks its header; tensors are read later, when asked for. */
    public static SafeTensors open(Path file) throws IOException {
        String src = file.toString();
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            long size = channel.size();
            if (size < 8) {
                throw new ParameterFileException(src + ": not a safetensors file: " + size + " bytes, fewer than the 8 of its header length");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lengthBytes, 0);
            long n = lengthBytes.getLong(0);
            if (n < 0 || n > size - 8) {
                throw new ParameterFileException(src + ": not a safetensors file: its header length (" + Long.toUnsignedString(n)
                        + " bytes) goes beyond the end of the file (" + size + " bytes)");
            }
            if (n > MAX_HEADER_BYTES) {
                throw new ParameterFileException(src + ": the safetensors header is " + n + " bytes; the limit is " + MAX_HEADER_BYTES);
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) n);
            readFully(channel, headerBytes, 8);
            headerBytes.flip();
            String header;
            try {
                header = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(headerBytes).toString();
            } catch (CharacterCodingException e) {
                throw new ParameterFileException(src + ": the safetensors header is not UTF-8 text");
            }
            JsonReader json = new JsonReader(new StringReader(header), src + " (header)");
            Object tree = json.value();
            json.end();
            if (!(tree instanceof Map)) {
                throw new ParameterFileException(src + ": the safetensors header is not a JSON object");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> entries = (Map<String, Object>) tree;
            Map<String, String> metadata = new LinkedHashMap<>();
            Object meta = entries.get("__metadata__");
            if (meta != null) {
                if (!(meta instanceof Map)) {
                    throw new ParameterFileException(src + ": __metadata__ is not an object of strings");
                }
                for (Map.Entry<?, ?> m : ((Map<?, ?>) meta).entrySet()) {
                    if (!(m.getValue() instanceof String)) {
                        throw new ParameterFileException(src + ": __metadata__ '" + m.getKey() + "' is not a string");
                    }
                    metadata.put((String) m.getKey(), (String) m.getValue());
                }
            }
            SafeTensors f = new SafeTensors(src, channel, 8 + n, metadata);
            List<long[]> spans = new ArrayList<>();
            for (Map.Entry<String, Object> e : entries.entrySet()) {
                if (e.getKey().equals("__metadata__")) {
                    continue;
                }
                f.describe(e.getKey(), e.getValue(), size - 8 - n, spans);
            }
            spans.sort((a, b) -> Long.compare(a[0], b[0]));
            long expected = 0;
            for (long[] s : spans) {
                if (s[0] < expected) {
                    throw new ParameterFileException(src + ": the data of two tensors overlap (at byte " + s[0] + " of the data)");
                }
                if (s[0] > expected) {
                    throw new ParameterFileException(src + ": bytes " + expected + " to " + s[0] + " of the data belong to no tensor");
                }
                expected = s[1];
            }
            if (expected != size - 8 - n) {
                throw new ParameterFileException(src + ": the tensors' data ends at byte " + expected + ", but the file holds "
                        + (size - 8 - n) + " bytes of data");
            }
            return f;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private void describe(String name, Object value, long dataBytes, List<long[]> spans) throws ParameterFileException {
        String where = source() + ": tensor '" + name + "'";
        if (!(value instanceof Map)) {
            throw new ParameterFileException(where + " is not described by an object");
        }
        Map<?, ?> d = (Map<?, ?>) value;
        Object dtype = d.get("dtype");
        Object shape = d.get("shape");
        Object span = d.get("data_offsets");
        if (!(dtype instanceof String) || !(shape instanceof List) || !(span instanceof List) || ((List<?>) span).size() != 2) {
            throw new ParameterFileException(where + " needs a dtype (a string), a shape (an array) and data_offsets (two numbers)");
        }
        List<?> dims = (List<?>) shape;
        long[] s = new long[dims.size()];
        long elements = 1;
        for (int i = 0; i < s.length; i++) {
            s[i] = whole(dims.get(i), where + ": shape");
            elements = Math.multiplyExact(elements, s[i]);
        }
        long begin = whole(((List<?>) span).get(0), where + ": data_offsets");
        long end = whole(((List<?>) span).get(1), where + ": data_offsets");
        DType type = DType.ofSafetensors((String) dtype);
        int bytes = type != null ? type.bytes() : bytesOf((String) dtype);
        if (bytes < 0) {
            throw new ParameterFileException(where + " has an unknown dtype '" + dtype + "'");
        }
        if (begin > end || end > dataBytes) {
            throw new ParameterFileException(where + ": data_offsets [" + begin + ", " + end + "] lie outside the " + dataBytes
                    + " bytes of data");
        }
        if (end - begin != elements * bytes) {
            throw new ParameterFileException(where + " has shape " + shape(s) + " of " + dtype + " (" + elements * bytes
                    + " bytes), but data_offsets span " + (end - begin) + " bytes");
        }
        add(new Entry(name, type, (String) dtype, s));
        offsets.put(name, new long[] {begin, end});
        spans.add(new long[] {begin, end});
    }

    /** Bytes per element of the safetensors types lossc knows but does not read; -1 for an unknown one. */
    private static int bytesOf(String dtype) {
        switch (dtype) {
            case "BOOL": case "U8": case "I8": case "F8_E5M2": case "F8_E4M3":
                return 1;
            case "I16": case "U16":
                return 2;
            case "I32": case "U32":
                return 4;
            case "I64": case "U64":
                return 8;
            default:
                return -1;
        }
    }

    private static long whole(Object o, String what) throws ParameterFileException {
        if (!(o instanceof Double) || (Double) o < 0 || (Double) o != Math.rint((Double) o) || (Double) o > 9.007199254740992E15) {
            throw new ParameterFileException(what + " must hold whole numbers of 0 or more, but holds " + o);
        }
        return (long) (double) (Double) o;
    }

    @Override
    void read(Entry e, Sink out, int at) throws IOException {
        long[] span = offsets.get(e.name);
        int size = e.dtype.bytes();
        long n = e.elements();
        ByteBuffer block = ByteBuffer.allocate((int) Math.min(Math.max(size, 1 << 20), (span[1] - span[0]) + 8)).order(ByteOrder.LITTLE_ENDIAN);
        long position = dataStart + span[0];
        long done = 0;
        while (done < n) {
            int count = (int) Math.min(n - done, block.capacity() / size);
            block.clear();
            block.limit(count * size);
            readFully(channel, block, position);
            for (int i = 0; i < count; i++) {
                out.set(at + (int) (done + i), e.dtype.get(block, i * size));
            }
            position += (long) count * size;
            done += count;
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer into, long position) throws IOException {
        while (into.hasRemaining()) {
            int got = channel.read(into, position);
            if (got < 0) {
                throw new ParameterFileException("the file ended early");
            }
            position += got;
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    /**
     * Writes flat {@code F64} vectors, by name, in the order given, with {@code metadata}: a small
     * container for a training run's own state (lossc's {@code train} saves its optimizer and
     * counters so).
     */
    public static void write(OutputStream out, Map<String, double[]> vectors, Map<String, String> metadata) throws IOException {
        List<Out> tensors = new ArrayList<>();
        for (Map.Entry<String, double[]> e : vectors.entrySet()) {
            tensors.add(new Out(e.getKey(), new long[] {e.getValue().length}, e.getValue(), 0));
        }
        write(out, tensors, DType.F64, metadata);
    }

    /** Every tensor of an open file, flat, as doubles, by name in file order. */
    public Map<String, double[]> readAll() throws IOException {
        Map<String, double[]> out = new LinkedHashMap<>();
        for (Entry e : entries()) {
            if (e.dtype() == null) {
                throw new ParameterFileException(source() + ": tensor '" + e.name() + "' has element type " + e.typeName()
                        + ", not a floating-point type");
            }
            if (e.elements() > Integer.MAX_VALUE - 8) {
                throw new ParameterFileException(source() + ": tensor '" + e.name() + "' has more elements than a Java array holds");
            }
            double[] v = new double[(int) e.elements()];
            read(e, sink(v), 0);
            out.put(e.name(), v);
        }
        return out;
    }

    /** Writes {@code tensors} as {@code dtype} (F64 or F32) with {@code metadata}, in the order given. */
    static void write(OutputStream out, List<Out> tensors, DType dtype, Map<String, String> metadata) throws IOException {
        StringBuilder header = new StringBuilder("{");
        if (!metadata.isEmpty()) {
            header.append("\"__metadata__\":{");
            int k = 0;
            for (Map.Entry<String, String> m : metadata.entrySet()) {
                header.append(k++ == 0 ? "" : ",").append(quote(m.getKey())).append(':').append(quote(m.getValue()));
            }
            header.append('}');
        }
        long offset = 0;
        for (Out t : tensors) {
            long bytes = (long) t.elements() * dtype.bytes();
            header.append(header.length() > 1 ? "," : "").append(quote(t.name)).append(":{\"dtype\":\"").append(dtype.name())
                    .append("\",\"shape\":[");
            for (int i = 0; i < t.shape.length; i++) {
                header.append(i == 0 ? "" : ",").append(t.shape[i]);
            }
            header.append("],\"data_offsets\":[").append(offset).append(',').append(offset + bytes).append("]}");
            offset += bytes;
        }
        header.append('}');
        // Padded with spaces to a multiple of 8 bytes, as the reference writer does, so the data is aligned.
        byte[] text = header.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (text.length + 7) / 8 * 8;
        ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
        out.write(length.array());
        out.write(text);
        for (int i = text.length; i < padded; i++) {
            out.write(' ');
        }
        for (Out t : tensors) {
            writeData(out, t, dtype);
        }
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }
}
