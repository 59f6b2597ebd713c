package dev.sparknn.ops;

import java.io.Serializable;

/**
 * A packed block of labelled rows: the unit a Spark partition caches and trains on.
 *
 * <p>{@code features} is row-major {@code [rows, numFeatures]}; {@code labels} is {@code [rows]} class indices.
 * No per-row objects exist on the training path: layers read the feature array directly at row offsets.
 *
 * @param rows        number of rows in the block (may be 0)
 * @param numFeatures values per row
 * @param features    {@code [rows * numFeatures]}, row-major
 * @param labels      {@code [rows]}, each in {@code [0, numClasses)}
 */
public record RowBlock(int rows, int numFeatures, float[] features, int[] labels) implements Serializable {

    /** Rows {@code [from, to)} as a new block (copies). */
    public RowBlock slice(int from, int to) {
        return new RowBlock(to - from, numFeatures, java.util.Arrays.copyOfRange(features, from * numFeatures,
                to * numFeatures), java.util.Arrays.copyOfRange(labels, from, to));
    }

    /** {@code parts} contiguous slices, part {@code p} holding rows {@code [⌊p·rows/parts⌋, ⌊(p+1)·rows/parts⌋)}. */
    public java.util.List<RowBlock> split(int parts) {
        java.util.List<RowBlock> slices = new java.util.ArrayList<>(parts);
        for (int p = 0; p < parts; p++) {
            slices.add(slice((int) ((long) p * rows / parts), (int) ((long) (p + 1) * rows / parts)));
        }
        return slices;
    }

    public RowBlock {
        if (rows < 0 || numFeatures <= 0) {
            throw new IllegalArgumentException("row block needs rows >= 0 and numFeatures > 0, got rows=" + rows
                    + " numFeatures=" + numFeatures);
        }
        if (features.length != (long) rows * numFeatures || labels.length != rows) {
            throw new IllegalArgumentException("row block arrays do not match rows=" + rows + " numFeatures="
                    + numFeatures + ": features.length=" + features.length + " labels.length=" + labels.length);
        }
    }
}
