package dev.sparknn.ops;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A packed block of labelled rows: the unit a Spark partition caches and trains on.
 *
 * <p>{@code features} is row-major {@code [rows, numFeatures]}. Each row has either a class label (classification:
 * {@code labels} is {@code [rows]}, {@code targets} is null) or real-valued targets (regression: {@code targets}
 * is {@code [rows, targetWidth]}, {@code labels} is null). No per-row objects exist on the training path: layers
 * read the arrays directly at row offsets.
 *
 * @param rows        number of rows in the block (may be 0)
 * @param numFeatures values per row
 * @param features    {@code [rows * numFeatures]}, row-major
 * @param labels      {@code [rows]}, each in {@code [0, numClasses)}; null for regression
 * @param targetWidth target values per row for regression; 0 for classification
 * @param targets     {@code [rows * targetWidth]}, row-major; null for classification
 * @param weights     {@code [rows]}: how much each row's loss counts (finite, {@code >= 0}); null when every row
 *                    counts 1. A step's gradient is then {@code Σ w·∇loss / Σ w} over its rows.
 */
public record RowBlock(int rows, int numFeatures, float[] features, int[] labels, int targetWidth, float[] targets,
                       float[] weights) implements Serializable {

    /** A block whose rows all weigh 1. */
    public RowBlock(int rows, int numFeatures, float[] features, int[] labels, int targetWidth, float[] targets) {
        this(rows, numFeatures, features, labels, targetWidth, targets, null);
    }

    /** A classification block. */
    public RowBlock(int rows, int numFeatures, float[] features, int[] labels) {
        this(rows, numFeatures, features, labels, 0, null);
    }

    /** A regression block: {@code targets} is {@code [rows, targetWidth]}. */
    public static RowBlock regression(int rows, int numFeatures, float[] features, int targetWidth, float[] targets) {
        return new RowBlock(rows, numFeatures, features, null, targetWidth, targets);
    }

    public RowBlock {
        if (rows < 0 || numFeatures <= 0) {
            throw new IllegalArgumentException("row block needs rows >= 0 and numFeatures > 0, got rows=" + rows
                    + " numFeatures=" + numFeatures);
        }
        if ((labels == null) == (targets == null)) {
            throw new IllegalArgumentException("a row block has either class labels or regression targets, not "
                    + (labels == null ? "neither" : "both"));
        }
        boolean sized = features.length == (long) rows * numFeatures && (labels != null
                ? labels.length == rows && targetWidth == 0
                : targetWidth > 0 && targets.length == (long) rows * targetWidth);
        if (weights != null && weights.length != rows) {
            throw new IllegalArgumentException("row block has " + rows + " rows but " + weights.length + " weights");
        }
        if (!sized) {
            throw new IllegalArgumentException("row block arrays do not match rows=" + rows + " numFeatures="
                    + numFeatures + " targetWidth=" + targetWidth + ": features.length=" + features.length
                    + (labels != null ? " labels.length=" + labels.length : " targets.length=" + targets.length));
        }
    }

    public boolean isRegression() {
        return targets != null;
    }

    /** Rows {@code [from, to)} as a new block (copies). */
    public RowBlock slice(int from, int to) {
        return new RowBlock(to - from, numFeatures, Arrays.copyOfRange(features, from * numFeatures, to * numFeatures),
                labels == null ? null : Arrays.copyOfRange(labels, from, to), targetWidth,
                targets == null ? null : Arrays.copyOfRange(targets, from * targetWidth, to * targetWidth),
                weights == null ? null : Arrays.copyOfRange(weights, from, to));
    }

    /** The same rows, each weighing {@code w[r]} ({@code [rows]}; null for 1 each). */
    public RowBlock withWeights(float[] w) {
        return new RowBlock(rows, numFeatures, features, labels, targetWidth, targets, w);
    }

    /**
     * The summed weight of rows {@code order[from], …, order[from+n-1]}: {@code n} when every row weighs 1. Added in
     * double, in that order.
     */
    public double weightSum(int[] order, int from, int n) {
        if (weights == null) {
            return n;
        }
        double sum = 0;
        for (int i = from; i < from + n; i++) {
            sum += weights[order[i]];
        }
        return sum;
    }

    /** {@code parts} contiguous slices, part {@code p} holding rows {@code [⌊p·rows/parts⌋, ⌊(p+1)·rows/parts⌋)}. */
    public List<RowBlock> split(int parts) {
        List<RowBlock> slices = new ArrayList<>(parts);
        for (int p = 0; p < parts; p++) {
            slices.add(slice((int) ((long) p * rows / parts), (int) ((long) (p + 1) * rows / parts)));
        }
        return slices;
    }

    /** The same rows with features replaced, e.g. standardised. */
    public RowBlock withFeatures(float[] newFeatures) {
        return new RowBlock(rows, numFeatures, newFeatures, labels, targetWidth, targets, weights);
    }

    /** The same rows with regression targets replaced, e.g. standardised. */
    public RowBlock withTargets(float[] newTargets) {
        return new RowBlock(rows, numFeatures, features, labels, targetWidth, newTargets, weights);
    }
}
