package dev.sparknn.data;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Comparator;

/**
 * One parsed row on its way into a {@link dev.sparknn.ops.RowBlock}: what {@link RowPlacement} hashes and places.
 *
 * @param features {@code [numFeatures]}
 * @param label    a class index for classification; 0 for regression
 * @param target   a regression target; 0 for classification
 * @param weight   how much the row's loss counts; 1 when the data has no weights
 */
public record LabelledRow(float[] features, int label, float target, float weight) implements Serializable {

    /** A total order on content: rows that compare equal are the same bits, so either may stand for the other. */
    static final Comparator<LabelledRow> CONTENT = Comparator.<LabelledRow, float[]>comparing(LabelledRow::features,
                    Arrays::compare)
            .thenComparingInt(LabelledRow::label)
            .thenComparing(LabelledRow::target, Float::compare)
            .thenComparing(LabelledRow::weight, Float::compare);

    /** A classification row of weight 1. */
    public static LabelledRow ofClass(float[] features, int label) {
        return new LabelledRow(features, label, 0f, 1f);
    }

    /** A regression row of weight 1. */
    public static LabelledRow ofTarget(float[] features, float target) {
        return new LabelledRow(features, 0, target, 1f);
    }
}
