package dev.lossc.runtime;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * NumPy's {@code .npy} (one array: a magic string, a version, a header that is a Python dict
 * literal {@code {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }}, then the data) and
 * {@code .npz} (a zip archive of {@code NAME.npy} files, as {@code np.savez} and
 * {@code np.savez_compressed} write them). Float arrays of either byte order are read; a
 * Fortran-ordered array is read in row-major order.
 */
final class Npy {
    private Npy() {}

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** The largest header read (NumPy writes a few hundred bytes). */
    private static final int MAX_HEADER = 1 << 16;

    /** A parsed header: element type and byte order, layout, shape. */
    private static final class Header {
        DType dtype;
        String descr;
        ByteOrder order;
        boolean fortran;
        long[] shape;
    }

    /** An archive's or a file's arrays, each read from a fresh stream when asked for. */
    private static final class Arrays extends TensorFile {
        interface Opener {
            InputStream open(String name) throws IOException;
        }

        private final Opener opener;
        private final Map<String, Header> headers = new LinkedHashMap<>();
        private final AutoCloseable closer;

        Arrays(String source, Opener opener, AutoCloseable closer) {
            super(source);
            this.opener = opener;
            this.closer = closer;
        }

        /** Reads the header of array {@code name} from {@code in}. */
        void describe(String name, InputStream in) throws IOException {
            Header h = header(new DataInputStream(new java.io.BufferedInputStream(in)), source() + ": array '" + name + "'");
            headers.put(name, h);
            add(new Entry(name, h.dtype, h.descr, h.shape));
        }

        @Override
        void read(Entry e, Sink out, int at) throws IOException {
            Header h = headers.get(e.name);
            try (InputStream in = opener.open(e.name)) {
                DataInputStream data = new DataInputStream(new java.io.BufferedInputStream(in, 1 << 16));
                header(data, source() + ": " + e.name);   // skip it again
                long n = e.elements();
                int size = h.dtype.bytes();
                ByteBuffer one = ByteBuffer.allocate(8).order(h.order);
                if (!h.fortran) {
                    for (long i = 0; i < n; i++) {
                        one.clear();
                        data.readFully(one.array(), 0, size);
                        out.set(at + (int) i, h.dtype.get(one, 0));
                    }
                    return;
                }
                // Fortran order: the first axis varies fastest; element i of the file is element
                // (i0, i1, …) whose row-major index is computed here.
                long[] s = h.shape;
                long[] index = new long[s.length];
                for (long i = 0; i < n; i++) {
                    one.clear();
                    data.readFully(one.array(), 0, size);
                    long flat = 0;
                    for (int k = 0; k < s.length; k++) {
                        flat = flat * s[k] + index[k];
                    }
                    out.set(at + (int) flat, h.dtype.get(one, 0));
                    for (int k = 0; k < s.length && ++index[k] == s[k]; k++) {
                        index[k] = 0;
                    }
                }
            } catch (EOFException x) {
                throw new ParameterFileException(source() + ": array '" + e.name + "' ends before its " + e.elements() + " elements");
            }
        }

        @Override
        public void close() throws IOException {
            try {
                closer.close();
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException(e);
            }
        }
    }

    /** One {@code .npy} file; its array's name is the file's name without {@code .npy}. */
    static TensorFile open(Path file) throws IOException {
        String name = file.getFileName().toString();
        name = name.substring(0, name.length() - 4);
        Arrays f = new Arrays(file.toString(), n -> Files.newInputStream(file), () -> { });
        try (InputStream in = Files.newInputStream(file)) {
            f.describe(name, in);
        }
        return f;
    }

    /** An {@code .npz} archive: each {@code NAME.npy} entry is the array {@code NAME}. */
    static TensorFile openArchive(Path file) throws IOException {
        final ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (java.util.zip.ZipException e) {
            throw new ParameterFileException(file + ": not an .npz file (not a zip archive)");
        }
        try {
            Arrays f = new Arrays(file.toString(), n -> zip.getInputStream(zip.getEntry(n + ".npy")), zip);
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry z = entries.nextElement();
                if (z.isDirectory()) {
                    continue;
                }
                if (!z.getName().endsWith(".npy")) {
                    throw new ParameterFileException(file + ": entry '" + z.getName() + "' is not an .npy array");
                }
                try (InputStream in = zip.getInputStream(z)) {
                    f.describe(z.getName().substring(0, z.getName().length() - 4), in);
                }
            }
            return f;
        } catch (IOException | RuntimeException e) {
            zip.close();
            throw e;
        }
    }

    /** Reads an array's header from {@code in}. */
    private static Header header(DataInputStream in, String where) throws IOException {
        byte[] magic = new byte[6];
        try {
            in.readFully(magic);
            if (!java.util.Arrays.equals(magic, MAGIC)) {
                throw new ParameterFileException(where + ": not an .npy array (no \\x93NUMPY magic)");
            }
            int major = in.readUnsignedByte();
            in.readUnsignedByte();
            long length;
            if (major == 1) {
                length = Short.toUnsignedInt(Short.reverseBytes(in.readShort()));
            } else if (major == 2 || major == 3) {
                length = Integer.toUnsignedLong(Integer.reverseBytes(in.readInt()));
            } else {
                throw new ParameterFileException(where + ": .npy version " + major + " is not one lossc reads (1, 2 or 3)");
            }
            if (length > MAX_HEADER) {
                throw new ParameterFileException(where + ": the .npy header is " + length + " bytes; the limit is " + MAX_HEADER);
            }
            byte[] text = new byte[(int) length];
            in.readFully(text);
            return parse(new String(text, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1), where);
        } catch (EOFException e) {
            throw new ParameterFileException(where + ": the .npy header ends early");
        }
    }

    /** The header dict: {@code descr}, {@code fortran_order}, {@code shape}, in any order. */
    private static Header parse(String text, String where) throws ParameterFileException {
        Header h = new Header();
        java.util.regex.Matcher descr = java.util.regex.Pattern.compile("'descr'\\s*:\\s*'([^']*)'").matcher(text);
        java.util.regex.Matcher fortran = java.util.regex.Pattern.compile("'fortran_order'\\s*:\\s*(True|False)").matcher(text);
        java.util.regex.Matcher shape = java.util.regex.Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)").matcher(text);
        if (!text.trim().startsWith("{") || !descr.find() || !fortran.find() || !shape.find()) {
            throw new ParameterFileException(where + ": the .npy header is not the dict NumPy writes: " + shorten(text.trim()));
        }
        h.descr = descr.group(1);
        h.fortran = fortran.group(1).equals("True");
        List<Long> dims = new ArrayList<>();
        for (String part : shape.group(1).split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            try {
                long v = Long.parseLong(p.endsWith("L") ? p.substring(0, p.length() - 1) : p);
                if (v < 0) {
                    throw new NumberFormatException();
                }
                dims.add(v);
            } catch (NumberFormatException e) {
                throw new ParameterFileException(where + ": the .npy shape (" + shorten(shape.group(1)) + ") is not whole numbers");
            }
        }
        h.shape = new long[dims.size()];
        for (int i = 0; i < h.shape.length; i++) {
            h.shape[i] = dims.get(i);
        }
        String d = h.descr;
        h.order = d.startsWith(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        String kind = d.length() > 0 && "<>=|".indexOf(d.charAt(0)) >= 0 ? d.substring(1) : d;
        h.dtype = kind.equals("f8") ? DType.F64 : kind.equals("f4") ? DType.F32 : kind.equals("f2") ? DType.F16 : null;
        return h;
    }

    private static String shorten(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "…";
    }

    /** Writes {@code tensors} as an {@code .npz} archive ({@code np.savez}'s: stored, not compressed). */
    static void writeArchive(OutputStream out, List<TensorFile.Out> tensors, DType dtype) throws IOException {
        ZipOutputStream zip = new ZipOutputStream(out);
        for (TensorFile.Out t : tensors) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            write(bytes, t, dtype);
            byte[] b = bytes.toByteArray();
            ZipEntry e = new ZipEntry(t.name + ".npy");
            e.setMethod(ZipEntry.STORED);
            e.setSize(b.length);
            e.setCompressedSize(b.length);
            CRC32 crc = new CRC32();
            crc.update(b);
            e.setCrc(crc.getValue());
            e.setTime(0);   // the same bytes for the same parameters
            zip.putNextEntry(e);
            zip.write(b);
            zip.closeEntry();
        }
        zip.finish();
    }

    /** Writes one array as {@code .npy} version 1.0, little-endian, its header padded to 64 bytes as NumPy does. */
    static void write(OutputStream out, TensorFile.Out t, DType dtype) throws IOException {
        StringBuilder shape = new StringBuilder("(");
        for (int i = 0; i < t.shape.length; i++) {
            shape.append(i == 0 ? "" : ", ").append(t.shape[i]);
        }
        shape.append(t.shape.length == 1 ? ",)" : ")");
        String dict = "{'descr': '" + (dtype == DType.F64 ? "<f8" : "<f4") + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int total = MAGIC.length + 2 + 2 + dict.length() + 1;
        int pad = (64 - total % 64) % 64;
        StringBuilder header = new StringBuilder(dict);
        for (int i = 0; i < pad; i++) {
            header.append(' ');
        }
        header.append('\n');
        out.write(MAGIC);
        out.write(1);
        out.write(0);
        int n = header.length();
        out.write(n & 0xFF);
        out.write(n >>> 8);
        out.write(header.toString().getBytes(StandardCharsets.ISO_8859_1));
        TensorFile.writeData(out, t, dtype);
    }
}
