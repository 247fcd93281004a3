package dev.lossc.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Parameters by name: every format and precision round trips bit for bit; damaged and mismatched files are refused with a message. */
class ParametersTest {
    @TempDir
    Path tmp;

    /** The layout a generated class publishes for {@code W[3, 4] as "fc.weight"}, {@code b[3] as "fc.bias"}, {@code s} (a scalar). */
    static final Object[][] LAYOUT = {
        {"W", "fc.weight", new int[] {3, 4}, 0},
        {"b", "fc.bias", new int[] {3}, 12},
        {"s", "s", new int[0], 15},
    };

    static final Parameters PARAMS = Parameters.of(LAYOUT);

    /** Values that test a format: ordinary ones, -0.0, subnormals, the extremes, infinities and NaN. */
    static double[] awkward(long seed) {
        java.util.Random rnd = new java.util.Random(seed);
        double[] v = new double[16];
        for (int i = 0; i < v.length; i++) {
            v[i] = rnd.nextGaussian() * Math.pow(10, rnd.nextInt(60) - 30);
        }
        v[1] = -0.0;
        v[2] = Double.MIN_VALUE;
        v[3] = Double.MAX_VALUE;
        v[4] = Double.NEGATIVE_INFINITY;
        v[5] = Double.NaN;
        v[6] = 0.1;
        v[7] = -Double.MIN_NORMAL;
        return v;
    }

    @ParameterizedTest
    @ValueSource(strings = {"p.json", "p.safetensors", "p.npz", "p.npy"})
    void doublesRoundTripBitForBit(String name) throws IOException {
        double[] v = awkward(1);
        Path file = tmp.resolve(name);
        PARAMS.write(file, v);
        double[] back = new double[16];
        PARAMS.read(file, back);
        for (int i = 0; i < v.length; i++) {
            assertEquals(Double.doubleToLongBits(v[i]), Double.doubleToLongBits(back[i]), name + " element " + i + ": " + v[i] + " vs " + back[i]);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"p.json", "p.safetensors", "p.npz", "p.npy"})
    void floatsRoundTripBitForBit(String name) throws IOException {
        double[] d = awkward(2);
        float[] v = new float[16];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) d[i];
        }
        v[2] = Float.MIN_VALUE;
        Path file = tmp.resolve(name);
        PARAMS.write(file, v);
        float[] back = new float[16];
        PARAMS.read(file, back);
        for (int i = 0; i < v.length; i++) {
            assertEquals(Float.floatToIntBits(v[i]), Float.floatToIntBits(back[i]), name + " element " + i);
        }
        if (!name.endsWith(".json")) {
            // Written as F32: into a double class, each value widened exactly.
            double[] wide = new double[16];
            PARAMS.read(file, wide);
            for (int i = 0; i < v.length; i++) {
                assertEquals(Double.doubleToLongBits(v[i]), Double.doubleToLongBits(wide[i]), name + " widened element " + i);
            }
        }
    }

    @Test
    void f64IntoAFloatClassIsRoundedToTheNearestFloat() throws IOException {
        double[] v = awkward(3);
        Path file = tmp.resolve("p.safetensors");
        PARAMS.write(file, v);
        float[] back = new float[16];
        PARAMS.read(file, back);
        for (int i = 0; i < v.length; i++) {
            assertEquals(Float.floatToIntBits((float) v[i]), Float.floatToIntBits(back[i]), "element " + i);
        }
        PARAMS.write(tmp.resolve("p32.safetensors"), v, DType.F32);
        try (SafeTensors f = SafeTensors.open(tmp.resolve("p32.safetensors"))) {
            assertEquals(DType.F32, f.entry("fc.weight").dtype());
        }
    }

    /** What a reader of the format sees: safetensors' header, npz's entry names, the params file's text. */
    @Test
    void filesAreNamedAsAStateDictAndAParamsFile() throws IOException {
        double[] v = new double[16];
        Arrays.setAll(v, i -> i / 4.0);
        PARAMS.write(tmp.resolve("p.safetensors"), v);
        byte[] bytes = Files.readAllBytes(tmp.resolve("p.safetensors"));
        long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, n % 8, "the header is padded to 8 bytes");
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8).trim();
        assertEquals("{\"fc.weight\":{\"dtype\":\"F64\",\"shape\":[3,4],\"data_offsets\":[0,96]},"
                + "\"fc.bias\":{\"dtype\":\"F64\",\"shape\":[3],\"data_offsets\":[96,120]},"
                + "\"s\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[120,128]}}", header);
        assertEquals(8 + n + 128, bytes.length);
        PARAMS.write(tmp.resolve("p.json"), v);
        assertEquals("{\n  \"W\": [[0.0, 0.25, 0.5, 0.75], [1.0, 1.25, 1.5, 1.75], [2.0, 2.25, 2.5, 2.75]],\n"
                + "  \"b\": [3.0, 3.25, 3.5],\n  \"s\": 3.75\n}\n", new String(Files.readAllBytes(tmp.resolve("p.json")), StandardCharsets.UTF_8));
        PARAMS.write(tmp.resolve("p.npz"), v);
        try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(tmp.resolve("p.npz").toFile())) {
            assertEquals(Arrays.asList("fc.weight.npy", "fc.bias.npy", "s.npy"),
                    Collections.list(zip.entries()).stream().map(java.util.zip.ZipEntry::getName).collect(java.util.stream.Collectors.toList()));
        }
        byte[] again = bytes.clone();
        PARAMS.write(tmp.resolve("p.safetensors"), v);
        assertArrayEquals(again, Files.readAllBytes(tmp.resolve("p.safetensors")), "the same parameters give the same bytes");
    }

    /** The layout of a class with {@code state m[3] as "bn.running_mean"} and {@code state v[3] as "bn.running_var"}. */
    static final Object[][] STATES = {
        {"m", "bn.running_mean", new int[] {3}, 0},
        {"v", "bn.running_var", new int[] {3}, 3},
    };

    @ParameterizedTest
    @ValueSource(strings = {"p.json", "p.safetensors", "p.npz", "p.npy"})
    void statesTravelWithTheParameters(String name) throws IOException {
        Parameters both = Parameters.of(LAYOUT, STATES);
        assertEquals(16, both.parameterCount());
        assertEquals(22, both.size());
        assertEquals(16, both.named("m").offset(), "a state's offset counts from the end of the parameters");
        double[] params = awkward(5);
        double[] states = {0.5, -1, 2, 1.5, 0.25, 3};
        Path file = tmp.resolve(name);
        both.write(file, params, states);
        double[] p2 = new double[16];
        double[] s2 = new double[6];
        both.read(file, p2, s2);
        assertArrayEquals(params, p2);
        assertArrayEquals(states, s2);
        float[] pf = new float[16];
        float[] sf = new float[6];
        both.write(file, toFloats(params), toFloats(states));
        both.read(file, pf, sf);
        assertArrayEquals(toFloats(states), sf);
        // A parameters-only layout refuses a file that also holds states (strict), and reads the parameters from it when not strict.
        if (!name.endsWith(".npy")) {
            both.write(file, params, states);
            ParameterFileException e = assertThrows(ParameterFileException.class, () -> PARAMS.read(file, new double[16]));
            assertTrue(e.getMessage().contains("is not a parameter of the model"), e.getMessage());
            double[] only = new double[16];
            PARAMS.read(file, only, false);
            assertArrayEquals(params, only);
        }
        IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class, () -> both.write(file, params, new double[5]));
        assertEquals("the arrays have lengths 16 and 5, but the model has 16 parameters and 6 states", wrong.getMessage());
    }

    @Test
    void aStateDictsBatchCounterIsSkippedAndNothingElse() throws IOException {
        // PyTorch's BatchNorm1d state dict: weight, bias, running_mean, running_var and an int64 num_batches_tracked.
        Object[][] layout = {{"g", "bn.weight", new int[] {2}, 0}, {"be", "bn.bias", new int[] {2}, 2}};
        Object[][] states = {{"m", "bn.running_mean", new int[] {2}, 0}, {"v", "bn.running_var", new int[] {2}, 2}};
        ByteBuffer data = ByteBuffer.allocate(8 * 8 + 8).order(ByteOrder.LITTLE_ENDIAN);
        for (double d : new double[] {1, 2, 3, 4, 5, 6, 7, 8}) {
            data.putDouble(d);
        }
        data.putLong(42);
        String tensors = "\"bn.weight\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]},"
                + "\"bn.bias\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[16,32]},"
                + "\"bn.running_mean\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[32,48]},"
                + "\"bn.running_var\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[48,64]},";
        Path f = safetensors("bn.safetensors", "{" + tensors + "\"bn.num_batches_tracked\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[64,72]}}",
                data.array());
        double[] p = new double[4];
        double[] s = new double[4];
        Parameters.of(layout, states).read(f, p, s);
        assertArrayEquals(new double[] {1, 2, 3, 4}, p);
        assertArrayEquals(new double[] {5, 6, 7, 8}, s);
        // Without states the counter is a tensor like any other: refused (it is not a parameter, and an integer).
        assertThrows(ParameterFileException.class, () -> Parameters.of(layout).read(f, new double[4]));
        // A counter of another module is not skipped.
        Path other = safetensors("other.safetensors", "{" + tensors + "\"bn2.num_batches_tracked\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[64,72]}}",
                data.array());
        ParameterFileException e = assertThrows(ParameterFileException.class, () -> Parameters.of(layout, states).read(other, p, s));
        assertTrue(e.getMessage().contains("bn2.num_batches_tracked"), e.getMessage());
    }

    private static float[] toFloats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }

    // ------------------------------------------------------------------ hand-made files

    /** A safetensors file from a header and raw data. */
    private Path safetensors(String name, String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        return Files.write(tmp.resolve(name), b.array());
    }

    private static byte[] shorts(int... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) {
            b.putShort((short) v);
        }
        return b.array();
    }

    @Test
    void halfAndBrainFloatsAreReadExactly() throws IOException {
        // F16: 1, -2, 65504 (the largest), 2^-24 (the smallest subnormal), +inf, 0.333251953125; BF16: 1, -3.5, 2^-133.
        Object[][] layout = {{"h", "h", new int[] {6}, 0}, {"g", "g", new int[] {3}, 6}};
        Path f = safetensors("half.safetensors", "{\"h\":{\"dtype\":\"F16\",\"shape\":[6],\"data_offsets\":[0,12]},"
                + "\"g\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[12,18]}}",
                concat(shorts(0x3C00, 0xC000, 0x7BFF, 0x0001, 0x7C00, 0x3555), shorts(0x3F80, 0xC060, 0x0001)));
        double[] v = new double[9];
        Parameters.of(layout).read(f, v);
        assertArrayEquals(new double[] {1, -2, 65504, Math.pow(2, -24), Double.POSITIVE_INFINITY, 0.333251953125, 1, -3.5, Math.pow(2, -133)}, v);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    /** An .npy file with NumPy's header for {@code descr}, {@code fortran}, {@code shape}. */
    private static byte[] npy(String descr, boolean fortran, String shape, byte[] data) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + shape + ", }";
        StringBuilder h = new StringBuilder(dict);
        while ((10 + h.length() + 1) % 64 != 0) {
            h.append(' ');
        }
        h.append('\n');
        ByteBuffer b = ByteBuffer.allocate(10 + h.length() + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) h.length()).put(h.toString().getBytes(StandardCharsets.ISO_8859_1)).put(data);
        return b.array();
    }

    @Test
    void bigEndianAndFortranOrderedArraysAreReadInRowMajorOrder() throws IOException {
        // [[1, 2, 3], [4, 5, 6]] written column by column, big-endian.
        ByteBuffer be = ByteBuffer.allocate(48).order(ByteOrder.BIG_ENDIAN);
        for (double x : new double[] {1, 4, 2, 5, 3, 6}) {
            be.putDouble(x);
        }
        Path zip = tmp.resolve("m.npz");
        try (java.util.zip.ZipOutputStream out = new java.util.zip.ZipOutputStream(Files.newOutputStream(zip))) {
            out.putNextEntry(new java.util.zip.ZipEntry("M.npy"));
            out.write(npy(">f8", true, "(2, 3)", be.array()));
            out.closeEntry();
        }
        double[] v = new double[6];
        Parameters.of(new Object[][] {{"M", "M", new int[] {2, 3}, 0}}).read(zip, v);
        assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, v);
    }

    // ------------------------------------------------------------------ refusals

    private String refused(Path file) {
        double[] v = new double[16];
        Arrays.fill(v, 7);
        ParameterFileException e = assertThrows(ParameterFileException.class, () -> PARAMS.read(file, v));
        double[] sevens = new double[16];
        Arrays.fill(sevens, 7);
        assertArrayEquals(sevens, v, "a refused file changes nothing");
        return e.getMessage();
    }

    private static final String GOOD_HEADER = "{\"fc.weight\":{\"dtype\":\"F64\",\"shape\":[3,4],\"data_offsets\":[0,96]},"
            + "\"fc.bias\":{\"dtype\":\"F64\",\"shape\":[3],\"data_offsets\":[96,120]},\"s\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[120,128]}}";

    @Test
    void damagedSafetensorsAreRefused() throws IOException {
        Path truncated = safetensors("t.safetensors", GOOD_HEADER, new byte[100]);
        assertEquals(truncated + ": tensor 'fc.bias': data_offsets [96, 120] lie outside the 100 bytes of data", refused(truncated));
        Path longer = safetensors("l.safetensors", GOOD_HEADER, new byte[140]);
        assertEquals(longer + ": the tensors' data ends at byte 128, but the file holds 140 bytes of data", refused(longer));
        Path beyond = tmp.resolve("beyond.safetensors");
        Files.write(beyond, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).array());
        assertEquals(beyond + ": not a safetensors file: its header length (1000 bytes) goes beyond the end of the file (16 bytes)", refused(beyond));
        Path tiny = Files.write(tmp.resolve("tiny.safetensors"), new byte[] {1, 2, 3});
        assertEquals(tiny + ": not a safetensors file: 3 bytes, fewer than the 8 of its header length", refused(tiny));
        Path huge = tmp.resolve("huge.safetensors");
        try (RandomAccessFile f = new RandomAccessFile(huge.toFile(), "rw")) {
            f.setLength(SafeTensors.MAX_HEADER_BYTES + 100);   // sparse: no disk is used
            f.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(SafeTensors.MAX_HEADER_BYTES + 1).array());
        }
        assertEquals(huge + ": the safetensors header is 100000001 bytes; the limit is 100000000", refused(huge));
        Path overlap = safetensors("o.safetensors", GOOD_HEADER.replace("[96,120]", "[88,112]").replace("[120,128]", "[112,120]"), new byte[120]);
        assertEquals(overlap + ": the data of two tensors overlap (at byte 88 of the data)", refused(overlap));
        Path gap = safetensors("g.safetensors", GOOD_HEADER.replace("[96,120]", "[104,128]").replace("[120,128]", "[128,136]"), new byte[136]);
        assertEquals(gap + ": bytes 96 to 104 of the data belong to no tensor", refused(gap));
        Path size = safetensors("s.safetensors", GOOD_HEADER.replace("\"shape\":[3,4]", "\"shape\":[3,5]"), new byte[128]);
        assertEquals(size + ": tensor 'fc.weight' has shape [3, 5] of F64 (120 bytes), but data_offsets span 96 bytes", refused(size));
        Path unknown = safetensors("u.safetensors", GOOD_HEADER.replace("\"dtype\":\"F64\",\"shape\":[3]", "\"dtype\":\"Q99\",\"shape\":[3]"), new byte[128]);
        assertEquals(unknown + ": tensor 'fc.bias' has an unknown dtype 'Q99'", refused(unknown));
        Path ints = safetensors("i.safetensors", GOOD_HEADER.replace("\"dtype\":\"F64\",\"shape\":[3]", "\"dtype\":\"I64\",\"shape\":[3]"), new byte[128]);
        assertEquals(ints + ": tensor 'fc.bias' has element type I64; parameters are read from floating-point tensors (F64, F32, F16, BF16)",
                refused(ints));
        Path notJson = safetensors("j.safetensors", "{\"fc.weight\": [1, 2,}", new byte[0]);
        assertTrue(refused(notJson).startsWith(notJson + " (header):1:"), refused(notJson));
        Path array = safetensors("a.safetensors", "[1, 2]", new byte[0]);
        assertEquals(array + ": the safetensors header is not a JSON object", refused(array));
        Path twice = safetensors("d.safetensors", "{\"s\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[0,8]},"
                + "\"s\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[8,16]}}", new byte[16]);
        assertTrue(refused(twice).endsWith("the name 's' appears twice"), refused(twice));
    }

    @Test
    void aTensorThatDoesNotFitTheModelIsNamedWithBothShapes() throws IOException {
        Path wrong = safetensors("w.safetensors", GOOD_HEADER.replace("\"shape\":[3,4],\"data_offsets\":[0,96]", "\"shape\":[4,3],\"data_offsets\":[0,96]"),
                new byte[128]);
        assertEquals(wrong + ": tensor 'fc.weight' has shape [4, 3], but parameter W is [3, 4]", refused(wrong));
        Path missing = safetensors("m.safetensors", "{\"fc.weight\":{\"dtype\":\"F64\",\"shape\":[3,4],\"data_offsets\":[0,96]}}", new byte[96]);
        assertEquals(missing + ": no tensor for 'fc.bias' (b) [3], 's' (s) []", refused(missing));
        Path extra = safetensors("e.safetensors", GOOD_HEADER.substring(0, GOOD_HEADER.length() - 1) + ",\"fc2.weight\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[128,136]}}",
                new byte[136]);
        assertEquals(extra + ": tensor 'fc2.weight' is not a parameter of the model (its parameters: 'fc.weight', 'fc.bias', 's')", refused(extra));
        // Not strict: what is there is read, the rest kept.
        double[] v = new double[16];
        Arrays.fill(v, 7);
        Set<String> read = PARAMS.read(missing, v, false);
        assertEquals(Collections.singleton("W"), read);
        assertEquals(0.0, v[0]);
        assertEquals(7.0, v[12]);
        Path json = Files.write(tmp.resolve("p.json"), "{\"W\": [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11]], \"b\": [1, 2, 3], \"s\": 1}".getBytes(StandardCharsets.UTF_8));
        assertEquals(json + ":1:2: the value of 'W' is an array of rows of different lengths, not a number or nested arrays of numbers", refused(json));
        Path npy = tmp.resolve("p.npy");
        Files.write(npy, npy("<f8", false, "(15,)", new byte[120]));
        assertEquals(npy + ": the array has shape [15], but the model's parameters, flat, are [16]", refused(npy));
        Path bad = Files.write(tmp.resolve("p.npz"), "not a zip".getBytes(StandardCharsets.UTF_8));
        assertEquals(bad + ": not an .npz file (not a zip archive)", refused(bad));
        ParameterFileException e = assertThrows(ParameterFileException.class, () -> PARAMS.read(tmp.resolve("p.pt"), new double[16]));
        assertEquals(tmp.resolve("p.pt") + ": the name must end in .json (lossc's params), .safetensors, .npz or .npy", e.getMessage());
        IllegalArgumentException length = assertThrows(IllegalArgumentException.class, () -> PARAMS.read(json, new double[15]));
        assertEquals("the parameters array has length 15, but the model has 16", length.getMessage());
    }

    @Test
    void aLayoutIsChecked() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Parameters.of(new Object[][] {{"W", "w", new int[] {2}, 0}, {"b", "w", new int[] {2}, 2}}));
        assertEquals("parameter b (w) appears twice in the layout", e.getMessage());
        List<Parameters.Parameter> list = PARAMS.list();
        assertEquals("W (\"fc.weight\") [3, 4]", list.get(0).toString());
        assertEquals(16, PARAMS.size());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThrows(IllegalArgumentException.class, () -> PARAMS.write(out, TensorFile.Format.SAFETENSORS, new double[16], DType.F16,
                Collections.<String, String>emptyMap()));
    }
}
