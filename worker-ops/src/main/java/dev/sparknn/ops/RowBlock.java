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
