package dev.sparknn.data;

import static dev.sparknn.data.IdxFixtures.bytes;
import static dev.sparknn.data.IdxFixtures.write;
import static dev.sparknn.data.IdxReader.IMAGES_MAGIC;
import static dev.sparknn.data.IdxReader.LABELS_MAGIC;
import static dev.sparknn.data.IdxReaderTest.assertContains;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sparknn.ops.RowBlock;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxDatasetTest {

    private static final byte[] IMAGES = IdxFixtures.THREE_IMAGES;
    private static final byte[] LABELS = IdxFixtures.THREE_LABELS;

    private final Configuration conf = new Configuration();

    @TempDir
    Path dir;

    @Test
    void opensSplitByFileUriAndReadsBlock() throws IOException {
        write(dir.resolve("train-images-idx3-ubyte"), IMAGES_MAGIC, new int[] {3, 2, 2}, IMAGES);
        write(dir.resolve("train-labels-idx1-ubyte"), LABELS_MAGIC, new int[] {3}, LABELS);

        IdxDataset data = IdxDataset.open(conf, dir.toUri().toString(), IdxDataset.TRAIN);
        assertEquals(3, data.count());
        assertEquals(4, data.numFeatures());

        RowBlock block = data.readBlock(conf, 1, 2, 10);
        assertEquals(2, block.rows());
        assertEquals(4, block.numFeatures());
        assertArrayEquals(new float[] {1f, 0f, 0.6f, 0.8f, 0.2f, 0.2f, 0f, 1f}, block.features());
        assertArrayEquals(new int[] {0, 9}, block.labels());
    }

    @Test
    void acceptsGzipAndPrefersRawWhenBothExist() throws IOException {
        write(dir.resolve("t10k-images-idx3-ubyte.gz"), IMAGES_MAGIC, new int[] {3, 2, 2}, IMAGES);
        write(dir.resolve("t10k-labels-idx1-ubyte"), LABELS_MAGIC, new int[] {3}, LABELS);
        // Not valid gzip: opening succeeds only if the raw labels file wins.
        Files.write(dir.resolve("t10k-labels-idx1-ubyte.gz"), bytes(1, 2, 3));

        IdxDataset data = IdxDataset.open(conf, dir.toString(), IdxDataset.TEST);
        assertTrue(data.images().file().endsWith("t10k-images-idx3-ubyte.gz"), data.images().file());
        assertTrue(data.labels().file().endsWith("t10k-labels-idx1-ubyte"), data.labels().file());
        assertArrayEquals(new int[] {7, 0, 9}, data.readBlock(conf, 0, 3, 10).labels());
    }

    @Test
    void countMismatchNamesBothFilesAndCounts() throws IOException {
        String images = write(dir.resolve("train-images-idx3-ubyte"), IMAGES_MAGIC, new int[] {3, 2, 2}, IMAGES);
        String labels = write(dir.resolve("train-labels-idx1-ubyte"), LABELS_MAGIC, new int[] {2}, bytes(7, 0));
        String message = assertThrows(IdxFormatException.class,
                () -> IdxDataset.open(conf, dir.toString(), IdxDataset.TRAIN)).getMessage();
        assertEquals(images + " has 3 images but " + labels + " has 2 labels", message);
    }

    @Test
    void missingFileNamesFolderAndEveryAcceptedSpelling() throws IOException {
        write(dir.resolve("train-images-idx3-ubyte"), IMAGES_MAGIC, new int[] {3, 2, 2}, IMAGES);
        IdxFormatException e = assertThrows(IdxFormatException.class,
                () -> IdxDataset.open(conf, dir.toString(), IdxDataset.TRAIN));
        assertContains(e.getMessage(), dir.toString(), "found no train-labels-idx1-ubyte", "train-labels.idx1-ubyte, "
                + "train-labels-idx1-ubyte.gz, train-labels.idx1-ubyte.gz", "fetch-mnist.sh");
        assertEquals(dir.toString(), e.file());
    }

    /** Case 1: files named as several mirrors and tutorials spell them, with a dot before idx. */
    @Test
    void readsTheDottedSpellingOfMirrors() throws IOException {
        String dotted = Path.of("src/test/resources/cases/dotted").toString();
        IdxDataset train = IdxDataset.open(conf, dotted, IdxDataset.TRAIN);
        IdxDataset test = IdxDataset.open(conf, dotted, IdxDataset.TEST);
        assertEquals(60, train.count());
        assertEquals(30, test.count());
        assertEquals(16, train.numFeatures());
        assertTrue(train.images().file().endsWith("train-images.idx3-ubyte"), train.images().file());
        assertArrayEquals(new int[] {0, 1, 2}, train.readBlock(conf, 0, 3, 3).labels());
    }

    @Test
    void readsAFileInsideAFolderOfItsOwnNameAndNamesInAnyCase() throws IOException {
        Path inner = Files.createDirectories(dir.resolve("train-images-idx3-ubyte"));
        write(inner.resolve("train-images-idx3-ubyte"), IMAGES_MAGIC, new int[] {3, 2, 2}, IMAGES);
        write(dir.resolve("TRAIN-LABELS.IDX1-UBYTE"), LABELS_MAGIC, new int[] {3}, LABELS);
        IdxDataset data = IdxDataset.open(conf, dir.toString(), IdxDataset.TRAIN);
        assertEquals(3, data.count());
        assertTrue(data.labels().file().endsWith("TRAIN-LABELS.IDX1-UBYTE"), data.labels().file());
    }

    @Test
    void aFileNamedAlmostRightIsNamedWithWhatToRenameIt() throws IOException {
        write(dir.resolve("train-images-idx3-ubyte"), IMAGES_MAGIC, new int[] {3, 2, 2}, IMAGES);
        write(dir.resolve("train-labels-idx1-ubyte (1)"), LABELS_MAGIC, new int[] {3}, LABELS);
        IdxFormatException e = assertThrows(IdxFormatException.class,
                () -> IdxDataset.open(conf, dir.toString(), IdxDataset.TRAIN));
        assertContains(e.getMessage(), "it holds train-labels-idx1-ubyte (1): rename it to train-labels-idx1-ubyte");
    }

    /** Case 2: an uncompressed file or a web page under a .gz name is described by its bytes. */
    @Test
    void aGzNameOnBytesThatAreNotGzipSaysWhatTheBytesAre() throws IOException {
        write(dir.resolve("train-images-idx3-ubyte.gz.tmp"), IMAGES_MAGIC, new int[] {3, 2, 2}, IMAGES);
        Files.move(dir.resolve("train-images-idx3-ubyte.gz.tmp"), dir.resolve("train-images-idx3-ubyte.gz"));
        write(dir.resolve("train-labels-idx1-ubyte"), LABELS_MAGIC, new int[] {3}, LABELS);
        IdxFormatException e = assertThrows(IdxFormatException.class,
                () -> IdxDataset.open(conf, dir.toString(), IdxDataset.TRAIN));
        assertContains(e.getMessage(), "train-images-idx3-ubyte.gz is an uncompressed IDX images file (magic "
                + "0x00000803), not gzip: remove .gz from its name");

        Files.writeString(dir.resolve("train-images-idx3-ubyte.gz"), "<!DOCTYPE html>\n<html><body>Not Found");
        e = assertThrows(IdxFormatException.class, () -> IdxDataset.open(conf, dir.toString(), IdxDataset.TRAIN));
        assertContains(e.getMessage(), "train-images-idx3-ubyte.gz starts with text `<!DOCTYPE html>`, not gzip");

        Files.write(dir.resolve("train-images-idx3-ubyte.gz"), bytes(0x50, 0x4b, 3, 4, 0));
        e = assertThrows(IdxFormatException.class, () -> IdxDataset.open(conf, dir.toString(), IdxDataset.TRAIN));
        assertContains(e.getMessage(), "starts with bytes 50 4b 03 04 00, not gzip's 1f 8b");
    }

    @Test
    void survivesJavaSerializationAsSparkShipsIt() throws Exception {
        write(dir.resolve("train-images-idx3-ubyte"), IMAGES_MAGIC, new int[] {3, 2, 2}, IMAGES);
        write(dir.resolve("train-labels-idx1-ubyte"), LABELS_MAGIC, new int[] {3}, LABELS);
        IdxDataset data = IdxDataset.open(conf, dir.toString(), IdxDataset.TRAIN);

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(data);
        }
        IdxDataset copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (IdxDataset) in.readObject();
        }
        assertEquals(data, copy);
        assertArrayEquals(new int[] {7}, copy.readBlock(conf, 0, 1, 10).labels());
    }
}
