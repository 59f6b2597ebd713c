package dev.sparknn.ml;

import java.util.Arrays;
import org.apache.spark.util.AccumulatorV2;

/**
 * Each input's smallest and largest value over the rows that {@code fit} parses, gathered while they are parsed for
 * placement, so that the training ranges cost no job of their own. A minimum and a maximum are the same however
 * often a task's update is merged, so a retried task cannot distort them, as it would a count.
 *
 * <p>The value is {@code [2, width]}: {@code value()[0]} the minima, {@code value()[1]} the maxima; +∞ and −∞ while
 * no row has been added.
 */
final class RangeAccumulator extends AccumulatorV2<float[], double[][]> {

    private final double[] min;
    private final double[] max;

    RangeAccumulator(int width) {
        min = new double[width];
        max = new double[width];
        reset();
    }

    @Override
    public boolean isZero() {
        return min.length == 0 || min[0] == Double.POSITIVE_INFINITY;
    }

    @Override
    public RangeAccumulator copy() {
        RangeAccumulator c = new RangeAccumulator(min.length);
        c.merge(this);
        return c;
    }

    @Override
    public void reset() {
        Arrays.fill(min, Double.POSITIVE_INFINITY);
        Arrays.fill(max, Double.NEGATIVE_INFINITY);
    }

    /** @param row {@code [width]} one row's inputs */
    @Override
    public void add(float[] row) {
        for (int j = 0; j < min.length; j++) {
            min[j] = Math.min(min[j], row[j]);
            max[j] = Math.max(max[j], row[j]);
        }
    }

    @Override
    public void merge(AccumulatorV2<float[], double[][]> other) {
        double[][] o = other.value();
        for (int j = 0; j < min.length; j++) {
            min[j] = Math.min(min[j], o[0][j]);
            max[j] = Math.max(max[j], o[1][j]);
        }
    }

    /** The live arrays, {@code [minima, maxima]}; copy them to keep them. */
    @Override
    public double[][] value() {
        return new double[][] {min, max};
    }
}
