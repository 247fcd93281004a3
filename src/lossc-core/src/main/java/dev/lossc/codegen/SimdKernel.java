package dev.lossc.codegen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.lossc.types.Precision;
import java.util.Arrays;
import java.util.stream.Stream;
import javax.lang.model.element.Modifier;

/**
 * The matrix product of {@code --simd}: one {@code gemm} method, emitted into the class, on the
 * incubating Vector API ({@code jdk.incubator.vector}). C2 does not keep a product's partial sums
 * in registers when it vectorizes plain loops (every step loads and stores C); here a tile of C,
 * four rows by four vectors, is summed in registers over a panel of B's rows copied into one
 * contiguous array, with {@code fma}. Every operand is read in place through strides, so
 * {@code A @ transpose(B)} and {@code transpose(A) @ B} need no transposed copy. The first tile
 * over a panel copies B's rows into it as it reads them ({@link #PACKING_TILE}), so B is read
 * once while multiply-adds run; a B read transposed is gathered by {@code pack}, eight of its rows
 * at a time. Without {@code accumulate}, the first panel's sums are stored without reading C.
 *
 * <p>That tile keeps 21 vectors live (sixteen sums, four of B, a broadcast of A): AVX-512 has 32
 * vector registers, AVX2 only sixteen, where C2 spills it. Where the CPU's vectors are narrower
 * than 512 bits ({@code WIDE_TILES} false), {@code gemm} runs {@code gemmNarrow} instead: tiles of
 * four rows by two vectors (eleven live vectors; three for an odd number of vectors left), over a
 * copy of each panel's rows of A interleaved four rows at a time ({@code packA}), so that every
 * index in a tile's loop is its counter times a constant and C2 drops the range checks. Each
 * element is summed in the same order on either path, so the results are the same to the bit.
 *
 * <p>In a {@code float} class the same code runs on {@code FloatVector}s, twice the lanes.
 *
 * <p>The sums are those of the default code grouped differently (per panel, fused multiply-adds),
 * so results agree to rounding, not to the bit.
 */
final class SimdKernel {

    static final String GEMM = "gemm";
    static final String SPECIES = "SPECIES";
    static final String PANEL_DEPTH = "PANEL_DEPTH";
    /** The panel's length: B's panel, then (narrow vectors only) A's rows of one panel. */
    static final String PANEL_LENGTH = "PANEL_LENGTH";
    /** Whether the CPU's vectors are 512 bits or more: {@code gemm}'s four-by-four tiles, else {@code gemmNarrow}'s. */
    static final String WIDE_TILES = "WIDE_TILES";
    /** The most rows of C of a product on the kernel in the class: A's rows the panel holds for {@code gemmNarrow}. */
    static final String A_ROWS = "A_ROWS";
    private static final String NARROW = "gemmNarrow";
    private static final String PACK_A = "packA";
    /** {@code gemmNarrow}'s tile of four rows by two vectors that also copies B's rows into the panel as it reads them. */
    private static final String NARROW_PACKING_TILE = "packedTile4x2Packing";
    /**
     * The tile of four rows by four vectors that also packs: it reads its vectors of B in place and
     * copies them into the panel as it goes, so the panel is written by the first tile of C's rows
     * over it instead of by {@code pack} before them.
     */
    static final String PACKING_TILE = "tile4x4Packing";

    /** Rows of C a tile method sums at once: four (with four vectors, sixteen sums in registers), then fewer for the rest. */
    private static final int[] TILE_ROWS = {4, 2, 1};
    /** Vectors of columns a tile spans: four, then at most one panel of three and one of two for what is left. */
    private static final int[] TILE_VECTORS = {4, 3, 2};
    /** The widest panel, in vectors: the panel array holds {@link #DEPTH} rows of this many. */
    static final int PANEL_VECTORS = TILE_VECTORS[0];
    /** Vectors of columns the tiles of {@code gemmNarrow} span: two, then one panel of three for an odd number left. */
    private static final int[] NARROW_VECTORS = {2, 3};
    /** Names the class may not give anything else: the constants, {@code pack} and every tile method. */
    static final String[] MEMBERS = Stream.of(Stream.of(GEMM, SPECIES, PANEL_DEPTH, PANEL_LENGTH, WIDE_TILES, A_ROWS, NARROW, PACK_A, "pack",
                    PACKING_TILE, NARROW_PACKING_TILE),
            Arrays.stream(TILE_VECTORS).boxed().flatMap(v -> Arrays.stream(TILE_ROWS).mapToObj(r -> tileName(r, v))),
            Arrays.stream(NARROW_VECTORS).boxed().flatMap(v -> Arrays.stream(TILE_ROWS).mapToObj(r -> packedTileName(r, v))))
            .flatMap(x -> x).toArray(String[]::new);

    /** Rows of B in one panel: 128 × 32 doubles (or 64 floats), 32 KB with AVX-512. */
    static final int DEPTH = 128;

    private static final ClassName VECTOR_SPECIES = ClassName.get("jdk.incubator.vector", "VectorSpecies");

    private final Precision precision;
    /** {@code DoubleVector} or {@code FloatVector}. */
    private final ClassName vector;
    /** {@code double[]} or {@code float[]}. */
    private final TypeName array;

    private SimdKernel(Precision precision) {
        this.precision = precision;
        this.vector = ClassName.get("jdk.incubator.vector", precision.single() ? "FloatVector" : "DoubleVector");
        this.array = ArrayTypeName.of(precision.single() ? TypeName.FLOAT : TypeName.DOUBLE);
    }

    /** Adds the constants, the panel field {@code panel} and the methods, for elements of {@code precision}, to {@code type}. */
    static void addTo(TypeSpec.Builder type, String panel, Precision precision, int aRows) {
        new SimdKernel(precision).add(type, panel, aRows);
    }

    private void add(TypeSpec.Builder type, String panel, int aRows) {
        String t = precision.type();
        int lanes = precision.single() ? 16 : 8;
        type.addField(FieldSpec.builder(ParameterizedTypeName.get(VECTOR_SPECIES, ClassName.get("java.lang", precision.boxed())), SPECIES,
                        Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("The widest vector of $Ls this CPU has ($L lanes with AVX-512, $L with AVX2).\n", t, lanes, lanes / 2)
                .initializer("$T.SPECIES_PREFERRED", vector).build());
        type.addField(FieldSpec.builder(int.class, PANEL_DEPTH, Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("Rows of B copied into one panel ($L rows of $L $L-lane vectors: $L KB, read in order).\n", DEPTH, PANEL_VECTORS, lanes,
                        DEPTH * PANEL_VECTORS * 64 / 1024)
                .initializer("$L", DEPTH).build());
        type.addField(FieldSpec.builder(boolean.class, WIDE_TILES, Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("Vectors of 512 bits or more (AVX-512, 32 vector registers): {@code gemm}'s four-by-four tiles; else\n"
                        + "(AVX2, 16 registers, where those tiles spill) {@code $L}'s four-by-two tiles over a packed A.\n", NARROW)
                .initializer("$L.vectorBitSize() >= 512", SPECIES).build());
        type.addField(FieldSpec.builder(int.class, A_ROWS, Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("The most rows of C of a product on {@code gemm} in this class.\n")
                .initializer("$L", aRows).build());
        type.addField(FieldSpec.builder(int.class, PANEL_LENGTH, Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("A panel's length: B's rows ($L of up to $L vectors), then, for {@code $L}, A's ($L of $L).\n", PANEL_DEPTH,
                        PANEL_VECTORS, NARROW, A_ROWS, PANEL_DEPTH)
                .initializer("$L * ($L * $L.length() + ($L ? 0 : $L))", PANEL_DEPTH, PANEL_VECTORS, SPECIES, WIDE_TILES, A_ROWS).build());
        type.addField(FieldSpec.builder(array, panel, Modifier.PRIVATE, Modifier.FINAL)
                .addJavadoc("A panel of B (and of A, for {@code $L}) for {@code gemm}.\n", NARROW)
                .initializer("new $L[$L]", t, PANEL_LENGTH).build());
        type.addMethod(gemm());
        type.addMethod(narrowGemm());
        type.addMethod(pack());
        type.addMethod(packA());
        type.addMethod(tile(TILE_ROWS[0], TILE_VECTORS[0], true));
        for (int vectors : TILE_VECTORS) {
            for (int rows : TILE_ROWS) {
                type.addMethod(tile(rows, vectors, false));
            }
        }
        type.addMethod(packedTile(TILE_ROWS[0], NARROW_VECTORS[0], true));
        for (int vectors : NARROW_VECTORS) {
            for (int rows : TILE_ROWS) {
                type.addMethod(packedTile(rows, vectors, false));
            }
        }
    }

    private MethodSpec gemm() {
        MethodSpec.Builder m = MethodSpec.methodBuilder(GEMM).addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("""
                        C = A B, or C += A B with {@code accumulate}, for C [m, k]: A's element (i, s) is
                        {@code a[ao + i * ais + s * aps]}, B's element (s, j) is {@code b[bo + s * bps + j * bjs]},
                        C's element (i, j) is {@code c[co + i * ldc + j]}. B is copied a panel at a time (rows
                        {@code s0 .. s0 + PANEL_DEPTH}, four, three or two vectors of columns) into {@code panel}, and tiles of C
                        sum over it in registers. Without {@code accumulate}, the first panel's sums are stored
                        (plus zero, as if added to a C of zeros) without reading C.
                        """);
        gemmParameters(m);
        CodeBlock.Builder c = CodeBlock.builder()
                .addStatement("int L = $L.length()", SPECIES)
                .beginControlFlow("if (!accumulate && n <= 0)")
                .beginControlFlow("for (int i = 0; i < m; i++)")
                .addStatement("$T.fill(c, co + i * ldc, co + i * ldc + k, $L)", ClassWriter.ARRAYS, precision.zero())
                .endControlFlow()
                .endControlFlow()
                .beginControlFlow("if (!$L)", WIDE_TILES)
                .addStatement("$L(m, n, k, a, ao, ais, aps, b, bo, bps, bjs, c, co, ldc, accumulate, panel)", NARROW)
                .addStatement("return")
                .endControlFlow()
                .add("// Four vectors of columns at a time, then one panel of three and one of two for what is\n")
                .add("// left, as many fours as leave no single vector over (72 columns of 8 lanes are 32 + 24 + 16,\n")
                .add("// not 64 and 8 columns one by one).\n")
                .addStatement("int fours = k / L / 4")
                .beginControlFlow("if (k / L - 4 * fours == 1 && fours > 0)")
                .addStatement("fours--")
                .endControlFlow()
                .beginControlFlow("for (int s0 = 0; s0 < n; s0 += $L)", PANEL_DEPTH)
                .addStatement("int depth = Math.min(n - s0, $L)", PANEL_DEPTH)
                .add("// The first panel of a product that does not accumulate stores its sums: C is not read.\n")
                .addStatement("boolean first = s0 == 0 && !accumulate")
                .addStatement("int j = 0");
        for (int vectors : TILE_VECTORS) {
            // Fours: a loop; then three vectors when an odd number of them (three or five) is left; then two.
            if (vectors == 4) {
                c.beginControlFlow("for (; j < fours * 4 * L; j += 4 * L)");
            } else if (vectors == 3) {
                c.beginControlFlow("if (j + 3 * L <= k && (k - j) / L % 2 == 1)");
            } else {
                c.beginControlFlow("if (j + 2 * L <= k)");
            }
            columnBlock(c, vectors, vectors == TILE_VECTORS[0]
                            ? PACKING_TILE + "(depth, a, ao + s0 * aps, ais, aps, b, bo + s0 * bps + j, bps, panel, c, co + j, ldc, first)" : null,
                    rows -> tileName(rows, vectors) + "(depth, a, ao + i * ais + s0 * aps, ais, aps, panel, c, co + i * ldc + j, ldc, first)",
                    vectors != TILE_VECTORS[0]);
            c.endControlFlow();
        }
        lastColumns(c);
        c.endControlFlow();
        return m.addCode(c.build()).build();
    }

    /**
     * One block of {@code vectors} vectors of columns from {@code j}: its panel of B, copied by the
     * first tile of four rows ({@code packingCall}, where given and B's rows are read in place) or
     * else by {@code pack}; then C's rows in tiles of four, a two and a one ({@code tileCall} for
     * the tile of that many rows from row {@code i}); then {@code j} past the block if {@code advance}.
     */
    private static void columnBlock(CodeBlock.Builder c, int vectors, String packingCall, java.util.function.IntFunction<String> tileCall,
            boolean advance) {
        c.addStatement("int i = 0");
        if (packingCall != null) {
            // B's rows read in place by the first tile, which copies them into the panel as it goes.
            c.beginControlFlow("if (bjs == 1 && m >= 4)")
                    .addStatement("$L", packingCall)
                    .addStatement("i = 4")
                    .nextControlFlow("else");
        }
        c.addStatement("pack(b, bo, bps, bjs, s0, depth, j, $L * L, panel)", vectors);
        if (packingCall != null) {
            c.endControlFlow();
        }
        for (int rows : TILE_ROWS) {
            if (rows == TILE_ROWS[0]) {
                c.beginControlFlow("for (; i + $L <= m; i += $L)", rows, rows);
            } else {
                c.beginControlFlow("if (i + $L <= m)", rows);
            }
            c.addStatement("$L", tileCall.apply(rows));
            if (rows > 1 && rows != TILE_ROWS[0]) {
                c.addStatement("i += $L", rows);
            }
            c.endControlFlow();
        }
        if (advance) {
            c.addStatement("j += $L * L", vectors);
        }
    }

    /** The columns after the vector tiles, fewer than two vectors: one sum at a time, over the panel's rows. */
    private void lastColumns(CodeBlock.Builder c) {
        c.add("// The last columns, fewer than two vectors: one sum at a time.\n")
                .beginControlFlow("for (; j < k; j++)")
                .beginControlFlow("for (int i = 0; i < m; i++)")
                .addStatement("$L acc = $L", precision.type(), precision.zero())
                .beginControlFlow("for (int s = s0; s < s0 + depth; s++)")
                .addStatement("acc += a[ao + i * ais + s * aps] * b[bo + s * bps + j * bjs]")
                .endControlFlow()
                .addStatement("c[co + i * ldc + j] = (first ? $L : c[co + i * ldc + j]) + acc", precision.zero())
                .endControlFlow()
                .endControlFlow();
    }

    /** {@code gemm}'s parameters, in its order. */
    private void gemmParameters(MethodSpec.Builder m) {
        for (String p : new String[] {"m", "n", "k"}) {
            m.addParameter(int.class, p);
        }
        m.addParameter(array, "a");
        for (String p : new String[] {"ao", "ais", "aps"}) {
            m.addParameter(int.class, p);
        }
        m.addParameter(array, "b");
        for (String p : new String[] {"bo", "bps", "bjs"}) {
            m.addParameter(int.class, p);
        }
        m.addParameter(array, "c").addParameter(int.class, "co").addParameter(int.class, "ldc")
                .addParameter(boolean.class, "accumulate").addParameter(array, "panel");
    }

    /**
     * {@code gemm} where the vectors are narrower than 512 bits: per panel, A's rows copied into the
     * panel after B's, then two vectors of columns at a time (three once, for an odd number left),
     * in tiles of four rows.
     */
    private MethodSpec narrowGemm() {
        MethodSpec.Builder m = MethodSpec.methodBuilder(NARROW).addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("""
                        {@code gemm} for vectors narrower than 512 bits (AVX2's sixteen registers): each panel's rows of A are
                        copied after B's into {@code panel}, four rows interleaved ({@code packA}), and tiles of four rows by two
                        vectors (three once, for an odd number of vectors) sum over both. The same sums in the same order as
                        {@code gemm}'s tiles.
                        """);
        gemmParameters(m);
        CodeBlock.Builder c = CodeBlock.builder()
                .addStatement("int L = $L.length()", SPECIES)
                .add("// Where A's rows start in the panel: after the widest panel of B.\n")
                .addStatement("int ap = $L * $L * L", PANEL_DEPTH, PANEL_VECTORS)
                .add("// Two vectors of columns at a time, and three once if an odd number of vectors is left, so that\n")
                .add("// no single vector is left over (as in gemm, every whole vector is in a tile when there are two).\n")
                .addStatement("int twos = k / L / 2")
                .addStatement("boolean three = k / L % 2 == 1 && twos > 0")
                .beginControlFlow("if (three)")
                .addStatement("twos--")
                .endControlFlow()
                .beginControlFlow("for (int s0 = 0; s0 < n; s0 += $L)", PANEL_DEPTH)
                .addStatement("int depth = Math.min(n - s0, $L)", PANEL_DEPTH)
                .addStatement("boolean first = s0 == 0 && !accumulate")
                .addStatement("$L(a, ao, ais, aps, m, s0, depth, panel, ap)", PACK_A)
                .addStatement("int j = 0");
        for (int vectors : NARROW_VECTORS) {
            if (vectors == 2) {
                c.beginControlFlow("for (; j < twos * 2 * L; j += 2 * L)");
            } else {
                c.beginControlFlow("if (three)");
            }
            columnBlock(c, vectors, vectors == NARROW_VECTORS[0]
                            ? NARROW_PACKING_TILE + "(depth, panel, ap, b, bo + s0 * bps + j, bps, panel, c, co + j, ldc, first)" : null,
                    rows -> packedTileName(rows, vectors) + "(depth, panel, ap + i * depth, panel, c, co + i * ldc + j, ldc, first)",
                    vectors != NARROW_VECTORS[0]);
            c.endControlFlow();
        }
        lastColumns(c);
        c.endControlFlow();
        return m.addCode(c.build()).build();
    }

    /** A's rows of one panel, in the groups of rows the tiles take (four, then two, then one), each group's rows interleaved. */
    private MethodSpec packA() {
        MethodSpec.Builder m = MethodSpec.methodBuilder(PACK_A).addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("""
                        Copies A's elements (i, s0 .. s0 + depth) of every row i into {@code panel} from {@code ap}, in the groups
                        of rows the tiles take (fours, then a two, then a one): element (i + r, s0 + s) of a group of {@code rows}
                        from row i at {@code ap + i * depth + s * rows + r}.
                        """)
                .addParameter(array, "a");
        for (String p : new String[] {"ao", "ais", "aps", "m", "s0", "depth"}) {
            m.addParameter(int.class, p);
        }
        m.addParameter(array, "panel").addParameter(int.class, "ap");
        CodeBlock c = CodeBlock.builder()
                .addStatement("int i = 0")
                .beginControlFlow("while (i < m)")
                .addStatement("int rows = m - i >= 4 ? 4 : m - i >= 2 ? 2 : 1")
                .beginControlFlow("for (int s = 0; s < depth; s++)")
                .addStatement("int x = ao + i * ais + (s0 + s) * aps")
                .addStatement("int t = ap + i * depth + s * rows")
                .beginControlFlow("for (int r = 0; r < rows; r++)")
                .addStatement("panel[t + r] = a[x + r * ais]")
                .endControlFlow()
                .endControlFlow()
                .addStatement("i += rows")
                .endControlFlow()
                .build();
        return m.addCode(c).build();
    }

    /** The panel: B's rows s0 .. s0 + depth, columns j .. j + w, one row after another. */
    private MethodSpec pack() {
        MethodSpec.Builder m = MethodSpec.methodBuilder("pack").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .addJavadoc("Copies B's rows {@code s0 .. s0 + depth}, columns {@code j .. j + w}, into {@code panel}, one row after another.\n")
                .addParameter(array, "b");
        for (String p : new String[] {"bo", "bps", "bjs", "s0", "depth", "j", "w"}) {
            m.addParameter(int.class, p);
        }
        m.addParameter(array, "panel");
        CodeBlock.Builder c = CodeBlock.builder()
                .beginControlFlow("if (bjs == 1)")
                .beginControlFlow("for (int s = 0; s < depth; s++)")
                .addStatement("System.arraycopy(b, bo + (s0 + s) * bps + j, panel, s * w, w)")
                .endControlFlow()
                .nextControlFlow("else")
                .add("// B transposed: eight of its rows read along at once, each step writing eight adjacent elements\n")
                .add("// of a row of the panel (one of B's rows at a time wrote one element to each of the panel's rows).\n")
                .addStatement("int q = 0")
                .beginControlFlow("for (; q + 8 <= w; q += 8)")
                .addStatement("int from = bo + s0 * bps + (j + q) * bjs")
                .beginControlFlow("for (int s = 0, t = q; s < depth; s++, t += w)")
                .addStatement("int x = from + s * bps")
                .addStatement("panel[t] = b[x]")
                .addStatement("panel[t + 1] = b[x + bjs]");
        for (int r = 2; r < 8; r++) {
            c.addStatement("panel[t + $L] = b[x + $L * bjs]", r, r);
        }
        c.endControlFlow()
                .endControlFlow()
                .beginControlFlow("for (; q < w; q++)")
                .addStatement("int from = bo + s0 * bps + (j + q) * bjs")
                .beginControlFlow("for (int s = 0; s < depth; s++)")
                .addStatement("panel[s * w + q] = b[from + s * bps]")
                .endControlFlow()
                .endControlFlow()
                .endControlFlow();
        return m.addCode(c.build()).build();
    }

    /** The tile of {@code gemmNarrow} of {@code rows} rows by {@code vectors} vectors: {@code packedTile4x2}. */
    private static String packedTileName(int rows, int vectors) {
        return "packedTile" + rows + "x" + vectors;
    }

    /**
     * {@code rows} rows of C by {@code vectors} vectors over the panel's B and its packed A: A's
     * element (r, s) at {@code a0 + s * rows + r}, B's vector v of row s at {@code s * vectors * L + v * L}.
     */
    private MethodSpec packedTile(int rows, int vectors, boolean packing) {
        MethodSpec.Builder m = MethodSpec.methodBuilder(packing ? NARROW_PACKING_TILE : packedTileName(rows, vectors))
                .addModifiers(Modifier.PRIVATE, Modifier.STATIC);
        if (packing) {
            m.addJavadoc("""
                    $L, reading B's rows in place (row s's vectors from {@code bs + s * bps}) and copying them into the
                    panel as it goes, for the tiles of C's other rows (a separate copy of two vectors of every row of the
                    panel is many short copies).
                    """, packedTileName(rows, vectors));
        } else {
            m.addJavadoc("Adds $L row$L of the packed A (from {@code a0}, interleaved) times the panel ($L vectors wide) to C (from\n"
                            + "{@code c0}), $L sums in registers; with {@code first}, stores them (plus zero) without reading C. Every index\n"
                            + "is the loop's counter times a constant, so the loop has no range checks.\n",
                    rows, rows == 1 ? "" : "s", vectors, rows * vectors);
        }
        m.addParameter(int.class, "depth").addParameter(array, "a").addParameter(int.class, "a0");
        if (packing) {
            m.addParameter(array, "b").addParameter(int.class, "bs").addParameter(int.class, "bps");
        }
        m.addParameter(array, "panel").addParameter(array, "c").addParameter(int.class, "c0").addParameter(int.class, "ldc")
                .addParameter(boolean.class, "first");
        CodeBlock.Builder c = CodeBlock.builder();
        tileStart(c, rows, vectors);
        if (packing) {
            c.beginControlFlow("for (int s = 0, y = bs; s < depth; s++, y += bps)");
        } else {
            c.beginControlFlow("for (int s = 0; s < depth; s++)");
        }
        c.addStatement("int t = s * ($L * L)", vectors)
                .addStatement("int x = a0 + s * $L", rows);
        vectorsOfB(c, vectors, packing);
        multiplyAdds(c, rows, vectors, r -> r == 0 ? "x" : "x + " + r);
        c.endControlFlow();
        stores(c, rows, vectors);
        return m.addCode(c.build()).build();
    }

    /** {@code base + k * unit} as the tiles write it: {@code base}, {@code base + unit}, {@code base + 2 * unit}, … */
    private static String plus(String base, int k, String unit) {
        return k == 0 ? base : k == 1 ? base + " + " + unit : base + " + " + k + " * " + unit;
    }

    /** The method that sums a tile of {@code rows} rows by {@code vectors} vectors: {@code tile4x4}. */
    private static String tileName(int rows, int vectors) {
        return "tile" + rows + "x" + vectors;
    }

    /**
     * {@code rows} rows of C by {@code vectors} vectors: rows × vectors sums in registers over the
     * panel; {@code packing}: over B's rows in place, each vector copied into the panel once loaded.
     */
    private MethodSpec tile(int rows, int vectors, boolean packing) {
        MethodSpec.Builder m = MethodSpec.methodBuilder(packing ? PACKING_TILE : tileName(rows, vectors)).addModifiers(Modifier.PRIVATE, Modifier.STATIC);
        if (packing) {
            m.addJavadoc("""
                    $L, reading B's rows in place (row s's vectors from {@code bs + s * bps}) and copying them into the
                    panel as it goes, for the tiles of C's other rows: B is read once, as the first tile's multiply-adds
                    run, where packing it first waits for every row (on the 1024² MLP's forward products, a third of
                    their time when B comes from memory).
                    """, tileName(rows, vectors));
        } else {
            m.addJavadoc("Adds $L row$L of A (from {@code a0}) times the panel ($L vectors wide) to C (from {@code c0}), $L sums in registers;\n"
                            + "with {@code first}, stores them (plus zero) without reading C.\n",
                    rows, rows == 1 ? "" : "s", vectors, rows * vectors);
        }
        m.addParameter(int.class, "depth").addParameter(array, "a").addParameter(int.class, "a0")
                .addParameter(int.class, "ais").addParameter(int.class, "aps");
        if (packing) {
            m.addParameter(array, "b").addParameter(int.class, "bs").addParameter(int.class, "bps");
        }
        m.addParameter(array, "panel")
                .addParameter(array, "c").addParameter(int.class, "c0").addParameter(int.class, "ldc")
                .addParameter(boolean.class, "first");
        CodeBlock.Builder c = CodeBlock.builder();
        tileStart(c, rows, vectors);
        if (packing) {
            c.beginControlFlow("for (int s = 0, t = 0, x = a0, y = bs; s < depth; s++, t += $L * L, x += aps, y += bps)", vectors);
        } else {
            c.beginControlFlow("for (int s = 0, t = 0, x = a0; s < depth; s++, t += $L * L, x += aps)", vectors);
        }
        vectorsOfB(c, vectors, packing);
        multiplyAdds(c, rows, vectors, r -> plus("x", r, "ais"));
        c.endControlFlow();
        stores(c, rows, vectors);
        return m.addCode(c.build()).build();
    }

    /** A tile's first statements: {@code L}, {@code zero} and its sums, {@code c00 = zero, c01 = zero, …}, a row of C per statement. */
    private void tileStart(CodeBlock.Builder c, int rows, int vectors) {
        c.addStatement("int L = $L.length()", SPECIES)
                .addStatement("$T zero = $T.zero($L)", vector, vector, SPECIES);
        for (int r = 0; r < rows; r++) {
            StringBuilder decl = new StringBuilder();
            for (int v = 0; v < vectors; v++) {
                decl.append(v == 0 ? "" : ", ").append("c").append(r).append(v).append(" = zero");
            }
            c.addStatement("$T $L", vector, decl);
        }
    }

    /**
     * One step's vectors of B, {@code b0, b1, …}: from the panel at {@code t}, or (the tile that
     * packs) from B's row at {@code y}, each copied into the panel at {@code t} as it is read.
     */
    private void vectorsOfB(CodeBlock.Builder c, int vectors, boolean packing) {
        for (int v = 0; v < vectors; v++) {
            if (packing) {
                c.addStatement("$T b$L = $T.fromArray($L, b, $L)", vector, v, vector, SPECIES, plus("y", v, "L"))
                        .addStatement("b$L.intoArray(panel, $L)", v, plus("t", v, "L"));
            } else {
                c.addStatement("$T b$L = $T.fromArray($L, panel, $L)", vector, v, vector, SPECIES, plus("t", v, "L"));
            }
        }
    }

    /** One step's multiply-adds: each row's element of A (at {@code aAt.apply(r)}) broadcast, times each vector of B. */
    private void multiplyAdds(CodeBlock.Builder c, int rows, int vectors, java.util.function.IntFunction<String> aAt) {
        c.addStatement("$T v", vector);
        for (int r = 0; r < rows; r++) {
            c.addStatement("v = $T.broadcast($L, a[$L])", vector, SPECIES, aAt.apply(r));
            for (int v = 0; v < vectors; v++) {
                c.addStatement("c$L$L = v.fma(b$L, c$L$L)", r, v, v, r, v);
            }
        }
    }

    /** The tile's sums into C: stored (plus zero) with {@code first}, else added to C. */
    private void stores(CodeBlock.Builder c, int rows, int vectors) {
        for (boolean first : new boolean[] {true, false}) {
            if (first) {
                c.beginControlFlow("if (first)");
            } else {
                c.nextControlFlow("else");
            }
            for (int r = 0; r < rows; r++) {
                for (int v = 0; v < vectors; v++) {
                    String at = plus(plus("c0", r, "ldc"), v, "L");
                    if (first) {
                        c.addStatement("zero.add(c$L$L).intoArray(c, $L)", r, v, at);
                    } else {
                        c.addStatement("$T.fromArray($L, c, $L).add(c$L$L).intoArray(c, $L)", vector, SPECIES, at, r, v, at);
                    }
                }
            }
        }
        c.endControlFlow();
    }
}
