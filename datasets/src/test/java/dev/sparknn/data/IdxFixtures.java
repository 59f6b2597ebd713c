package dev.sparknn.data;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/**
 * Writes IDX test files. The data need not match the dims, so corrupt fixtures use the same helper.
 * Public, and shipped in this module's test jar, so that the driver's tests build datasets the same way.
 */
public final class IdxFixtures {

    /** Three 2x2 images; 51, 102, 153, 204 are 0.2, 0.4, 0.6, 0.8 of 255, exactly representable after rounding. */
    static final byte[] THREE_IMAGES = bytes(
            0, 255, 51, 102,
            255, 0, 153, 204,
            51, 51, 0, 255);
    /** Labels of {@link #THREE_IMAGES}. */
    static final byte[] THREE_LABELS = bytes(7, 0, 9);

    private IdxFixtures() {
    }

    /** The bytes of an IDX file: magic, dims, then {@code data} as given. */
    public static byte[] idxBytes(int magic, int[] dims, byte[] data) {
        ByteBuffer out = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        out.putInt(magic);
        for (int d : dims) {
            out.putInt(d);
        }
        return out.put(data).array();
    }

    /** Writes an IDX file, gzip-compressed if the name ends in {@code .gz}; returns its path as a string. */
    public static String write(Path file, int magic, int[] dims, byte[] data) throws IOException {
        try (OutputStream raw = Files.newOutputStream(file);
                OutputStream out = file.toString().endsWith(".gz") ? new GZIPOutputStream(raw) : raw) {
            out.write(idxBytes(magic, dims, data));
        }
        return file.toString();
    }

    /** {@code values} as unsigned bytes. */
    public static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    /**
     * Writes {@code <split>-images-idx3-ubyte} and {@code <split>-labels-idx1-ubyte} into {@code dir}.
     *
     * @param pixels {@code [labels.length * rows * cols]} unsigned bytes, image after image
     */
    public static void writeSplit(Path dir, String split, int rows, int cols, byte[] pixels, byte[] labels)
            throws IOException {
        write(dir.resolve(split + "-images-idx3-ubyte"), IdxReader.IMAGES_MAGIC,
                new int[] {labels.length, rows, cols}, pixels);
        write(dir.resolve(split + "-labels-idx1-ubyte"), IdxReader.LABELS_MAGIC, new int[] {labels.length}, labels);
    }
}
