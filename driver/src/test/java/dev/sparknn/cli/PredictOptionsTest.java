package dev.sparknn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparknn.data.TableEncoding;
import dev.sparknn.ops.Activation;
import dev.sparknn.ops.Network;
import dev.sparknn.ops.SoftmaxCrossEntropy;
import dev.sparknn.ops.WeightInit;
import dev.sparknn.store.ModelFile;
import dev.sparknn.train.Task;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code predict --format} and {@code --features} through the command line, in this JVM (predict starts no Spark):
 * what each option changes on real model files, and each refusal's exit code and one-line message. The models are
 * the committed format-2 file (a 2-3-2 classifier that stores no feature names, as spark.ml-saved models do not),
 * the same weights written with the names {@code a,b}, and a 16-8-3 classifier for the committed 4x4 IDX images.
 */
class PredictOptionsTest {

    /** 30 images of 4x4 pixels, committed for the users' cases in the datasets module. */
    private static final Path IMAGES = Path.of("../datasets/src/test/resources/cases/idx/t10k-images-idx3-ubyte");

    @TempDir
    static Path tmp;
    private static String nameless;
    private static String named;
    private static String pixels;

    @BeforeAll
    static void models() throws Exception {
        Path v2 = Path.of(PredictOptionsTest.class.getResource("/dev/sparknn/store/model-v2.bin").toURI());
        ModelFile.Model m = ModelFile.read(v2);
        assertEquals(List.of(), m.features(), "the fixture stores no names");
        nameless = v2.toString();
        named = tmp.resolve("named.bin").toString();
        ModelFile.write(Path.of(named), m.network(), m.task(), m.params(), List.of("a", "b"));
        Network net = new Network(new int[] {16, 8, 3}, Activation.RELU, new SoftmaxCrossEntropy());
        pixels = tmp.resolve("pixels.bin").toString();
        ModelFile.write(Path.of(pixels), net, Task.CLASSIFICATION, net.initParams(WeightInit.parse("he"), 5));
    }

    /** A CSV file {@code name} in a fresh folder. */
    private static Path table(String name, String text) throws Exception {
        Path dir = Files.createTempDirectory(tmp, "t");
        return Files.writeString(dir.resolve(name), text);
    }

    /** The output rows without the header and the source column (which names the file). */
    private static List<String> rows(MainIT.Run r) {
        assertEquals(0, r.code(), r.err());
        return r.out().lines().skip(1).map(l -> l.substring(l.indexOf(',') + 1)).toList();
    }

    /** A refusal: {@code code}, exactly one line on stderr holding every one of {@code said}, nothing on stdout. */
    private static void assertRefused(MainIT.Run r, int code, String... said) {
        assertEquals(code, r.code(), r.out() + r.err());
        List<String> lines = r.err().lines().toList();
        assertEquals(1, lines.size(), "one line on stderr:\n" + r.err());
        for (String s : said) {
            assertTrue(lines.get(0).contains(s), "the line says " + s + ": " + lines.get(0));
        }
        assertEquals("", r.out());
    }

    private static MainIT.Run predict(String model, Path input, String... more) {
        List<String> args = new ArrayList<>(List.of("predict", "--model", model, "--input", input.toString()));
        args.addAll(List.of(more));
        return MainIT.run(args.toArray(String[]::new));
    }

    /** --help describes both options with their values. */
    @Test
    void helpDescribesFormatAndFeatures() {
        MainIT.Run help = MainIT.run("predict", "--help");
        assertEquals(0, help.code(), help.err());
        String text = help.out().replaceAll("\\s+", " ");
        assertTrue(text.contains("--format=NAME How to read --input: auto (by its name: the files named like x.png "
                + "in a folder"), text);
        assertTrue(text.contains("or idx, png (a folder: every file in it but hidden ones) or csv"), text);
        assertTrue(text.contains("--features=COL,... CSV: the table's columns that are the model's inputs"), text);
    }

    // ---- --features

    /**
     * A model without names reads a table by position unless --features names its columns: then a table with the
     * columns in another order and a label among them gives exactly what the positional table of the same values
     * gives, and the values the network computes from them.
     */
    @Test
    void featuresReadATableByNameForAModelWithoutNames() throws Exception {
        Path positional = table("ab.csv", "a,b\n-2,0.5\n-0.3,-1\n");
        Path reordered = table("bla.csv", "b,label,a\n0.5,7,-2\n-1,7,-0.3\n");
        List<String> expected = rows(predict(nameless, positional));
        assertEquals(expected, rows(predict(nameless, reordered, "--features", "a,b")));
        // Spelled as train's --features: spaces around names and an empty name dropped.
        assertEquals(expected, rows(predict(nameless, reordered, "--features", " a , b,")));

        ModelFile.Model m = ModelFile.read(Path.of(nameless));
        float[] scores = new float[4];
        m.network().predict(m.params(), new float[] {-2f, 0.5f, -0.3f, -1f}, 2, m.network().newWorkspace(2), scores);
        int[] classes = Network.predictedClasses(scores, 2, 2);
        for (int r = 0; r < 2; r++) {
            assertEquals(String.format(Locale.ROOT, "%d,%.6g,%.6g", classes[r], scores[2 * r], scores[2 * r + 1]),
                    expected.get(r));
        }

        // Read by position, the swapped columns are other inputs, with other outputs.
        Path swapped = table("ba.csv", "b,a\n0.5,-2\n-1,-0.3\n");
        assertNotEquals(expected, rows(predict(nameless, swapped)));
        assertEquals(expected, rows(predict(nameless, swapped, "--features", "a,b")));
        assertRefused(predict(nameless, reordered), Main.EXIT_DATA, "bla.csv has 3 columns [b, label, a], the model "
                + "takes 2; the model stores no feature names, so name its columns with --features");
    }

    /** A model that stores names takes a --features list of exactly those names, and refuses any other. */
    @Test
    void featuresMustAgreeWithTheNamesAModelStores() throws Exception {
        Path reordered = table("bla.csv", "b,label,a\n0.5,7,-2\n-1,7,-0.3\n");
        List<String> byStoredNames = rows(predict(named, reordered));
        assertEquals(byStoredNames, rows(predict(named, reordered, "--features", "a,b")));
        assertEquals(byStoredNames, rows(predict(nameless, reordered, "--features", "a,b")), "the same weights");
        assertRefused(predict(named, reordered, "--features", "b,a"), Main.EXIT_CONFIG,
                "error: --features b,a disagrees with the features stored in " + named + ", a,b (in that order)");
        assertRefused(predict(named, reordered, "--features", "a,label"), Main.EXIT_CONFIG,
                "--features a,label disagrees with the features stored in " + named + ", a,b");
    }

    @Test
    void aFeaturesListTheTableOrTheModelCannotTakeIsRefused() throws Exception {
        Path reordered = table("rows.csv", "b,label,a\n0.1,7,0.9\n");
        assertRefused(predict(nameless, reordered, "--features", "a,c"), Main.EXIT_DATA,
                "data error: ", "rows.csv has no column 'c' named by --features a,c; its columns are [b, label, a]");
        assertRefused(predict(nameless, reordered, "--features", "a"), Main.EXIT_CONFIG,
                "error: --features names 1 column (a), but the model " + nameless + " takes 2 inputs");
        assertRefused(predict(nameless, reordered, "--features", "a,b,label"), Main.EXIT_CONFIG,
                "--features names 3 columns (a,b,label), but the model " + nameless + " takes 2 inputs");
        assertRefused(predict(nameless, reordered, "--features", "a,a"), Main.EXIT_CONFIG,
                "error: --features names column 'a' twice");
    }

    /**
     * Without --features, a table that lacks the model's columns is told they are the model's (not a --features list
     * the user never gave), for a model with a table encoding as for one with names only; a table with fewer columns
     * than the inputs of a model without names is told the count, not to name its columns.
     */
    @Test
    void aTableWithoutTheModelsColumnsIsToldWhatTheModelTakes() throws Exception {
        TableEncoding encoding = new TableEncoding(List.of(new TableEncoding.Numeric("petal_length", 4, 1, 7, 0),
                new TableEncoding.Categorical("colour", List.of("blue", "white"), 0)), "species", List.of("a", "b"));
        Network net = new Network(new int[] {3, 4, 2}, Activation.RELU, new SoftmaxCrossEntropy());
        Path flowers = tmp.resolve("flowers.bin");
        ModelFile.write(flowers, net, Task.CLASSIFICATION, net.initParams(WeightInit.parse("he"), 5), List.of(),
                encoding, null);
        Path abc = table("xs.csv", "a,b,c\n1,2,3\n");
        assertRefused(predict(flowers.toString(), abc), Main.EXIT_DATA, "data error: ", "xs.csv has no column "
                + "'petal_length', 'colour' that the model was trained on (its features petal_length,colour); its "
                + "columns are [a, b, c]");
        assertRefused(predict(named, table("xa.csv", "x,a\n1,2\n")), Main.EXIT_DATA, "xa.csv has no column 'b' "
                + "that the model was trained on (its features a,b); its columns are [x, a]");
        MainIT.Run few = predict(pixels, abc);
        assertRefused(few, Main.EXIT_DATA, "xs.csv has 3 columns [a, b, c], the model takes 16 values per row; give "
                + "a table of 16 feature columns");
        assertFalse(few.err().contains("--features"), few.err());
    }

    /** Images have no columns: --features with an IDX file or PNG images is refused, whatever --format says. */
    @Test
    void featuresWithImagesAreRefused() throws Exception {
        assertRefused(predict(pixels, IMAGES, "--features", "a,b"), Main.EXIT_CONFIG, "error: --features names the "
                + "columns of a CSV table, but --input " + IMAGES + " is read as an IDX images file by its name "
                + "(--format csv reads it as a table)");
        Path pngs = pngs("features-pngs", 2, ".png");
        assertRefused(predict(pixels, pngs, "--features", "a,b"), Main.EXIT_CONFIG,
                "--input " + pngs + " is read as PNG images by its name");
        assertRefused(predict(pixels, pngs, "--features", "a,b", "--format", "png"), Main.EXIT_CONFIG,
                "--input " + pngs + " is read as PNG images");
    }

    // ---- --format

    /** The first {@code n} committed images as 4x4 grey PNG files named {@code img<i><extension>}. */
    private static Path pngs(String folder, int n, String extension) throws Exception {
        byte[] bytes = Files.readAllBytes(IMAGES);
        Path dir = Files.createDirectories(tmp.resolve(folder));
        for (int i = 0; i < n; i++) {
            BufferedImage img = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
            for (int p = 0; p < 16; p++) {
                img.getRaster().setSample(p % 4, p / 4, 0, bytes[16 + 16 * i + p] & 0xff);
            }
            ImageIO.write(img, "png", dir.resolve("img" + i + extension).toFile());
        }
        return dir;
    }

    /** An IDX images file with a name auto reads as a table: auto names what it holds; --format idx reads it. */
    @Test
    void formatIdxReadsAnIdxFileWhateverItsName() throws Exception {
        List<String> expected = rows(predict(pixels, IMAGES));
        assertEquals(30, expected.size());
        Path renamed = Files.copy(IMAGES, Files.createTempDirectory(tmp, "idx").resolve("images.csv"));
        assertRefused(predict(pixels, renamed), Main.EXIT_DATA,
                "data error: " + renamed + " is an IDX images file (magic 0x00000803), not CSV text");
        assertEquals(expected, rows(predict(pixels, renamed, "--format", "idx")));
        assertEquals(expected, rows(predict(pixels, renamed, "--format", "IDX")), "case-insensitive, as train's");
    }

    /**
     * Images {@code [from, from + n)} of the committed file as an IDX file of their own: a reference read with as
     * many rows as the input it is compared with, so that both go through the same matrix products.
     */
    private static Path idx(int from, int n) throws Exception {
        byte[] bytes = Files.readAllBytes(IMAGES);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(16 + 16 * n).putInt(0x00000803).putInt(n).putInt(4)
                .putInt(4).put(bytes, 16 + 16 * from, 16 * n);
        return Files.write(tmp.resolve("images-" + from + "-" + n), b.array());
    }

    /** PNG files without the .png extension, alone or in a folder, are read with --format png. */
    @Test
    void formatPngReadsImagesWithoutTheirExtension() throws Exception {
        List<String> expected = rows(predict(pixels, idx(0, 3)));
        Path bare = pngs("bare", 3, "");
        Files.writeString(bare.resolve(".DS_Store"), "hidden");
        assertRefused(predict(pixels, bare), Main.EXIT_DATA,
                "folder " + bare + " holds no .png files (3 other files: --format png reads every file as PNG)");
        assertEquals(expected, rows(predict(pixels, bare, "--format", "png")));
        // Upper-case extensions need no --format.
        assertEquals(expected, rows(predict(pixels, pngs("upper", 3, ".PNG"))));

        Path one = bare.resolve("img1");
        assertRefused(predict(pixels, one), Main.EXIT_DATA,
                "invalid IDX magic 0x89504e47 in " + one + " (expected 0x00000803, an IDX images file); it is a PNG "
                        + "image");
        assertEquals(rows(predict(pixels, idx(1, 1))), rows(predict(pixels, one, "--format", "png")));
    }

    /** An image of the wrong size is named the same way in a folder as alone: the path as given, without file:. */
    @Test
    void anImageIsNamedAsGivenInAFolderAsAlone() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("sizes"));
        Path big = dir.resolve("big.png");
        ImageIO.write(new BufferedImage(5, 5, BufferedImage.TYPE_BYTE_GRAY), "png", big.toFile());
        String said = " is 5x5 = 25 pixels, the model takes 16 (4x4)";
        assertRefused(predict(pixels, big), Main.EXIT_DATA, "data error: " + big + said);
        assertRefused(predict(pixels, dir), Main.EXIT_DATA, "data error: " + big + said);
    }

    /** A CSV table whose name does not end in .csv is read with --format csv, as it would be named so. */
    @Test
    void formatCsvReadsATableWhateverItsName() throws Exception {
        Path csv = table("rows.csv", "a,b\n-2,0.5\n-0.3,-1\n");
        Path txt = Files.copy(csv, csv.resolveSibling("rows.txt"));
        List<String> expected = rows(predict(named, csv));
        assertRefused(predict(named, txt), Main.EXIT_DATA,
                "invalid IDX magic 0x612c620a in " + txt + " (expected 0x00000803, an IDX images file); it starts "
                        + "with text `a,b`");
        assertEquals(expected, rows(predict(named, txt, "--format", "csv")));
        assertEquals(expected, rows(predict(nameless, txt, "--format", "csv", "--features", "a,b")));
    }

    /** A --format that the bytes contradict is refused naming the file and what it holds; nothing is written. */
    @Test
    void aFormatTheBytesContradictIsRefusedNamingWhatTheFileHolds() throws Exception {
        Path csv = table("rows.csv", "a,b\n0.9,0.1\n");
        Path output = tmp.resolve("never.csv");
        assertRefused(predict(named, csv, "--format", "idx", "--output", output.toString()), Main.EXIT_DATA,
                "data error: invalid IDX magic 0x612c620a in " + csv + " (expected 0x00000803, an IDX images file); "
                        + "it starts with text `a,b`");
        assertRefused(predict(named, csv, "--format", "png", "--output", output.toString()), Main.EXIT_DATA,
                "data error: " + csv + " is not a readable PNG image: it starts with text `a,b`");
        assertRefused(predict(pixels, IMAGES, "--format", "png"), Main.EXIT_DATA,
                IMAGES + " is not a readable PNG image: it is an IDX images file (magic 0x00000803)");
        assertRefused(predict(pixels, IMAGES, "--format", "csv"), Main.EXIT_DATA,
                IMAGES + " is an IDX images file (magic 0x00000803), not CSV text");
        Path png = pngs("one-png", 1, ".png").resolve("img0.png");
        assertRefused(predict(named, png, "--format", "csv"), Main.EXIT_DATA, png + " is a PNG image, not CSV text");
        Path folder = pngs("folder", 1, ".png");
        assertRefused(predict(pixels, folder, "--format", "idx"), Main.EXIT_DATA,
                "input " + folder + " is a folder; --format idx reads one file");
        assertRefused(predict(pixels, IMAGES, "--format", "parquet"), Main.EXIT_CONFIG,
                "error: --format: unknown format 'parquet' (expected auto, idx, png or csv)");
        assertFalse(Files.exists(output), "nothing written");
    }
}
