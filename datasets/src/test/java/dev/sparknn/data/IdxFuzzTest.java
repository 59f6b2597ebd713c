package dev.sparknn.data;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Random and damaged IDX input: the reader fails with IdxFormatException naming the file, never anything else. */
class IdxFuzzTest {

    private static final Configuration CONF = new Configuration();

    @TempDir
    Path dir;

    @Test
    void hostileImagesFiles() throws IOException {
        byte[] pixels = new byte[5 * 3 * 4];
        new Random(1).nextBytes(pixels);
        fuzz(IdxFixtures.idxBytes(IdxReader.IMAGES_MAGIC, new int[] {5, 3, 4}, pixels), IdxReader.IMAGES_MAGIC, 11);
    }

    @Test
    void hostileLabelsFiles() throws IOException {
        fuzz(IdxFixtures.idxBytes(IdxReader.LABELS_MAGIC, new int[] {6}, IdxFixtures.bytes(0, 1, 2, 9, 3, 4)),
                IdxReader.LABELS_MAGIC, 12);
    }

    private void fuzz(byte[] valid, int magic, long seed) throws IOException {
        Random random = new Random(seed);
        for (int trial = 0; trial < 1500; trial++) {
            byte[] bytes = Fuzz.mutate(random, valid);
            boolean gz = trial % 3 == 0;
            Path file = dir.resolve("f" + trial + (gz ? ".gz" : ""));
            // A .gz file is either a valid gzip of damaged IDX, or damaged gzip bytes.
            Files.write(file, gz && random.nextBoolean() ? gzip(bytes) : bytes);
            try {
                IdxHeader header = IdxReader.readHeader(CONF, file.toString(), magic);
                int n = header.count();
                if (magic == IdxReader.IMAGES_MAGIC) {
                    IdxReader.readImages(CONF, header, 0, n, new float[n * header.rowLength()], 0);
                } else {
                    IdxReader.readLabels(CONF, header, 0, n, 10, new int[n], 0);
                }
            } catch (IdxFormatException expected) {
                assertTrue(expected.getMessage().contains(file.toString()), expected.getMessage());
            }
            Files.delete(file);
        }
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }
}
