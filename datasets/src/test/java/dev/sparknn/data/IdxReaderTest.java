package dev.sparknn.data;

import static dev.sparknn.data.IdxFixtures.bytes;
import static dev.sparknn.data.IdxFixtures.idxBytes;
import static dev.sparknn.data.IdxFixtures.write;
import static dev.sparknn.data.IdxReader.IMAGES_MAGIC;
import static dev.sparknn.data.IdxReader.LABELS_MAGIC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdxReaderTest {

    private static final byte[] IMAGES = IdxFixtures.THREE_IMAGES;
    private static final byte[] LABELS = IdxFixtures.THREE_LABELS;

    private final Configuration conf = new Configuration();

    @TempDir
    Path dir;

    @ParameterizedTest(name = "suffix \"{0}\"")
    @ValueSource(strings = {"", ".gz"})
    void readsImagesAndLabelsFromNonzeroFirstRow(String suffix) throws IOException {
        String images = write(dir.resolve("images" + suffix), IMAGES_MAGIC, new int[] {3, 2, 2}, IMAGES);
        String labels = write(dir.resolve("labels" + suffix), LABELS_MAGIC, new int[] {3}, LABELS);

        IdxHeader ih = IdxReader.readHeader(conf, images, IMAGES_MAGIC);
        assertEquals(new IdxHeader(images, IMAGES_MAGIC, new int[] {3, 2, 2}, 16), ih);
        assertEquals(3, ih.count());
        assertEquals(4, ih.rowLength());
        IdxHeader lh = IdxReader.readHeader(conf, labels, LABELS_MAGIC);
        assertEquals(new IdxHeader(labels, LABELS_MAGIC, new int[] {3}, 8), lh);
        assertEquals(1, lh.rowLength());

        // Rows 1 and 2 at offset 1; the sentinels either side must survive.
        float[] features = new float[10];
        Arrays.fill(features, -1f);
        IdxReader.readImages(conf, ih, 1, 2, features, 1);
        assertArrayEquals(new float[] {-1f, 1f, 0f, 0.6f, 0.8f, 0.2f, 0.2f, 0f, 1f, -1f}, features);

        int[] classes = {-1, -1, -1};
        IdxReader.readLabels(conf, lh, 1, 2, 10, classes, 1);
        assertArrayEquals(new int[] {-1, 0, 9}, classes);
    }

    @ParameterizedTest(name = "suffix \"{0}\"")
    @ValueSource(strings = {"", ".gz"})
    void readsRangesSpanningSeveralBufferChunks(String suffix) throws IOException {
        int count = 300;
        int rowLength = 16 * 16;
        byte[] pixels = new byte[count * rowLength];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i % 251);
        }
        byte[] labels = new byte[count];
        for (int i = 0; i < count; i++) {
            labels[i] = (byte) (i % 10);
        }
        IdxHeader ih = IdxReader.readHeader(conf,
                write(dir.resolve("images" + suffix), IMAGES_MAGIC, new int[] {count, 16, 16}, pixels), IMAGES_MAGIC);
        IdxHeader lh = IdxReader.readHeader(conf,
                write(dir.resolve("labels" + suffix), LABELS_MAGIC, new int[] {count}, labels), LABELS_MAGIC);

        // 280 rows = 71,680 bytes: more than one 64 KiB chunk.
        int first = 17;
        int n = 280;
        float[] features = new float[n * rowLength];
        IdxReader.readImages(conf, ih, first, n, features, 0);
        for (int i = 0; i < features.length; i++) {
            assertEquals(((first * rowLength + i) % 251) / 255f, features[i], "feature " + i);
        }
        int[] classes = new int[n];
        IdxReader.readLabels(conf, lh, first, n, 10, classes, 0);
        for (int i = 0; i < n; i++) {
            assertEquals((first + i) % 10, classes[i], "label " + i);
        }
    }

    @Test
    void badMagicNamesFileAndBothMagics() throws IOException {
        String file = write(dir.resolve("images"), LABELS_MAGIC, new int[] {3}, LABELS);
        IdxFormatException e = assertThrows(IdxFormatException.class,
                () -> IdxReader.readHeader(conf, file, IMAGES_MAGIC));
        assertEquals("invalid IDX magic 0x00000801 in " + file + " (expected 0x00000803, an IDX images file)",
                e.getMessage());
        assertEquals(file, e.file());
    }

    @Test
    void gzipDataWithoutGzNameGetsRenameHint() throws IOException {
        Path gz = dir.resolve("images.gz");
        write(gz, IMAGES_MAGIC, new int[] {3, 2, 2}, IMAGES);
        Path raw = Files.move(gz, dir.resolve("images"));
        String message = assertThrows(IdxFormatException.class,
                () -> IdxReader.readHeader(conf, raw.toString(), IMAGES_MAGIC)).getMessage();
        assertContains(message, "invalid IDX magic 0x1f8b", raw.toString(), "give it a .gz name");
    }

    /** Text or an image where IDX data was expected is named for what it is, after the magic it showed. */
    @Test
    void textAndImagesWithoutIdxMagicAreDescribed() throws IOException {
        Path page = dir.resolve("page");
        Files.writeString(page, "\n<!DOCTYPE html>\n<html><body>Not Found</body></html>\n");
        assertEquals("invalid IDX magic 0x0a3c2144 in " + page + " (expected 0x00000803, an IDX images file); it "
                + "starts with text `<!DOCTYPE html>`", assertThrows(IdxFormatException.class,
                        () -> IdxReader.readHeader(conf, page.toString(), IMAGES_MAGIC)).getMessage());
        Path png = dir.resolve("png");
        Files.write(png, new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13});
        assertEquals("invalid IDX magic 0x89504e47 in " + png + " (expected 0x00000803, an IDX images file); it is a "
                + "PNG image", assertThrows(IdxFormatException.class,
                        () -> IdxReader.readHeader(conf, png.toString(), IMAGES_MAGIC)).getMessage());
    }

    @Test
    void fileEndingInsideHeaderIsTruncated() throws IOException {
        Path path = dir.resolve("images");
        Files.write(path, Arrays.copyOf(idxBytes(IMAGES_MAGIC, new int[] {3, 2, 2}, IMAGES), 6));
        String message = assertThrows(IdxFormatException.class,
                () -> IdxReader.readHeader(conf, path.toString(), IMAGES_MAGIC)).getMessage();
        assertContains(message, path.toString(), "is truncated", "ends after 6 bytes", "16-byte header");
    }

    @Test
    void truncatedRawFileReportsExpectedAndActualBytes() throws IOException {
        String file = write(dir.resolve("images"), IMAGES_MAGIC, new int[] {2, 2, 2}, bytes(1, 2, 3, 4, 5));
        String message = assertThrows(IdxFormatException.class,
                () -> IdxReader.readHeader(conf, file, IMAGES_MAGIC)).getMessage();
        assertEquals(file + " is truncated: dims [2, 2, 2] need 24 bytes (16 header + 8 data) but the file has 21",
                message);
    }

    @Test
    void truncatedGzipContentReportsExpectedAndActualBytes() throws IOException {
        String file = write(dir.resolve("images.gz"), IMAGES_MAGIC, new int[] {2, 2, 2}, bytes(1, 2, 3, 4, 5));
        String message = assertThrows(IdxFormatException.class,
                () -> IdxReader.readHeader(conf, file, IMAGES_MAGIC)).getMessage();
        assertEquals(file + " is truncated: dims [2, 2, 2] need 24 bytes (16 header + 8 data) but it decompresses"
                + " to 21", message);
    }

    @Test
    void gzipStreamCutShortIsTruncated() throws IOException {
        Path path = dir.resolve("images.gz");
        write(path, IMAGES_MAGIC, new int[] {3, 2, 2}, IMAGES);
        byte[] whole = Files.readAllBytes(path);
        Files.write(path, Arrays.copyOf(whole, whole.length - 12));
        String message = assertThrows(IdxFormatException.class,
                () -> IdxReader.readHeader(conf, path.toString(), IMAGES_MAGIC)).getMessage();
        assertContains(message, path.toString(), "is truncated");
    }

    @Test
    void trailingBytesAreCounted() throws IOException {
        String file = write(dir.resolve("images"), IMAGES_MAGIC, new int[] {2, 2, 2}, new byte[10]);
        String message = assertThrows(IdxFormatException.class,
                () -> IdxReader.readHeader(conf, file, IMAGES_MAGIC)).getMessage();
        assertEquals(file + " has 2 trailing bytes: dims [2, 2, 2] need 24 bytes (16 header + 8 data) but the file"
                + " has 26", message);
    }

    @Test
    void zeroDimensionNamesIndexAndValue() throws IOException {
        String file = write(dir.resolve("images"), IMAGES_MAGIC, new int[] {2, 0, 2}, new byte[0]);
        String message = assertThrows(IdxFormatException.class,
                () -> IdxReader.readHeader(conf, file, IMAGES_MAGIC)).getMessage();
        assertContains(message, file, "dimension 1", "is 0 (dims [2, 0, 2])", "must be > 0");
    }

    @Test
    void moreThanIntMaxElementsIsRefused() throws IOException {
        String file = write(dir.resolve("images"), IMAGES_MAGIC, new int[] {70_000, 200, 200}, new byte[0]);
        String message = assertThrows(IdxFormatException.class,
                () -> IdxReader.readHeader(conf, file, IMAGES_MAGIC)).getMessage();
        assertContains(message, file, "[70000, 200, 200]", "2147483647");
    }

    @Test
    void labelOutsideClassRangeNamesValueAndIndex() throws IOException {
        String file = write(dir.resolve("labels"), LABELS_MAGIC, new int[] {4}, bytes(1, 3, 12, 4));
        IdxHeader h = IdxReader.readHeader(conf, file, LABELS_MAGIC);
        String message = assertThrows(IdxFormatException.class,
                () -> IdxReader.readLabels(conf, h, 1, 3, 10, new int[3], 0)).getMessage();
        assertEquals("label 12 at index 2 in " + file + " is outside the class range [0, 10)", message);
    }

    @Test
    void gzNameOnNonGzipDataIsReported() throws IOException {
        Path path = dir.resolve("images.gz");
        Files.write(path, idxBytes(IMAGES_MAGIC, new int[] {3, 2, 2}, IMAGES));
        String message = assertThrows(IdxFormatException.class,
                () -> IdxReader.readHeader(conf, path.toString(), IMAGES_MAGIC)).getMessage();
        assertContains(message, path.toString(), "is an uncompressed IDX images file (magic 0x00000803), not gzip: "
                + "remove .gz from its name");
    }

    @Test
    void rowsBeyondCountAreRefused() throws IOException {
        String file = write(dir.resolve("images"), IMAGES_MAGIC, new int[] {3, 2, 2}, IMAGES);
        IdxHeader h = IdxReader.readHeader(conf, file, IMAGES_MAGIC);
        String message = assertThrows(IllegalArgumentException.class,
                () -> IdxReader.readImages(conf, h, 2, 2, new float[8], 0)).getMessage();
        assertEquals("rows [2, 4) are outside the 3 items of " + file, message);
    }

    static void assertContains(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.contains(part), () -> "expected \"" + part + "\" in: " + message);
        }
    }
}
