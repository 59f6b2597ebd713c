package dev.sparknn.data;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random and damaged IDX input, raw and gzipped (see {@link Fuzz}): the reader refuses it with IdxFormatException
 * naming the file, or reads exactly what the bytes say (its dimensions and values re-encode to the same file).
 */
class IdxFuzzTest {

    private static final Configuration CONF = new Configuration();

    @TempDir
    Path dir;

    /** What a reader made of a file: its dimensions and its values as the bytes they came from. */
    private record Decoded(int[] dims, byte[] data) {
    }

    private int files;

    @Test
    void hostileImagesFiles() throws Exception {
        byte[] pixels = new byte[5 * 3 * 4];
        new Random(1).nextBytes(pixels);
        fuzz(IdxFixtures.idxBytes(IdxReader.IMAGES_MAGIC, new int[] {5, 3, 4}, pixels), IdxReader.IMAGES_MAGIC, 11);
    }

    @Test
    void hostileLabelsFiles() throws Exception {
        fuzz(IdxFixtures.idxBytes(IdxReader.LABELS_MAGIC, new int[] {6}, IdxFixtures.bytes(0, 1, 2, 9, 3, 4)),
                IdxReader.LABELS_MAGIC, 12);
    }

    private void fuzz(byte[] valid, int magic, long seed) throws Exception {
        Random random = new Random(seed);
        for (boolean gz : new boolean[] {false, true}) {
            // A valid gzip stream of damaged IDX bytes: the IDX reader meets the damage.
            Fuzz.check("IDX " + Integer.toHexString(magic) + (gz ? " in gzip" : ""), valid, random, 1000,
                    IdxFormatException.class, bytes -> read(gz ? gzip(bytes) : bytes, gz, magic),
                    d -> IdxFixtures.idxBytes(magic, d.dims(), d.data()), null, this::namesTheFile);
        }
        // A damaged gzip stream of valid IDX bytes: refused, or (damage gzip ignores, such as its timestamp) the
        // same values.
        Fuzz.checkRefusedOrUnchanged("gzip of IDX " + Integer.toHexString(magic), gzip(valid), random, 1000,
                IdxFormatException.class, bytes -> read(bytes, true, magic),
                (a, b) -> Arrays.equals(a.dims(), b.dims()) && Arrays.equals(a.data(), b.data()), this::namesTheFile);
    }

    private void namesTheFile(Exception e) {
        assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
    }

    private Decoded read(byte[] fileBytes, boolean gz, int magic) throws IOException {
        Path file = dir.resolve("f" + files++ + (gz ? ".gz" : ""));
        Files.write(file, fileBytes);
        try {
            IdxHeader header = IdxReader.readHeader(CONF, file.toString(), magic);
            int n = header.count();
            byte[] data = new byte[n * header.rowLength()];
            if (magic == IdxReader.IMAGES_MAGIC) {
                float[] pixels = new float[data.length];
                IdxReader.readImages(CONF, header, 0, n, pixels, 0);
                for (int i = 0; i < data.length; i++) {
                    data[i] = (byte) Math.round(pixels[i] * 255);
                }
            } else {
                int[] labels = new int[n];
                IdxReader.readLabels(CONF, header, 0, n, 10, labels, 0);
                for (int i = 0; i < n; i++) {
                    data[i] = (byte) labels[i];
                }
            }
            return new Decoded(header.dims(), data);
        } finally {
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
