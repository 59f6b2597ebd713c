package dev.sparknn.data;

import java.io.Serializable;
import java.util.Arrays;

/**
 * The validated header of one IDX file, as returned by {@link IdxReader#readHeader}. Serializable so that Spark can
 * ship it to executors, which then read their own rows.
 *
 * @param file       the file as the caller spelled it (a local path or a Hadoop URI such as {@code hdfs://...})
 * @param magic      {@link IdxReader#IMAGES_MAGIC} or {@link IdxReader#LABELS_MAGIC}
 * @param dims       {@code [count, rows, cols]} for images, {@code [count]} for labels; each > 0
 * @param dataOffset bytes before the first data byte in the uncompressed stream: {@code 4 + 4 * dims.length}
 */
public record IdxHeader(String file, int magic, int[] dims, long dataOffset) implements Serializable {

    public IdxHeader {
        dims = dims.clone();
    }

    /** A copy: the header is a value and must not change under a reader. */
    @Override
    public int[] dims() {
        return dims.clone();
    }

    /** Number of items (images or labels) in the file. */
    public int count() {
        return dims[0];
    }

    /** Bytes per item: {@code rows * cols} for images, 1 for labels. Fits an int as readHeader caps the file size. */
    public int rowLength() {
        int length = 1;
        for (int i = 1; i < dims.length; i++) {
            length *= dims[i];
        }
        return length;
    }

    // Records compare arrays by identity; a header is a value, so compare dims by content.
    @Override
    public boolean equals(Object o) {
        return o instanceof IdxHeader h && file.equals(h.file) && magic == h.magic && Arrays.equals(dims, h.dims)
                && dataOffset == h.dataOffset;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * file.hashCode() + magic) + Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return String.format("IdxHeader[%s, magic=0x%08x, dims=%s]", file, magic, Arrays.toString(dims));
    }
}
