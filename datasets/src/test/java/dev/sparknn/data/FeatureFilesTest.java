package dev.sparknn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeatureFilesTest {

    private static final Configuration CONF = new Configuration();

    @TempDir
    Path dir;

    @Test
    void csvWithByteOrderMarkAndHeaderKeepsEveryDataRow() throws Exception {
        Path csv = dir.resolve("rows.csv");
        Files.writeString(csv, "\uFEFFa,b\n0.5,1\n\n0,0.25\n");
        FeatureFiles.Features f = FeatureFiles.read(CONF, csv.toString(), 2, false);
        assertEquals(2, f.rows());
        assertArrayEquals(new float[] {0.5f, 1f, 0f, 0.25f}, f.values());
        assertEquals(List.of("rows.csv:0", "rows.csv:1"), f.sources());
        assertEquals(List.of(), f.warnings());
        // The BOM is not part of the first name: 'a' is found by name.
        f = FeatureFiles.read(CONF, csv.toString(), 1, List.of("a"), false);
        assertArrayEquals(new float[] {0.5f, 0f}, f.values());
    }

    @Test
    void badCsvCellsAndRowsAreNamedByFileLineAndColumn() throws Exception {
        Path csv = dir.resolve("bad.csv");
        Files.writeString(csv, "a,b\n0.5,1\n0.5,x\n");
        assertRefused(csv, 2, "bad.csv line 3 column 'b': 'x' is not a decimal number");
        Files.writeString(csv, "a,b\n0.5,1\n0.5\n");
        assertRefused(csv, 2, "bad.csv line 3 has 1 cells, the header 2");
        Files.writeString(csv, "a,b\n0.5,NaN\n");
        assertRefused(csv, 2, "bad.csv line 2 column 'b': 'NaN' is not a decimal number");
        Files.writeString(csv, "a,b\n0.5,1e39\n");
        assertRefused(csv, 2, "bad.csv line 2 column 'b': 1e39 is not finite");
        Files.writeString(csv, "a,b\n0.1344f,1\n");
        assertRefused(csv, 2, "bad.csv line 2 column 'a': '0.1344f' is not a decimal number");
        Files.writeString(csv, "a,b,c\n0.5,1,2\n");
        assertRefused(csv, 2, "bad.csv has 3 columns [a, b, c], the model takes 2");
    }

    /** Case 6: the dialect training reads; a numeric header is a header, quoted cells are numbers. */
    @Test
    void csvIsReadAsTrainingReadsIt() throws Exception {
        Path numeric = dir.resolve("numeric-header.csv");
        Files.writeString(numeric, "0,1\n0.9,0.1\n0.1,0.9\n");
        FeatureFiles.Features f = FeatureFiles.read(CONF, numeric.toString(), 2, List.of("a", "b"), false);
        assertArrayEquals(new float[] {0.9f, 0.1f, 0.1f, 0.9f}, f.values());
        assertTrue(f.warnings().get(0).contains("names none of the model's features [a, b]; reading its columns by "
                + "position"), f.warnings().toString());
        f = FeatureFiles.read(CONF, numeric.toString(), 2, false);
        assertEquals(2, f.rows());
        assertTrue(f.warnings().get(0).contains("the header [0, 1] is all numbers"), f.warnings().toString());

        Path quoted = dir.resolve("quoted.csv");
        Files.writeString(quoted, "\"a\",\"b\"\r\n\"0.9\",\"0.1\"\r\n\"0.1\",\" 0.9 \"\r\n");
        assertArrayEquals(new float[] {0.9f, 0.1f, 0.1f, 0.9f},
                FeatureFiles.read(CONF, quoted.toString(), 2, List.of("a", "b"), false).values());

        Path gz = dir.resolve("rows.csv.gz");
        try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(Files.readAllBytes(quoted));
        }
        assertArrayEquals(new float[] {0.9f, 0.1f, 0.1f, 0.9f},
                FeatureFiles.read(CONF, gz.toString(), 2, List.of("a", "b"), false).values());
    }

    /** Spark's names for a header cell that is empty or repeated: _cN, and the name with its index. */
    @Test
    void headerCellsWithoutNameOrRepeatedAreNamedAsSparkNamesThem() throws Exception {
        Path csv = dir.resolve("unnamed.csv");
        Files.writeString(csv, "A,,a\n1,2,3\n");
        assertEquals(List.of("A0", "_c1", "a2"), Csv.read(org.apache.hadoop.fs.FileSystem.getLocal(CONF),
                new org.apache.hadoop.fs.Path(csv.toString())).columns());
        assertArrayEquals(new float[] {2, 3}, FeatureFiles.read(CONF, csv.toString(), 2, List.of("_c1", "a2"), false)
                .values());
    }

    /** Case 5: columns found by the model's names, in any order, among other columns. */
    @Test
    void csvColumnsAreMatchedByTheModelsFeatureNames() throws Exception {
        Path csv = dir.resolve("ba.csv");
        Files.writeString(csv, " b , label, a\n0.1,1,0.9\n0.9,0,0.1\n");
        FeatureFiles.Features f = FeatureFiles.read(CONF, csv.toString(), 2, List.of("a", "b"), false);
        assertArrayEquals(new float[] {0.9f, 0.1f, 0.1f, 0.9f}, f.values());
        assertEquals(List.of(), f.warnings());
        Files.writeString(csv, "b,c\n0.1,0.9\n");
        InputException e = assertThrows(InputException.class,
                () -> FeatureFiles.read(CONF, csv.toString(), 2, List.of("a", "b"), false));
        assertTrue(e.getMessage().contains("ba.csv has no column 'a' that the model was trained on (its features a,b); "
                + "its columns are [b, c]"), e.getMessage());
    }

    @Test
    void pngsAreReadAsGreyLevelsAndBadOnesRefused() throws Exception {
        BufferedImage img = new BufferedImage(2, 2, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setSample(1, 0, 0, 255);
        img.getRaster().setSample(0, 1, 0, 51);
        Path png = dir.resolve("digit.png");
        ImageIO.write(img, "png", png.toFile());
        assertArrayEquals(new float[] {0f, 1f, 0.2f, 0f}, FeatureFiles.read(CONF, png.toString(), 4, false).values());
        // Exact: inverted, a grey level is the float32 1 − b/255 (1 − 51/255f rounds to 0.8f).
        assertArrayEquals(new float[] {1f, 0f, 1f - 51 / 255f, 1f}, FeatureFiles.read(CONF, png.toString(), 4, true)
                .values());

        assertRefused(png, 9, "digit.png is 2x2 = 4 pixels, the model takes 9 (3x3)");
        byte[] bytes = Files.readAllBytes(png);
        Files.write(png, Arrays.copyOf(bytes, 40));
        assertRefused(png, 4, "digit.png is not a readable PNG image");
        BufferedImage wide = new BufferedImage(4, 1, BufferedImage.TYPE_BYTE_GRAY);
        ImageIO.write(wide, "png", png.toFile());
        assertRefused(png, 4, "digit.png is 4x1 = 4 pixels, the model takes 4 (2x2)");
    }

    /** A given format reads the input as that kind whatever its name says; one its bytes contradict is named. */
    @Test
    void aGivenFormatReadsTheInputWhateverItsName() throws Exception {
        Path txt = dir.resolve("rows.txt");
        Files.writeString(txt, "a,b\n0.5,1\n");
        assertEquals(FeatureFiles.Format.IDX, FeatureFiles.resolve(CONF, txt.toString(), FeatureFiles.Format.AUTO));
        assertArrayEquals(new float[] {0.5f, 1f}, FeatureFiles.read(CONF, txt.toString(), FeatureFiles.Format.CSV, 2,
                List.of(), false, false).values());
        // Compressed, it is read decompressed when its name ends in .gz, and named for what it is otherwise.
        Path gz = dir.resolve("rows.txt.gz");
        try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(Files.readAllBytes(txt));
        }
        assertArrayEquals(new float[] {0.5f, 1f}, FeatureFiles.read(CONF, gz.toString(), FeatureFiles.Format.CSV, 2,
                List.of(), false, false).values());
        Path packed = Files.copy(gz, dir.resolve("packed.txt"));
        InputException gzip = assertThrows(InputException.class, () -> FeatureFiles.read(CONF, packed.toString(),
                FeatureFiles.Format.CSV, 2, List.of(), false, false));
        assertTrue(gzip.getMessage().endsWith("packed.txt is gzip-compressed, not CSV text (give it a .gz name to "
                + "have it decompressed)"), gzip.getMessage());

        Path images = Files.createDirectories(dir.resolve("scans"));
        BufferedImage img = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setSample(1, 0, 0, 255);
        ImageIO.write(img, "png", images.resolve("scan").toFile());
        Files.writeString(images.resolve("_SUCCESS"), "");
        Files.writeString(images.resolve(".hidden"), "not an image");
        assertEquals(FeatureFiles.Format.PNG, FeatureFiles.resolve(CONF, images.toString(), FeatureFiles.Format.AUTO));
        assertRefused(images, 2, "folder " + images + " holds no .png files (1 other file: --format png reads every "
                + "file as PNG)");
        FeatureFiles.Features f = FeatureFiles.read(CONF, images.toString(), FeatureFiles.Format.PNG, 2, List.of(),
                false, false);
        assertArrayEquals(new float[] {0f, 1f}, f.values());
        assertEquals(List.of("scan"), f.sources());

        InputException e = assertThrows(InputException.class, () -> FeatureFiles.read(CONF,
                images.resolve("scan").toString(), FeatureFiles.Format.CSV, 2, List.of(), false, false));
        assertTrue(e.getMessage().endsWith("scan is a PNG image, not CSV text"), e.getMessage());
        e = assertThrows(InputException.class, () -> FeatureFiles.read(CONF, txt.toString(), FeatureFiles.Format.PNG,
                2, List.of(), false, false));
        assertTrue(e.getMessage().endsWith("rows.txt is not a readable PNG image: it starts with text `a,b`"),
                e.getMessage());
        // Only PNG: ImageIO would also decode a JPEG, or IDX bytes as a WBMP image.
        Path jpeg = dir.resolve("photo.png");
        ImageIO.write(img, "jpg", jpeg.toFile());
        assertRefused(jpeg, 2, "photo.png is not a readable PNG image: it is a JPEG image");
        Path idx = dir.resolve("idx.png");
        Files.write(idx, new byte[] {0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 7, 9});
        assertRefused(idx, 2, "idx.png is not a readable PNG image: it is an IDX images file (magic 0x00000803)");
        e = assertThrows(InputException.class, () -> FeatureFiles.read(CONF, images.toString(),
                FeatureFiles.Format.CSV, 2, List.of(), false, false));
        assertEquals("input " + images + " is a folder; --format csv reads one file", e.getMessage());
        assertEquals("unknown format 'parquet' (expected auto, idx, png or csv)", assertThrows(
                IllegalArgumentException.class, () -> FeatureFiles.Format.parse("parquet")).getMessage());
    }

    /** Columns the user names must all be in the header, which the message lists; they are read in their order. */
    @Test
    void namedColumnsAreRequiredAndReadInTheirOrder() throws Exception {
        Path csv = dir.resolve("t.csv");
        Files.writeString(csv, "b,x,a\n1,2,3\n");
        assertArrayEquals(new float[] {3f, 1f}, FeatureFiles.read(CONF, csv.toString(), FeatureFiles.Format.AUTO, 2,
                List.of("a", "b"), true, false).values());
        InputException e = assertThrows(InputException.class, () -> FeatureFiles.read(CONF, csv.toString(),
                FeatureFiles.Format.AUTO, 2, List.of("a", "c"), true, false));
        assertTrue(e.getMessage().endsWith("t.csv has no column 'c' named by --features a,c; its columns are "
                + "[b, x, a]"), e.getMessage());
        // The model's own names, none of which the header has, fall back to positions; named ones never do.
        Files.writeString(csv, "c,d\n1,2\n");
        assertArrayEquals(new float[] {1f, 2f}, FeatureFiles.read(CONF, csv.toString(), 2, List.of("a", "b"), false)
                .values());
        e = assertThrows(InputException.class, () -> FeatureFiles.read(CONF, csv.toString(), FeatureFiles.Format.AUTO,
                2, List.of("a", "b"), true, false));
        assertTrue(e.getMessage().endsWith("t.csv has no column 'a', 'b' named by --features a,b; its columns are "
                + "[c, d]"), e.getMessage());
    }

    @Test
    void missingInputAndEmptyFolderAreNamed() throws Exception {
        assertRefused(dir.resolve("nothing.png"), 4, "nothing.png does not exist");
        assertRefused(Files.createDirectories(dir.resolve("empty")), 4, "empty holds no .png files");
    }

    private static void assertRefused(Path input, int features, String expected) {
        InputException e = assertThrows(InputException.class,
                () -> FeatureFiles.read(CONF, input.toString(), features, false));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
